// The Compare tab: two models of one data set side by side (by default the
// shipped autoencoder and VAE), each with its test codes, its manifold over
// its own range, its reconstruction of the same test image with its MSE, and
// where the drawing lands. Either side can be the page's own model
// ("current"), so a visitor watches a VAE fill its space while training.
#include <emscripten.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <tuple>

#include "base/palette.h"
#include "demo_data.h"
#include "nn/loss.h"
#include "panels.h"

namespace lp::web {

extern AppState* g_app;

namespace {

constexpr int kCompareGrid = 9;

// Asks page/app.js for the default sides: the data set's shipped autoencoder
// and VAE (latentpad.compare()).
EM_JS(void, request_compare_defaults, (), {
  if (Module.latentpadCompareDefaults) Module.latentpadCompareDefaults();
});

// The side's model data: its own, or the page's for "current".
const DemoData& side_data(const AppState& s, const CompareSide& side) {
  return side.name == "current" ? s.data : side.data;
}

// The side's pad: through the origin, on axes 0 and 1, or on the first two
// principal components of its test codes when they are wider than two.
void fit_plane(CompareSide& side, const DemoData& data) {
  const int width = data.model.model.latent();
  side.range = data.model.model.is_vae() ? 3.0f : 1.0f;
  side.u.assign(width, 0.0f);
  side.v.assign(width, 0.0f);
  if (width > 2 && data.code_width == width && codes_pca(data.codes, width, &side.u, &side.v)) return;
  side.u[0] = 1.0f;
  if (width > 1) side.v[1] = 1.0f;
}

void project(const CompareSide& side, const float* code, float* ab) {
  double a = 0, b = 0;
  for (size_t k = 0; k < side.u.size(); ++k) a += code[k] * side.u[k], b += code[k] * side.v[k];
  ab[0] = static_cast<float>(a);
  ab[1] = static_cast<float>(b);
}

void rasterize_scatter(CompareSide& side, const DemoData& data, int pixels) {
  std::vector<uint8_t> rgba(static_cast<size_t>(pixels) * pixels * 4);
  for (size_t i = 0; i < rgba.size(); i += 4) rgba[i] = 24, rgba[i + 1] = 26, rgba[i + 2] = 32, rgba[i + 3] = 255;
  const int width = data.model.model.latent();
  const int count = data.code_width == width ? data.code_count() : 0;
  for (int i = 0; i < count; ++i) {
    float ab[2];
    project(side, &data.codes[static_cast<size_t>(i) * width], ab);
    const int px = static_cast<int>((ab[0] + side.range) / (2 * side.range) * pixels);
    const int py = static_cast<int>((side.range - ab[1]) / (2 * side.range) * pixels);
    if (px < 0 || px >= pixels || py < 0 || py >= pixels) continue;
    const int label = i < static_cast<int>(data.labels.size()) && data.labels[i] < 10 ? data.labels[i] : -1;
    uint8_t* p = &rgba[(static_cast<size_t>(py) * pixels + px) * 4];
    p[0] = label >= 0 ? kClassRgb[label][0] : 200;
    p[1] = label >= 0 ? kClassRgb[label][1] : 200;
    p[2] = label >= 0 ? kClassRgb[label][2] : 200;
  }
  side.scatter.upload_rgba(rgba.data(), pixels, pixels);
}

// The decoder over a kCompareGrid^2 grid of the side's pad (row 0 at the top).
void decode_manifold(CompareSide& side, const DemoData& data) {
  const int n = kCompareGrid, width = data.model.model.latent(), side_px = n * kImageSide;
  std::vector<float> codes(static_cast<size_t>(n) * n * width), digits(static_cast<size_t>(n) * n * kPixels);
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) {
      const float a = -side.range + c * 2 * side.range / (n - 1), b = side.range - r * 2 * side.range / (n - 1);
      for (int k = 0; k < width; ++k) codes[static_cast<size_t>(r * n + c) * width + k] = a * side.u[k] + b * side.v[k];
    }
  demo_decode(data, codes.data(), n * n, digits.data());
  std::vector<uint8_t> image(static_cast<size_t>(side_px) * side_px);
  for (int cell = 0; cell < n * n; ++cell)
    for (int y = 0; y < kImageSide; ++y)
      for (int x = 0; x < kImageSide; ++x)
        image[static_cast<size_t>(cell / n * kImageSide + y) * side_px + cell % n * kImageSide + x] =
            gray_byte(digits[static_cast<size_t>(cell) * kPixels + y * kImageSide + x]);
  side.manifold.upload_luminance(image.data(), side_px, side_px);
}

void refresh(AppState& s, CompareSide& side) {
  const DemoData& data = side_data(s, side);
  if (!data.model_ready) return;
  fit_plane(side, data);
  rasterize_scatter(side, data, 192);
  decode_manifold(side, data);
  // The Reconstruction panel's test image through this model (z = mu).
  if (demo_can_encode(data) && s.data.image_count > 0) {
    const int width = data.model.model.latent();
    const float* image = &s.data.images[static_cast<size_t>(std::clamp(s.recon_index, 0, s.data.image_count - 1)) * kPixels];
    std::vector<float> code(width);
    Eigen::MatrixXf recon(kPixels, 1);
    demo_encode(data, image, 1, code.data());
    demo_decode(data, code.data(), 1, recon.data());
    side.recon_mse = mse_loss(recon, Eigen::Map<const Eigen::MatrixXf>(image, kPixels, 1));
    side.original.upload_gray(image, kImageSide, kImageSide);
    side.recon.upload_gray(recon.data(), kImageSide, kImageSide);
    side.drawing_code.clear();
    if (s.draw.has_ink && s.draw.input.size() == static_cast<size_t>(kPixels)) {
      side.drawing_code.assign(width, 0.0f);
      demo_encode(data, s.draw.input.data(), 1, side.drawing_code.data());
    }
  }
  side.drawn_recon = s.recon_index;
  side.drawn_draw = s.draw.serial;
  side.drawn_serial = s.compare.serial;
}

const char* kind_name(const DemoData& data) {
  return data.model.model.is_vae() ? "VAE" : "autoencoder";
}

void draw_side(AppState& s, int index, float width) {
  CompareSide& side = s.compare.side[index];
  const DemoData& data = side_data(s, side);
  if (!data.model_ready) {
    text_wrapped_disabled(side.name.empty() ? "Loading the model..." : ("Loading " + side.name + "...").c_str());
    return;
  }
  char title[128];
  std::snprintf(title, sizeof title, "%s: %s, %d-D code", side.name == "current" ? "the page's model" : side.name.c_str(),
                kind_name(data), data.model.model.latent());
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  ImGui::TextWrapped("%s", title);
  ImGui::PopTextWrapPos();
  const float size = width;
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::Image(side.scatter.imgui_id(), ImVec2(size, size));
  s.compare.rect[index] = ImVec4(at.x, at.y, size, size);
  if (!side.drawing_code.empty()) {  // the drawing: an orange cross
    float ab[2];
    project(side, side.drawing_code.data(), ab);
    const ImVec2 p(at.x + (ab[0] + side.range) / (2 * side.range) * size, at.y + (side.range - ab[1]) / (2 * side.range) * size);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddLine(ImVec2(p.x - 7, p.y - 7), ImVec2(p.x + 7, p.y + 7), IM_COL32(255, 150, 40, 255), 3.0f);
    dl->AddLine(ImVec2(p.x - 7, p.y + 7), ImVec2(p.x + 7, p.y - 7), IM_COL32(255, 150, 40, 255), 3.0f);
  }
  char caption[96];
  std::snprintf(caption, sizeof caption, "codes over +-%g; the decoder over the same square:", side.range);
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  text_wrapped_disabled(caption);
  ImGui::PopTextWrapPos();
  ImGui::Image(side.manifold.imgui_id(), ImVec2(size, size));
  const float digit = std::min(size / 2 - ImGui::GetStyle().ItemSpacing.x, 96.0f);
  ImGui::Image(side.original.imgui_id(), ImVec2(digit, digit));
  ImGui::SameLine();
  ImGui::Image(side.recon.imgui_id(), ImVec2(digit, digit));
  std::snprintf(caption, sizeof caption, "%s: MSE %.4f", test_image_name(s, s.recon_index).c_str(), side.recon_mse);
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  text_wrapped_disabled(caption);
  ImGui::PopTextWrapPos();
}

}  // namespace

