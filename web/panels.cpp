#include "panels.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <emscripten.h>

#include "demo_data.h"
#include "base/palette.h"
#include "eval/reconstruction.h"
#include "imgui_internal.h"  // the window's cursor extent, hovered window and scrolling

namespace lp::web {

std::string test_image_name(const AppState& s, int index) {
  static const char* const kFashion[10] = {"a T-shirt/top", "a trouser", "a pullover", "a dress", "a coat",
                                           "a sandal",      "a shirt",   "a sneaker",  "a bag",   "an ankle boot"};
  const int label = index >= 0 && index < static_cast<int>(s.data.labels.size()) ? s.data.labels[index] : -1;
  char text[64];
  if (label < 0 || label > 9) std::snprintf(text, sizeof text, "test image %d", index);
  else if (s.dataset == 1) std::snprintf(text, sizeof text, "test image %d (%s)", index, kFashion[label]);
  else std::snprintf(text, sizeof text, "test image %d (a %d)", index, label);
  return text;
}

float fit_begin() {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const float saved = w->DC.CursorMaxPos.x;
  w->DC.CursorMaxPos.x = w->DC.CursorPos.x;
  return saved;
}

void fit_end(AppState& s, float saved, const char* what) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const float used = w->DC.CursorMaxPos.x, right = w->ContentRegionRect.Max.x, left = w->ContentRegionRect.Min.x;
  if (used > right + 1.0f) {
    char note[160];
    std::snprintf(note, sizeof note, "%s: %.0f px wide in %.0f px", what, used - left, right - left);
    s.clipped.push_back(note);
  }
  w->DC.CursorMaxPos.x = std::max(saved, used);
}

void fit_text(AppState& s, const char* what, const char* text, float given) {
  const float needed = ImGui::CalcTextSize(text).x;
  if (needed > given + 0.5f) {
    char note[200];
    std::snprintf(note, sizeof note, "%s: \"%s\" needs %.0f px, has %.0f px", what, text, needed, given);
    s.clipped.push_back(note);
  }
}

const char* field_label(const char* label, float field, float* width) {
  static std::string id;
  const float avail = ImGui::GetContentRegionAvail().x;
  if (field + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label).x <= avail) {
    ImGui::SetNextItemWidth(field);
    if (width) *width = field;
    return label;
  }
  ImGui::TextUnformatted(label);
  const float line = ImGui::GetContentRegionAvail().x;
  ImGui::SetNextItemWidth(line);
  if (width) *width = line;
  id = std::string("##") + label;
  return id.c_str();
}

void same_line_if_fits(float width) {
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + width <= right + 0.5f) ImGui::SameLine();
}

float button_width(const char* label) {
  return ImGui::CalcTextSize(label, nullptr, true).x + 2 * ImGui::GetStyle().FramePadding.x;
}

void text_wrapped_disabled(const char* text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s", text);
  ImGui::PopStyleColor();
}

void panel_intro(AppState& s, const char* text) {
  text_wrapped_disabled(text);
  const ImVec2 at = ImGui::GetItemRectMin(), size = ImGui::GetItemRectSize();
  s.intro_rect = ImVec4(at.x, at.y, size.x, size.y);
}

