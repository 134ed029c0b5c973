// The latent pad (the test set's codes as a scatter, the draggable point),
// its legend, the code fields and range presets beside the digit, and the
// decoded digit itself.
#include "panels.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "base/palette.h"
#include "demo_data.h"

namespace lp::web {

// For a code wider than two: the plane's settings and a slider per dimension.
void draw_plane_controls(AppState& s);

namespace {

ImU32 class_color(int label, int alpha = 255) {
  if (label < 0 || label > 9) return IM_COL32(200, 200, 200, alpha);
  return IM_COL32(kClassRgb[label][0], kClassRgb[label][1], kClassRgb[label][2], alpha);
}

// Pad coordinates: x right, y up, the square [-range, range]^2 filling `size` pixels.
ImVec2 latent_to_screen(const AppState& s, ImVec2 origin, float size, float x, float y) {
  return {origin.x + (x + s.range) / (2 * s.range) * size, origin.y + (s.range - y) / (2 * s.range) * size};
}

void scatter_rasterize(AppState& s, int pixels) {
  // Drawn straight into the texture's own bytes (no second 1.9 MB image).
  uint8_t* const rgba = s.scatter_texture.pixels_for(GL_RGBA, pixels, pixels);
  const uint8_t background[4] = {24, 26, 32, 255};
  uint32_t fill;
  std::memcpy(&fill, background, 4);
  std::fill_n(reinterpret_cast<uint32_t*>(rgba), static_cast<size_t>(pixels) * pixels, fill);
  const int radius = std::max(1, static_cast<int>(std::lround(1.1f * s.pixel_ratio)));
  // The test codes projected onto the pad's plane (for a 2-D model on its
  // default plane, the codes themselves).
  const int count = s.data.code_width == s.latent ? s.data.code_count() : 0;
  for (int i = 0; i < count; ++i) {
    float ab[2];
    code_to_pad(s, &s.data.codes[static_cast<size_t>(i) * s.latent], ab);
    const float x = ab[0], y = ab[1];
    const int cx = static_cast<int>((x + s.range) / (2 * s.range) * pixels);
    const int cy = static_cast<int>((s.range - y) / (2 * s.range) * pixels);
    const int label = s.data.labels[i] < 10 ? s.data.labels[i] : -1;
    const uint8_t r = label >= 0 ? kClassRgb[label][0] : 200, g = label >= 0 ? kClassRgb[label][1] : 200,
                  b = label >= 0 ? kClassRgb[label][2] : 200;
    for (int py = cy - radius; py < cy + radius; ++py) {
      if (py < 0 || py >= pixels) continue;
      for (int px = cx - radius; px < cx + radius; ++px) {
        if (px < 0 || px >= pixels) continue;
        uint8_t* p = &rgba[(static_cast<size_t>(py) * pixels + px) * 4];
        // 70 % opacity, so dense clusters read as dense.
        p[0] = static_cast<uint8_t>((p[0] * 3 + r * 7) / 10);
        p[1] = static_cast<uint8_t>((p[1] * 3 + g * 7) / 10);
        p[2] = static_cast<uint8_t>((p[2] * 3 + b * 7) / 10);
      }
    }
  }
  s.scatter_texture.send_pixels();
  s.scatter_pixels = pixels;
  s.scatter_range = s.range;
}

}  // namespace

void draw_pad(AppState& s, float size) {
  const int pixels = std::max(16, static_cast<int>(std::lround(size * s.pixel_ratio)));
  if (pixels != s.scatter_pixels || s.range != s.scatter_range) scatter_rasterize(s, pixels);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 end(origin.x + size, origin.y + size);
  ImGui::InvisibleButton("latent pad", ImVec2(size, size));
  // The release frame too: a browser may deliver the last moves and the
  // release together (Firefox does), and the point must end under the pointer.
  if (ImGui::IsItemActive() || ImGui::IsItemDeactivated()) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    const float x = (m.x - origin.x) / size * 2 * s.range - s.range;
    const float y = s.range - (m.y - origin.y) / size * 2 * s.range;
    if (x != s.z[0] || y != s.z[1]) code_move_on_pad(s, std::clamp(x, -s.range, s.range), std::clamp(y, -s.range, s.range));
  }
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddImage(s.scatter_texture.imgui_id(), origin, end);
  dl->AddRect(origin, end, IM_COL32(90, 90, 100, 255));
  // Axes through the origin and ticks at the quarters of the range.
  const ImVec2 zero = latent_to_screen(s, origin, size, 0, 0);
  dl->AddLine(ImVec2(origin.x, zero.y), ImVec2(end.x, zero.y), IM_COL32(255, 255, 255, 40));
  dl->AddLine(ImVec2(zero.x, origin.y), ImVec2(zero.x, end.y), IM_COL32(255, 255, 255, 40));
  for (int k = -2; k <= 2; ++k) {
    const float v = s.range * k / 2.0f;
    char label[32];
    std::snprintf(label, sizeof label, "%g", v);
    const ImVec2 tx = latent_to_screen(s, origin, size, v, -s.range);
    dl->AddLine(ImVec2(tx.x, end.y - 5), ImVec2(tx.x, end.y), IM_COL32(220, 220, 220, 160));
    dl->AddText(ImVec2(tx.x + 2, end.y - 18), IM_COL32(220, 220, 220, 160), label);
    const ImVec2 ty = latent_to_screen(s, origin, size, -s.range, v);
    dl->AddLine(ImVec2(origin.x, ty.y), ImVec2(origin.x + 5, ty.y), IM_COL32(220, 220, 220, 160));
    if (k != -2) dl->AddText(ImVec2(origin.x + 7, ty.y - 7), IM_COL32(220, 220, 220, 160), label);
  }
  // A VAE's prior N(0, I): rings at 1 and 2 standard deviations around the
  // origin's place on the plane (u and v are orthonormal, so the prior's
  // projection is N(0, I) in pad coordinates too).
  if (s.vae) {
    float centre[2];
    const std::vector<float> zero(s.latent, 0.0f);
    code_to_pad(s, zero.data(), centre);
    const ImVec2 c = latent_to_screen(s, origin, size, centre[0], centre[1]);
    dl->PushClipRect(origin, end, true);
    for (int sigma = 1; sigma <= 2; ++sigma)
      dl->AddCircle(c, sigma / (2 * s.range) * size, IM_COL32(255, 255, 255, sigma == 1 ? 110 : 70), 64, 1.5f);
    dl->PopClipRect();
  }
  // The reconstructed digit's code, then the draggable point on top.
  if (s.data.model_ready && !!s.data.model.encoder() && s.data.image_count > 0 &&
      static_cast<int>(s.recon_code.size()) == s.latent) {
    float rc[2];
    code_to_pad(s, s.recon_code.data(), rc);
    dl->AddCircle(latent_to_screen(s, origin, size, rc[0], rc[1]), 8, IM_COL32(255, 255, 255, 220), 0, 2.0f);
  }
  draw_marker(s, dl, [&](float a, float b) { return latent_to_screen(s, origin, size, a, b); });
  const ImVec2 p = latent_to_screen(s, origin, size, s.z[0], s.z[1]);
  dl->AddCircleFilled(p, 8, IM_COL32(255, 255, 255, 255));
  dl->AddCircle(p, 8, IM_COL32(0, 0, 0, 255), 0, 2.0f);
  s.pad_rect = ImVec4(origin.x, origin.y, size, size);
}