void compare_update(AppState& s) {
  CompareView& c = s.compare;
  const bool shown = c.shown;
  c.shown = false;
  if (!shown) return;  // only the open tab costs anything
  static bool defaults_requested = false;
  if (c.side[0].name.empty() && c.side[1].name.empty() && !defaults_requested) {
    defaults_requested = true;
    request_compare_defaults();
  }
  for (CompareSide& side : c.side) {
    const bool current = side.name == "current";
    if (current && side.model_seen != s.model_serial) side.model_seen = s.model_serial, side.drawn_serial = -1;
    if (side.drawn_serial != c.serial || side.drawn_recon != s.recon_index || side.drawn_draw != s.draw.serial)
      refresh(s, side);
  }
}

void draw_compare(AppState& s, float width) {
  s.compare.shown = true;
  panel_intro(s, "Two models of one data set side by side: where each puts the test digits, what its decoder draws "
                 "over its range, and how it reconstructs the same test image. The autoencoder leaves gaps that "
                 "decode to nothing; the VAE fills its prior's disc.");
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const bool beside = width >= 360;
  const float column = beside ? std::floor((width - spacing) / 2) : width;
  for (int i = 0; i < 2; ++i) {
    if (i == 1 && beside) ImGui::SameLine();
    ImGui::BeginGroup();
    ImGui::PushID(i);
    draw_side(s, i, std::min(column, 360.0f));
    ImGui::PopID();
    ImGui::EndGroup();
  }
}

}  // namespace lp::web