namespace {

// A drag on a panel's empty area (not on a widget) scrolls the panel, as a
// finger swipe scrolls a page: touch screens have no wheel, and the
// scrollbar is a few pixels wide. Called at the end of the frame, when ImGui
// knows whether the press landed on a widget.
void swipe_scroll(AppState& s) {
  ImGuiContext& g = *GImGui;
  const ImGuiIO& io = ImGui::GetIO();
  if (!io.MouseDown[0]) {
    s.swipe_window = 0;
  } else if (ImGui::IsMouseClicked(0)) {
    s.swipe_window = 0;
    ImGuiWindow* w = g.HoveredWindow;
    if (w && g.HoveredId == 0 && g.ActiveId == 0) {
      // The nearest window under the press that can scroll.
      while (w && w->ScrollMax.y <= 0 && (w->Flags & ImGuiWindowFlags_ChildWindow)) w = w->ParentWindow;
      if (w && w->ScrollMax.y > 0) s.swipe_window = w->ID;
    }
  } else if (s.swipe_window != 0 && io.MouseDelta.y != 0) {
    if (ImGuiWindow* w = ImGui::FindWindowByID(s.swipe_window)) ImGui::SetScrollY(w, w->Scroll.y - io.MouseDelta.y);
  }
}

// Opens the page's hidden file input (page/index.html); app.js hands the
// chosen file to lp_load_user_model. Called from a click, so the browser
// still counts it as user-initiated.
EM_JS(void, open_model_picker, (), { document.getElementById('model-file').click(); });

// Asks page/app.js to show a data set's shipped model ("mnist" or "fashion").
EM_JS(void, switch_dataset, (const char* name), {
  if (Module.latentpadSwitchDataset) Module.latentpadSwitchDataset(UTF8ToString(name));
});

// Hands `count` codes to the page's decode workers (page/app.js), which write
// the digits to `pixels` and then call lp_manifold_done(token). Returns how
// many workers took the job; 0 means none are ready and the caller decodes.
EM_JS(int, decode_in_workers, (int token, const float* codes, int count, float* pixels), {
  return Module.latentpadDecodeInWorkers ? Module.latentpadDecodeInWorkers(token, codes, count, pixels) : 0;
});

ImU32 class_color(int label, int alpha = 255) {
  if (label < 0 || label > 9) return IM_COL32(200, 200, 200, alpha);
  return IM_COL32(kClassRgb[label][0], kClassRgb[label][1], kClassRgb[label][2], alpha);
}

// Pad coordinates: x right, y up, the square [-range, range]^2 filling `size` pixels.
ImVec2 latent_to_screen(const AppState& s, ImVec2 origin, float size, float x, float y) {
  return {origin.x + (x + s.range) / (2 * s.range) * size, origin.y + (s.range - y) / (2 * s.range) * size};
}

void scatter_rasterize(AppState& s, int pixels) {
  std::vector<uint8_t> rgba(static_cast<size_t>(pixels) * pixels * 4);
  for (size_t i = 0; i < rgba.size(); i += 4) {
    rgba[i] = 24; rgba[i + 1] = 26; rgba[i + 2] = 32; rgba[i + 3] = 255;
  }
  const int radius = std::max(1, static_cast<int>(std::lround(1.1f * s.pixel_ratio)));
  for (int i = 0; i < s.data.code_count(); ++i) {
    const float x = s.data.codes[2 * i], y = s.data.codes[2 * i + 1];
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
  s.scatter_texture.upload_rgba(rgba.data(), pixels, pixels);
  s.scatter_pixels = pixels;
  s.scatter_range = s.range;
}

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
    if (x != s.z[0] || y != s.z[1]) {
      s.z[0] = std::clamp(x, -s.range, s.range);
      s.z[1] = std::clamp(y, -s.range, s.range);
      s.digit_dirty = true;
    }
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
  // The reconstructed digit's code, then the draggable point on top.
  if (s.data.model_ready && !!s.data.model.encoder() && s.data.image_count > 0) {
    const ImVec2 rc = latent_to_screen(s, origin, size, s.recon_code[0], s.recon_code[1]);
    dl->AddCircle(rc, 8, IM_COL32(255, 255, 255, 220), 0, 2.0f);
  }
  draw_marker(s, dl, latent_to_screen(s, origin, size, s.draw.code[0], s.draw.code[1]));
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
  if (ImGui::DragFloat2(field_label("code (x, y)", code_w, &width), s.z, s.range / 200.0f, -1e6f, 1e6f, "%.3f"))
    s.digit_dirty = true;
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
    fit_text(s, "code (x, y)", value, each);
  }
  const float range_w = std::max(ImGui::GetContentRegionAvail().x * 0.6f, value_w);
  ImGui::SliderFloat(field_label("visible range", range_w, &width), &s.range, 0.25f, 200.0f, "+-%.2f",
                     ImGuiSliderFlags_Logarithmic);
  char value[32];
  std::snprintf(value, sizeof value, "+-%.2f", s.range);
  fit_text(s, "visible range", value, width - 2 * style.FramePadding.x);
  // The tutorial's experiments: inside tanh's range, just outside, far outside.
  bool first = true;
  for (float preset : {1.0f, 1.5f, 10.0f, 100.0f}) {
    char label[16];
    std::snprintf(label, sizeof label, "+-%g", preset);
    if (!first) same_line_if_fits(button_width(label));
    first = false;
    if (ImGui::Button(label)) s.range = preset;
  }
  if (s.range != s.scatter_range) s.manifold_dirty = true;
}

void draw_digit(AppState& s, float size) {
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::Image(s.digit_texture.imgui_id(), ImVec2(size, size));
  s.digit_rect = ImVec4(at.x, at.y, size, size);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + size);  // under the digit, as wide as it
  ImGui::TextWrapped("decoder(%.3f, %.3f): %.2f ms", s.z[0], s.z[1], s.digit_decode_ms);
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
}