void draw_legend(float width) {
  const float swatch = ImGui::GetTextLineHeight();
  for (int c = 0; c < 10; ++c) {
    if (c > 0) ImGui::SameLine(0, std::max(4.0f, (width - 10 * (swatch + 14)) / 10));
    const ImVec2 at = ImGui::GetCursorScreenPos();
    ImGui::GetWindowDrawList()->AddRectFilled(at, ImVec2(at.x + swatch, at.y + swatch), class_color(c));
    ImGui::Dummy(ImVec2(swatch, swatch));
    ImGui::SameLine(0, 4);
    ImGui::Text("%d", c);
  }
}

void draw_latent_controls(AppState& s) {
  const ImGuiStyle& style = ImGui::GetStyle();
  // Wide enough for the values the fields show (the code up to the largest
  // range, "-200.000"); the label goes above the field where both do not fit.
  const float value_w = ImGui::CalcTextSize("-000.000").x + 2 * style.FramePadding.x;
  float width = 0;
  const float code_w = std::max(ImGui::GetContentRegionAvail().x * 0.6f, 2 * value_w + style.ItemInnerSpacing.x);
  const char* pad_label = s.latent == 2 && !s.plane.pca_ready ? "code (x, y)" : "on the pad (x, y)";
  float ab[2] = {s.z[0], s.z[1]};
  if (ImGui::DragFloat2(field_label(pad_label, code_w, &width), ab, s.range / 200.0f, -1e6f, 1e6f, "%.3f"))
    code_move_on_pad(s, ab[0], ab[1]);
  const float each = std::floor((width - style.ItemInnerSpacing.x) / 2) - 2 * style.FramePadding.x;
  {  // the two fields' rects, for latentpad.layout()
    const ImVec2 at = ImGui::GetItemRectMin();
    const float field_w = std::floor((width - style.ItemInnerSpacing.x) / 2), field_h = ImGui::GetFrameHeight();
    const float top = ImGui::GetItemRectMax().y - field_h;  // below the label when it is above
    s.code_x_rect = ImVec4(at.x, top, field_w, field_h);
    s.code_y_rect = ImVec4(at.x + field_w + style.ItemInnerSpacing.x, top, field_w, field_h);
  }
  for (float v : s.z) {
    char value[32];
    std::snprintf(value, sizeof value, "%.3f", v);
    fit_text(s, pad_label, value, each);
  }
  const float range_w = std::max(ImGui::GetContentRegionAvail().x * 0.6f, value_w);
  ImGui::SliderFloat(field_label("visible range", range_w, &width), &s.range, 0.25f, 200.0f, "+-%.2f",
                     ImGuiSliderFlags_Logarithmic);
  char value[32];
  std::snprintf(value, sizeof value, "+-%.2f", s.range);
  fit_text(s, "visible range", value, width - 2 * style.FramePadding.x);
  // The tutorial's experiments: inside tanh's range, just outside, far
  // outside; for a VAE, the prior's bulk (+-2, +-3 standard deviations) and beyond.
  static const float kAutoencoderPresets[] = {1.0f, 1.5f, 10.0f, 100.0f}, kVaePresets[] = {2.0f, 3.0f, 10.0f, 100.0f};
  bool first = true;
  for (float preset : s.vae ? kVaePresets : kAutoencoderPresets) {
    char label[16];
    std::snprintf(label, sizeof label, "+-%g", preset);
    if (!first) same_line_if_fits(button_width(label));
    first = false;
    if (ImGui::Button(label)) s.range = preset;
  }
  if (s.range != s.scatter_range) s.manifold_dirty = true;
  if (s.latent > 2) draw_plane_controls(s);
}

