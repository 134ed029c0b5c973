// The Walk panel: two endpoints (each a test digit, the drawing, or a point on
// the pad), the straight path between their codes decoded as a strip of
// digits, and beside it the endpoints blended pixel by pixel, which shows why
// a walk through the code space gives digits all the way and a pixel blend
// gives ghosts. Play moves the pad's point along the path.
#include <algorithm>
#include <cstdio>
#include <string>

#include "demo_data.h"
#include "eval/interpolation.h"
#include "panels.h"

namespace lp::web {
namespace {

constexpr double kPlayMs = 2500;  // one walk from end to end

// Endpoint e's full code (the model's width; a VAE's mu) and image (28x28);
// false when it cannot be had.
bool endpoint(AppState& s, int e, std::vector<float>& code, std::vector<float>& image) {
  WalkView& w = s.walk;
  image.assign(kPixels, 0.0f);
  code.assign(s.latent, 0.0f);
  switch (w.kind[e]) {
    case 0: {  // a test digit
      if (!demo_can_encode(s.data) || s.data.image_count == 0) return false;
      const int i = std::clamp(w.test_index[e], 0, s.data.image_count - 1);
      const float* pixels = &s.data.images[static_cast<size_t>(i) * kPixels];
      image.assign(pixels, pixels + kPixels);
      demo_encode(s.data, pixels, 1, code.data());
      return true;
    }
    case 1:  // the drawing
      if (!s.draw.has_ink || static_cast<int>(s.draw.code.size()) != s.latent) return false;
      image = s.draw.input;
      code = s.draw.code;
      return true;
    default:  // a code taken from the pad (the corners of the pad until then): its image is the decoder's
      if (static_cast<int>(w.point[e].size()) == s.latent) code = w.point[e];
      else pad_to_code(s, e == 0 ? -0.5f * s.range : 0.5f * s.range, e == 0 ? 0.5f * s.range : -0.5f * s.range, code.data());
      demo_decode(s.data, code.data(), 1, image.data());
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

// A radio button's width for `label`.
float radio_width(const char* label) {
  return ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label).x;
}

// One endpoint's row; on a narrow panel its choices wrap onto more lines.
void draw_endpoint(AppState& s, int e) {
  WalkView& w = s.walk;
  ImGui::PushID(e);
  ImGui::TextUnformatted(e == 0 ? "from" : "to  ");
  ImGui::SameLine();
  if (ImGui::RadioButton("test image", &w.kind[e], 0)) w.dirty = true;
  if (w.kind[e] == 0) {
    same_line_if_fits(90);
    ImGui::SetNextItemWidth(90);
    if (ImGui::InputInt("##index", &w.test_index[e])) {
      w.test_index[e] = std::clamp(w.test_index[e], 0, std::max(0, s.data.image_count - 1));
      w.dirty = true;
    }
  }
  same_line_if_fits(radio_width("drawing"));
  if (ImGui::RadioButton("drawing", &w.kind[e], 1)) w.dirty = true;
  same_line_if_fits(radio_width("point"));
  if (ImGui::RadioButton("point", &w.kind[e], 2)) w.dirty = true;
  if (w.kind[e] == 2) {
    same_line_if_fits(button_width("take the pad's"));
    if (ImGui::SmallButton("take the pad's")) {
      w.point[e] = s.code;
      w.dirty = true;
    }
  }
  ImGui::PopID();
}

// What endpoint e is, in words: "test image 3 (a 0)", "the drawing", "a point on the pad".
std::string endpoint_name(const AppState& s, int e) {
  const WalkView& w = s.walk;
  if (w.kind[e] == 0) return test_image_name(s, std::clamp(w.test_index[e], 0, std::max(0, s.data.image_count - 1)));
  return w.kind[e] == 1 ? "the drawing" : "a point on the pad";
}

}  // namespace

void walk_update(AppState& s) {
  WalkView& w = s.walk;
  if (w.playing) {
    const double t = (now_ms() - w.play_start_ms) / kPlayMs;
    const double u = std::min(1.0, t);
    if (static_cast<int>(w.from.size()) == s.latent && static_cast<int>(w.to.size()) == s.latent) {
      std::vector<float> code(s.latent);
      for (int k = 0; k < s.latent; ++k) code[k] = static_cast<float>(w.from[k] + u * (w.to[k] - w.from[k]));
      code_set(s, code.data());
    }
    if (t >= 1.0) w.playing = false;
  }
  const bool uses_drawing = w.kind[0] == 1 || w.kind[1] == 1;
  if (w.model_seen != s.model_serial || (uses_drawing && w.drawing_seen != s.draw.serial)) w.dirty = true;
  w.model_seen = s.model_serial;
  w.drawing_seen = s.draw.serial;
  const bool shown = w.shown;
  w.shown = false;
  if (!s.data.model_ready) return;
  if (w.dirty) w.strips_dirty = true;
  // The endpoints' codes stay current (the pad marks them, layout() reports
  // them); the strips wait until the panel is open.
  if (!w.dirty && !(shown && w.strips_dirty)) return;
  w.dirty = false;
  std::vector<float> a, b;
  const bool ends = endpoint(s, 0, w.from, a) && endpoint(s, 1, w.to, b);
  if (!shown) return;
  w.strips_dirty = false;
  if (!ends) {
    upload_strip(w.walk_texture, std::vector<float>(static_cast<size_t>(w.steps) * kPixels, 0.0f), w.steps);
    upload_strip(w.blend_texture, std::vector<float>(static_cast<size_t>(w.steps) * kPixels, 0.0f), w.steps);
    return;
  }
  const std::vector<float> codes = interpolate_codes(w.from, w.to, w.steps);
  std::vector<float> walk(static_cast<size_t>(w.steps) * kPixels);
  demo_decode(s.data, codes.data(), w.steps, walk.data());
  upload_strip(w.walk_texture, walk, w.steps);
  upload_strip(w.blend_texture, blend_images(a.data(), b.data(), kPixels, w.steps), w.steps);
}

void draw_walk(AppState& s, float width) {
  WalkView& w = s.walk;
  w.shown = true;
  panel_intro(s, "Walk between two codes: the decoder draws digits all the way; a pixel blend gives ghosts.");
  draw_endpoint(s, 0);
  draw_endpoint(s, 1);
  if (ImGui::SliderInt(field_label("steps", std::min(200.0f, width * 0.4f)), &w.steps, 2, 16)) w.dirty = true;
  same_line_if_fits(button_width("Playing..."));
  if (ImGui::Button(w.playing ? "Playing..." : "Play") && !w.playing) {
    w.playing = true;
    w.play_start_ms = now_ms();
  }
  const float cell = std::min(width / w.steps, 64.0f);
  s.walk_captions[0] = endpoint_name(s, 0);
  s.walk_captions[1] = endpoint_name(s, 1);
  char caption[256];
  if (s.latent == 2 && w.from.size() == 2 && w.to.size() == 2)
    std::snprintf(caption, sizeof caption, "from %s (%.2f, %.2f) to %s (%.2f, %.2f), through the code space",
                  s.walk_captions[0].c_str(), w.from[0], w.from[1], s.walk_captions[1].c_str(), w.to[0], w.to[1]);
  else
    std::snprintf(caption, sizeof caption, "from %s to %s, a straight line through the %d-D code space",
                  s.walk_captions[0].c_str(), s.walk_captions[1].c_str(), s.latent);
  text_wrapped_disabled(caption);
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::Image(w.walk_texture.imgui_id(), ImVec2(cell * w.steps, cell));
  s.walk_rect = ImVec4(at.x, at.y, cell * w.steps, cell);
  text_wrapped_disabled("the same endpoints' pixels blended");
  ImGui::Image(w.blend_texture.imgui_id(), ImVec2(cell * w.steps, cell));
}

}  // namespace lp::web