void draw_manifold(AppState& s, float size) {
  if (ImGui::SliderInt(field_label("grid", std::min(size * 0.6f, 240.0f)), &s.grid, 2, 32)) s.manifold_dirty = true;
  char stats[96];
  if (s.manifold_workers > 0)
    std::snprintf(stats, sizeof stats, "%dx%d codes, %.1f ms in %d workers", s.manifold_shown_grid,
                  s.manifold_shown_grid, s.manifold_decode_ms, s.manifold_workers);
  else
    std::snprintf(stats, sizeof stats, "%dx%d codes, %.1f ms", s.manifold_shown_grid, s.manifold_shown_grid,
                  s.manifold_decode_ms);
  same_line_if_fits(ImGui::CalcTextSize(stats).x);
  text_wrapped_disabled(stats);
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::Image(s.manifold_texture.imgui_id(), ImVec2(size, size));
  s.manifold_rect = ImVec4(at.x, at.y, size, size);
  // Highlight the cell whose code is nearest the dragged point, in the grid
  // the texture shows (a newer one may still be decoding).
  const int grid = s.manifold_shown_grid;
  const float range = s.manifold_shown_range;
  if (grid < 2) return;
  const float step = 2 * range / (grid - 1);
  const int col = static_cast<int>(std::lround((s.z[0] + range) / step));
  const int row = static_cast<int>(std::lround((range - s.z[1]) / step));
  if (col >= 0 && col < grid && row >= 0 && row < grid) {
    const float cell = size / grid;
    ImGui::GetWindowDrawList()->AddRect(ImVec2(at.x + col * cell, at.y + row * cell),
                                        ImVec2(at.x + (col + 1) * cell, at.y + (row + 1) * cell),
                                        IM_COL32(255, 200, 0, 255), 0, 0, 2.0f);
  }
}

void draw_reconstruction(AppState& s, float size) {
  if (!s.data.model.encoder()) {
    ImGui::TextWrapped("This model has no encoder, so it cannot reconstruct images.");
    return;
  }
  if (s.data.image_count == 0) {
    ImGui::TextDisabled("No test images loaded.");
    return;
  }
  if (ImGui::Button("Random")) {
    s.recon_index = static_cast<int>(emscripten_random() * s.data.image_count) % s.data.image_count;
    s.recon_dirty = true;
  }
  const ImGuiStyle& style = ImGui::GetStyle();
  same_line_if_fits(110 + style.ItemInnerSpacing.x + ImGui::CalcTextSize("index").x);
  ImGui::SetNextItemWidth(110);
  if (ImGui::InputInt("index", &s.recon_index)) {
    s.recon_index = std::clamp(s.recon_index, 0, s.data.image_count - 1);
    s.recon_dirty = true;
  }
  same_line_if_fits(60);
  ImGui::SetNextItemWidth(60);
  ImGui::Combo("##class", &s.recon_class, "0\0" "1\0" "2\0" "3\0" "4\0" "5\0" "6\0" "7\0" "8\0" "9\0");
  same_line_if_fits(button_width("Next of class"));
  if (ImGui::Button("Next of class")) {
    for (int k = 1; k <= s.data.image_count; ++k) {
      const int i = (s.recon_index + k) % s.data.image_count;
      if (s.data.labels[i] == s.recon_class) {
        s.recon_index = i;
        s.recon_dirty = true;
        break;
      }
    }
  }
  ImGui::Image(s.original_texture.imgui_id(), ImVec2(size, size));
  ImGui::SameLine();
  ImGui::Image(s.recon_texture.imgui_id(), ImVec2(size, size));
  s.recon_caption = test_image_name(s, s.recon_index);
  char caption[160];
  std::snprintf(caption, sizeof caption, "%s: code (%.3f, %.3f), MSE %.4f", s.recon_caption.c_str(),
                s.recon_code[0], s.recon_code[1], s.recon_mse);
  text_wrapped_disabled(caption);
  same_line_if_fits(button_width("go to code"));
  if (ImGui::SmallButton("go to code")) {
    s.z[0] = s.recon_code[0];
    s.z[1] = s.recon_code[1];
    s.digit_dirty = true;
  }
}

}  // namespace