using lp::web::g_app;

extern "C" {

// Sets side 0 (left) or 1 (right) of the Compare tab: "current" (the page's
// own model; no files), or a shipped model's name with its model file, test
// codes and labels (as the site serves them). Returns 1, or 0 with the page's
// error line saying why.
EMSCRIPTEN_KEEPALIVE int lp_compare_set(int index, const char* name, const uint8_t* model, int model_size,
                                        const uint8_t* codes, int codes_size, const uint8_t* labels, int labels_size) {
  if (index < 0 || index > 1) return 0;
  lp::web::CompareSide& side = g_app->compare.side[index];
  side.name = name;
  side.data = lp::web::DemoData{};
  side.model_seen = -1;
  ++g_app->compare.serial;
  if (side.name == "current") return 1;
  for (const auto& [what, bytes, size] : {std::tuple{"model", model, model_size}, std::tuple{"codes", codes, codes_size},
                                         std::tuple{"labels", labels, labels_size}}) {
    const std::string error = lp::web::demo_load(side.data, what, bytes, static_cast<size_t>(std::max(0, size)));
    if (!error.empty()) {
      g_app->error = "Compare: " + side.name + ": " + error;
      side.data = lp::web::DemoData{};
      return 0;
    }
  }
  return 1;
}

// The two sides as JSON: {"left": {"name", "kind", "latent"}, "right": ...}
// (kind "" while a side is not loaded).
EMSCRIPTEN_KEEPALIVE const char* lp_compare_info() {
  static std::string json;
  json = "{";
  for (int i = 0; i < 2; ++i) {
    const lp::web::CompareSide& side = g_app->compare.side[i];
    const lp::web::DemoData& data = side.name == "current" ? g_app->data : side.data;
    const char* kind = !data.model_ready ? "" : data.model.model.is_vae() ? "variational autoencoder" : "autoencoder";
    json += std::string(i ? ",\"right\":" : "\"left\":") + "{\"name\":\"" + side.name + "\",\"kind\":\"" + kind +
            "\",\"latent\":" + std::to_string(data.model_ready ? data.model.model.latent() : 0) + "}";
  }
  return (json += "}").c_str();
}

}  // extern "C"
