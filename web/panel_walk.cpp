// The Walk panel: two endpoints (each a test digit, the drawing, or a point on
// the pad), the straight path between their codes decoded as a strip of
// digits, and beside it the endpoints blended pixel by pixel, which shows why
// a walk through the code space gives digits all the way and a pixel blend
// gives ghosts. Play moves the pad's point along the path.
#include <algorithm>
#include <cstdio>

#include "demo_data.h"
#include "eval/interpolation.h"
#include "panels.h"

namespace lp::web {
namespace {

constexpr double kPlayMs = 2500;  // one walk from end to end

// Endpoint e's code and image (28x28); false when it cannot be had.
bool endpoint(AppState& s, int e, float code[2], std::vector<float>& image) {
  WalkView& w = s.walk;
  const Mlp* encoder = s.data.model.encoder();
  image.assign(kPixels, 0.0f);
  switch (w.kind[e]) {
    case 0: {  // a test digit
      if (!encoder || s.data.image_count == 0) return false;
      const int i = std::clamp(w.test_index[e], 0, s.data.image_count - 1);
      const float* pixels = &s.data.images[static_cast<size_t>(i) * kPixels];
      image.assign(pixels, pixels + kPixels);
      autoencoder_encode(s.data.model.model, pixels, 1, code);
      return true;
    }
    case 1:  // the drawing
      if (!encoder || !s.draw.has_ink) return false;
      image = s.draw.input;
      code[0] = s.draw.code[0];
      code[1] = s.draw.code[1];
      return true;
    default:  // a point on the pad: its image is the decoder's
      code[0] = w.point[e][0];
      code[1] = w.point[e][1];
      demo_decode(s.data, code, 1, image.data());
      return true;
  }
}

// n digits side by side as one grey texture.
void upload_strip(Texture& texture, const std::vector<float>& digits, int n) {
  std::vector<float> strip(static_cast<size_t>(n) * kPixels);
  for (int k = 0; k < n; ++k)
    for (int r = 0; r < kImageSide; ++r)
      for (int c = 0; c < kImageSide; ++c)
        strip[static_cast<size_t>(r) * n * kImageSide + k * kImageSide + c] =
            digits[static_cast<size_t>(k) * kPixels + r * kImageSide + c];
  texture.upload_gray(strip.data(), n * kImageSide, kImageSide);
}

void draw_endpoint(AppState& s, int e) {
  WalkView& w = s.walk;
  ImGui::PushID(e);
  ImGui::TextUnformatted(e == 0 ? "from" : "to  ");
  ImGui::SameLine();
  if (ImGui::RadioButton("test digit", &w.kind[e], 0)) w.dirty = true;
  if (w.kind[e] == 0) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(90);
    if (ImGui::InputInt("##index", &w.test_index[e])) {
      w.test_index[e] = std::clamp(w.test_index[e], 0, std::max(0, s.data.image_count - 1));
      w.dirty = true;
    }
  }
  ImGui::SameLine();
  if (ImGui::RadioButton("drawing", &w.kind[e], 1)) w.dirty = true;
  ImGui::SameLine();
  if (ImGui::RadioButton("point", &w.kind[e], 2)) w.dirty = true;
  if (w.kind[e] == 2) {
    ImGui::SameLine();
    if (ImGui::SmallButton("take the pad's")) {
      w.point[e][0] = s.z[0];
      w.point[e][1] = s.z[1];
      w.dirty = true;
    }
    ImGui::SameLine();
    ImGui::TextDisabled("(%.2f, %.2f)", w.point[e][0], w.point[e][1]);
  }
  ImGui::PopID();
}

}  // namespace

void walk_update(AppState& s) {
  WalkView& w = s.walk;
  if (w.playing) {
    const double t = (now_ms() - w.play_start_ms) / kPlayMs;
    const double u = std::min(1.0, t);
    s.z[0] = static_cast<float>(w.from[0] + u * (w.to[0] - w.from[0]));
    s.z[1] = static_cast<float>(w.from[1] + u * (w.to[1] - w.from[1]));
    s.digit_dirty = true;
    if (t >= 1.0) w.playing = false;
  }
  const bool uses_drawing = w.kind[0] == 1 || w.kind[1] == 1;
  if (w.model_seen != s.model_serial || (uses_drawing && w.drawing_seen != s.draw.serial)) w.dirty = true;
  w.model_seen = s.model_serial;
  w.drawing_seen = s.draw.serial;
  if (!w.dirty || !s.data.model_ready) return;
  w.dirty = false;
  std::vector<float> a, b;
  if (!endpoint(s, 0, w.from, a) || !endpoint(s, 1, w.to, b)) {
    upload_strip(w.walk_texture, std::vector<float>(static_cast<size_t>(w.steps) * kPixels, 0.0f), w.steps);
    upload_strip(w.blend_texture, std::vector<float>(static_cast<size_t>(w.steps) * kPixels, 0.0f), w.steps);
    return;
  }
  const std::vector<float> codes = interpolate_codes({w.from[0], w.from[1]}, {w.to[0], w.to[1]}, w.steps);
  std::vector<float> walk(static_cast<size_t>(w.steps) * kPixels);
  demo_decode(s.data, codes.data(), w.steps, walk.data());
  upload_strip(w.walk_texture, walk, w.steps);
  upload_strip(w.blend_texture, blend_images(a.data(), b.data(), kPixels, w.steps), w.steps);
}

void draw_walk(AppState& s, float width) {
  WalkView& w = s.walk;
  ImGui::TextWrapped("Walk between two codes: the decoder draws digits all the way; a pixel blend gives ghosts.");
  draw_endpoint(s, 0);
  draw_endpoint(s, 1);
  ImGui::SetNextItemWidth(std::min(200.0f, width * 0.4f));
  if (ImGui::SliderInt("steps", &w.steps, 2, 16)) w.dirty = true;
  ImGui::SameLine();
  if (ImGui::Button(w.playing ? "Playing..." : "Play") && !w.playing) {
    w.playing = true;
    w.play_start_ms = now_ms();
  }
  const float cell = std::min(width / w.steps, 64.0f);
  ImGui::TextDisabled("through the code space (%.2f, %.2f) -> (%.2f, %.2f)", w.from[0], w.from[1], w.to[0], w.to[1]);
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::Image(w.walk_texture.imgui_id(), ImVec2(cell * w.steps, cell));
  s.walk_rect = ImVec4(at.x, at.y, cell * w.steps, cell);
  ImGui::TextDisabled("the endpoints' pixels blended");
  ImGui::Image(w.blend_texture.imgui_id(), ImVec2(cell * w.steps, cell));
}

}  // namespace lp::web