void panels_update(AppState& s) {
  if (!s.data.model_ready) return;
  draw_update(s);
  walk_update(s);
  if (s.digit_dirty) {
    s.digit.resize(kPixels);
    const double t0 = now_ms();
    demo_decode(s.data, s.z, 1, s.digit.data());
    s.digit_decode_ms = now_ms() - t0;
    s.digit_texture.upload_gray(s.digit.data(), kImageSide, kImageSide);
    s.digit_dirty = false;
  }
  if (s.manifold_dirty && !s.manifold_in_flight) {
    const int n = s.grid;
    const float range = s.range, step = 2 * range / (n - 1);
    s.manifold_request_ms = now_ms();
    std::vector<float> codes(2 * n * n);
    for (int r = 0; r < n; ++r)
      for (int c = 0; c < n; ++c) {
        codes[2 * (r * n + c)] = -range + c * step;
        codes[2 * (r * n + c) + 1] = range - r * step;
      }
    s.manifold_pixels.resize(static_cast<size_t>(n) * n * kPixels);
    s.manifold_request_grid = n;
    s.manifold_request_range = range;
    s.manifold_dirty = false;
    s.manifold_in_flight = true;
    if (decode_in_workers(++s.manifold_token, codes.data(), n * n, s.manifold_pixels.data()) == 0) {
      demo_decode(s.data, codes.data(), n * n, s.manifold_pixels.data());
      manifold_show(s, 0);
    }
  }
  if (s.recon_dirty && s.data.image_count > 0 && s.data.model.encoder()) {
    const float* image = &s.data.images[static_cast<size_t>(s.recon_index) * kPixels];
    const Eigen::Map<const Eigen::MatrixXf> column(image, kPixels, 1);
    autoencoder_encode(s.data.model.model, image, 1, s.recon_code);
    const Eigen::MatrixXf recon = reconstruct(s.data.model.model, column);
    s.recon_mse = reconstruction_errors(s.data.model.model, column)(0);
    s.original_texture.upload_gray(image, kImageSide, kImageSide);
    s.recon_texture.upload_gray(recon.data(), kImageSide, kImageSide);
    s.recon_class = s.data.labels[s.recon_index] < 10 ? s.data.labels[s.recon_index] : 0;
    s.recon_dirty = false;
  }
}

void manifold_show(AppState& s, int workers) {
  // Tile the n*n digits into one (28n)^2 grey image, converting as we go
  // (one pass: at 32x32 this is 800k pixels on the main thread).
  const int n = s.manifold_request_grid, side = n * kImageSide;
  std::vector<uint8_t> image(static_cast<size_t>(side) * side);
  for (int cell = 0; cell < n * n; ++cell) {
    const float* digit = &s.manifold_pixels[static_cast<size_t>(cell) * kPixels];
    uint8_t* corner = &image[static_cast<size_t>(cell / n) * kImageSide * side + (cell % n) * kImageSide];
    for (int y = 0; y < kImageSide; ++y)
      for (int x = 0; x < kImageSide; ++x) corner[y * side + x] = gray_byte(digit[y * kImageSide + x]);
  }
  s.manifold_texture.upload_luminance(image.data(), side, side);
  s.manifold_shown_grid = n;
  s.manifold_shown_range = s.manifold_request_range;
  s.manifold_workers = workers;
  s.manifold_decode_ms = now_ms() - s.manifold_request_ms;
  s.manifold_in_flight = false;
  ++s.manifold_serial;
}