void draw_plane_controls(AppState& s) {
  CodePlane& p = s.plane;
  bool changed = false;
  int pca = p.pca ? 1 : 0;
  float width = 0;
  if (ImGui::Combo(field_label("pad plane", std::min(ImGui::GetContentRegionAvail().x * 0.6f, 220.0f), &width), &pca,
                   "two code dimensions\0first two principal components\0")) {
    p.pca = pca == 1;
    changed = true;
  }
  if (!p.pca) {
    int axes[2] = {p.axes[0], p.axes[1]};
    if (ImGui::InputInt2(field_label("dimensions (x, y)", std::min(ImGui::GetContentRegionAvail().x * 0.6f, 160.0f)),
                         axes)) {
      for (int& a : axes) a = std::clamp(a, 0, s.latent - 1);
      if (axes[0] != axes[1]) p.axes[0] = axes[0], p.axes[1] = axes[1], changed = true;
    }
  } else if (!p.pca_ready) {
    text_wrapped_disabled("Principal components need the test codes; the plane uses dimensions 0 and 1 meanwhile.");
  }
  int anchor = p.anchor;
  if (ImGui::Combo(field_label("other dimensions at", std::min(ImGui::GetContentRegionAvail().x * 0.6f, 220.0f)), &anchor,
                   "the origin\0a test image's code\0the drawing's code\0")) {
    p.anchor = anchor;
    changed = true;
  }
  if (p.anchor == CodePlane::kTestImage) {
    ImGui::SetNextItemWidth(std::min(ImGui::GetContentRegionAvail().x * 0.6f, 160.0f));
    if (ImGui::InputInt("test image", &p.anchor_image)) {
      p.anchor_image = std::clamp(p.anchor_image, 0, std::max(0, s.data.image_count - 1));
      changed = true;
    }
  }
  if (changed) plane_update(s);
  // Every dimension of the code, scrollable: moving one takes the point off
  // the plane, and the digit follows.
  char title[48];
  std::snprintf(title, sizeof title, "the code's %d dimensions", s.latent);
  if (ImGui::TreeNode(title)) {
    const float line = ImGui::GetFrameHeightWithSpacing();
    ImGui::BeginChild("code sliders", ImVec2(0, std::min(8, s.latent) * line + 4), true);
    for (int k = 0; k < s.latent; ++k) {
      char label[16];
      std::snprintf(label, sizeof label, "z%d", k);
      ImGui::SetNextItemWidth(-ImGui::CalcTextSize("z000").x - ImGui::GetStyle().ItemInnerSpacing.x);
      float value = s.code[k];
      if (ImGui::SliderFloat(label, &value, -s.range, s.range, "%.3f")) {
        std::vector<float> code = s.code;
        code[k] = value;
        code_set(s, code.data());
      }
    }
    ImGui::EndChild();
    ImGui::TreePop();
  }
}

void draw_digit(AppState& s, float size) {
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::Image(s.digit_texture.imgui_id(), ImVec2(size, size));
  s.digit_rect = ImVec4(at.x, at.y, size, size);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + size);  // under the digit, as wide as it
  if (s.latent == 2 && !s.plane.pca_ready) ImGui::TextWrapped("decoder(%.3f, %.3f): %.2f ms", s.code[0], s.code[1], s.digit_decode_ms);
  else ImGui::TextWrapped("decoder of the %d-D code: %.2f ms", s.latent, s.digit_decode_ms);
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
}

void pad_update(AppState& s) {
  if (s.digit_dirty) {
    s.digit.resize(kPixels);
    const double t0 = now_ms();
    demo_decode(s.data, s.code.data(), 1, s.digit.data());
    s.digit_decode_ms = now_ms() - t0;
    s.digit_texture.upload_gray(s.digit.data(), kImageSide, kImageSide);
    s.digit_dirty = false;
  }
}

}  // namespace lp::web