void panels_draw(AppState& s) {
  s.clipped.clear();
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->WorkPos);
  ImGui::SetNextWindowSize(viewport->WorkSize);
  ImGui::Begin("LatentPad", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus);
  const char* subtitle = "drag the point through the 2-D code space of an MNIST autoencoder; the decoder draws live";
  const char* load_label = "Load model file...";
  const float button_w = ImGui::CalcTextSize(load_label).x + 2 * ImGui::GetStyle().FramePadding.x;
  const float switch_w = ImGui::CalcTextSize("Fashion-MNIST").x + ImGui::GetFrameHeight() + 2 * ImGui::GetStyle().FramePadding.x;
  float fit = fit_begin();
  ImGui::Text("LatentPad");
  // The subtitle only where it fits beside the title and the button (not on phones).
  if (ImGui::GetContentRegionAvail().x >
      ImGui::CalcTextSize("LatentPad").x + ImGui::CalcTextSize(subtitle).x + button_w + switch_w + 50) {
    ImGui::SameLine();
    ImGui::TextDisabled("%s", subtitle);
  }
  // The data set switch: the shipped model of each (Fashion's fetched on first use).
  ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - button_w - switch_w - ImGui::GetStyle().ItemSpacing.x);
  ImGui::SetNextItemWidth(switch_w);
  int dataset = s.dataset;
  if (ImGui::Combo("##dataset", &dataset, "MNIST\0Fashion-MNIST\0") && dataset != s.dataset)
    switch_dataset(dataset == 1 ? "fashion" : "mnist");
  ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - button_w);
  if (ImGui::SmallButton(load_label)) open_model_picker();
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("An .lpad, or PyTorch's .pth or .safetensors (pick the encoder and decoder\n"
                      "files together if they were saved apart). Dropping files on the page works too.");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("A .lpad file from latentpad train; or drop one on the page");
  ImGui::PushTextWrapPos(0.0f);  // messages wrap at the window's edge
  if (!s.error.empty()) ImGui::TextColored(ImVec4(1.0f, 0.35f, 0.35f, 1.0f), "Error: %s", s.error.c_str());
  else if (s.data.model_ready && s.status.rfind("Loaded", 0) == 0) text_wrapped_disabled(s.status.c_str());
  if (!s.data.model_ready && s.error.empty()) ImGui::TextUnformatted(s.status.c_str());
  ImGui::PopTextWrapPos();
  fit_end(s, fit, "the title bar");
  if (!s.data.model_ready) {
    ImGui::End();
    return;
  }

  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const bool wide = avail.x > avail.y * 1.1f;
  const float legend_h = ImGui::GetFrameHeightWithSpacing();
  // Portrait phones keep the pad under 40 % of the height, so the panels
  // below (the Draw canvas among them) fit on the screen without scrolling.
  const float pad = wide ? std::min(avail.y - legend_h, avail.x * 0.55f)
                         : std::min(avail.x, avail.y * (avail.x < 500 ? 0.37f : 0.6f));

  ImGui::BeginGroup();
  draw_pad(s, std::max(100.0f, pad));
  draw_legend(pad);
  ImGui::EndGroup();
  if (wide) ImGui::SameLine();

  ImGui::BeginChild("panels", ImVec2(0, 0), false);
  {
    const ImVec2 at = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
    s.panels_rect = ImVec4(at.x, at.y, size.x, size.y);
    s.panels_scroll = ImGui::GetScrollY();
    s.panels_scroll_max = ImGui::GetScrollMaxY();
  }
  const float column = ImGui::GetContentRegionAvail().x;
  const float digit = std::clamp(column * 0.4f, 112.0f, 280.0f);
  fit = fit_begin();
  ImGui::BeginGroup();
  draw_digit(s, digit);
  ImGui::EndGroup();
  ImGui::SameLine();
  ImGui::BeginGroup();
  draw_latent_controls(s);
  ImGui::EndGroup();
  fit_end(s, fit, "the digit and its controls");
  if (ImGui::BeginTabBar("views")) {
    // Sized to fit under the digit without scrolling.
    const float room = ImGui::GetContentRegionAvail().y - 3 * ImGui::GetFrameHeightWithSpacing();
    auto tab = [&](const char* label, int index) {
      const bool open = ImGui::BeginTabItem(label, nullptr, s.requested_tab == index ? ImGuiTabItemFlags_SetSelected : 0);
      return open;
    };
    if (tab("Manifold", kTabManifold)) {
      fit = fit_begin();
      panel_intro(s, "The decoder over an evenly spaced grid of the visible range.");
      draw_manifold(s, std::max(120.0f, std::min(column, room - ImGui::GetTextLineHeightWithSpacing())));
      fit_end(s, fit, "the Manifold panel");
      ImGui::EndTabItem();
    }
    if (tab("Reconstruction", kTabReconstruction)) {
      fit = fit_begin();
      panel_intro(s, "A test image through the encoder and back through the decoder.");
      draw_reconstruction(s, std::clamp(column * 0.45f, 84.0f, 196.0f));
      fit_end(s, fit, "the Reconstruction panel");
      ImGui::EndTabItem();
    }
    if (tab("Draw", kTabDraw)) {
      fit = fit_begin();
      draw_draw(s, column);
      fit_end(s, fit, "the Draw panel");
      ImGui::EndTabItem();
    }
    if (tab("Walk", kTabWalk)) {
      fit = fit_begin();
      draw_walk(s, column);
      fit_end(s, fit, "the Walk panel");
      ImGui::EndTabItem();
    }
    if (tab("Train", kTabTrain)) {
      fit = fit_begin();
      draw_train(s, column);
      fit_end(s, fit, "the Train panel");
      ImGui::EndTabItem();
    }
    s.requested_tab = -1;
    ImGui::EndTabBar();
  }
  ImGui::EndChild();
  ImGui::End();
  swipe_scroll(s);
}

}  // namespace lp::web
