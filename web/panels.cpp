#include "panels.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <emscripten.h>

#include "demo_data.h"
#include "base/palette.h"
#include "eval/reconstruction.h"

namespace lp::web {
namespace {

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
  if (ImGui::IsItemActive()) {
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
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.6f);
  if (ImGui::DragFloat2("code (x, y)", s.z, s.range / 200.0f, -1e6f, 1e6f, "%.3f")) s.digit_dirty = true;
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.6f);
  ImGui::SliderFloat("visible range", &s.range, 0.25f, 200.0f, "+-%.2f", ImGuiSliderFlags_Logarithmic);
  // The tutorial's experiments: inside tanh's range, just outside, far outside.
  for (float preset : {1.0f, 1.5f, 10.0f, 100.0f}) {
    char label[16];
    std::snprintf(label, sizeof label, "+-%g", preset);
    if (ImGui::Button(label)) s.range = preset;
    ImGui::SameLine();
  }
  ImGui::NewLine();
  if (s.range != s.scatter_range) s.manifold_dirty = true;
}

void draw_digit(AppState& s, float size) {
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::Image(s.digit_texture.imgui_id(), ImVec2(size, size));
  s.digit_rect = ImVec4(at.x, at.y, size, size);
  ImGui::TextDisabled("decoder(%.3f, %.3f): %.2f ms", s.z[0], s.z[1], s.digit_decode_ms);
}

void draw_manifold(AppState& s, float size) {
  ImGui::SetNextItemWidth(size * 0.6f);
  if (ImGui::SliderInt("grid", &s.grid, 2, 32)) s.manifold_dirty = true;
  ImGui::SameLine();
  if (s.manifold_workers > 0)
    ImGui::TextDisabled("%dx%d codes, %.1f ms in %d workers", s.manifold_shown_grid, s.manifold_shown_grid,
                        s.manifold_decode_ms, s.manifold_workers);
  else
    ImGui::TextDisabled("%dx%d codes, %.1f ms", s.manifold_shown_grid, s.manifold_shown_grid, s.manifold_decode_ms);
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
  ImGui::SameLine();
  ImGui::SetNextItemWidth(110);
  if (ImGui::InputInt("index", &s.recon_index)) {
    s.recon_index = std::clamp(s.recon_index, 0, s.data.image_count - 1);
    s.recon_dirty = true;
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(60);
  ImGui::Combo("##class", &s.recon_class, "0\0" "1\0" "2\0" "3\0" "4\0" "5\0" "6\0" "7\0" "8\0" "9\0");
  ImGui::SameLine();
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
  ImGui::TextDisabled("test image %d (digit %d): code (%.3f, %.3f), MSE %.4f", s.recon_index,
                      s.data.labels[s.recon_index], s.recon_code[0], s.recon_code[1], s.recon_mse);
  ImGui::SameLine();
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
  if (!s.error.empty()) ImGui::TextColored(ImVec4(1.0f, 0.35f, 0.35f, 1.0f), "Error: %s", s.error.c_str());
  else if (s.data.model_ready && s.status.rfind("Loaded", 0) == 0) ImGui::TextDisabled("%s", s.status.c_str());
  if (!s.data.model_ready) {
    if (s.error.empty()) ImGui::TextUnformatted(s.status.c_str());
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
  const float column = ImGui::GetContentRegionAvail().x;
  const float digit = std::clamp(column * 0.4f, 112.0f, 280.0f);
  draw_digit(s, digit);
  ImGui::SameLine();
  ImGui::BeginGroup();
  draw_latent_controls(s);
  ImGui::EndGroup();
  if (ImGui::BeginTabBar("views")) {
    // Sized to fit under the digit without scrolling.
    const float room = ImGui::GetContentRegionAvail().y - 3 * ImGui::GetFrameHeightWithSpacing();
    auto tab = [&](const char* label, int index) {
      const bool open = ImGui::BeginTabItem(label, nullptr, s.requested_tab == index ? ImGuiTabItemFlags_SetSelected : 0);
      return open;
    };
    if (tab("Manifold", kTabManifold)) {
      ImGui::TextDisabled("The decoder over an evenly spaced grid of the visible range.");
      draw_manifold(s, std::max(120.0f, std::min(column, room - ImGui::GetTextLineHeightWithSpacing())));
      ImGui::EndTabItem();
    }
    if (tab("Reconstruction", kTabReconstruction)) {
      ImGui::TextDisabled("A test digit through the encoder and back through the decoder.");
      draw_reconstruction(s, std::clamp(column * 0.45f, 84.0f, 196.0f));
      ImGui::EndTabItem();
    }
    if (tab("Draw", kTabDraw)) {
      draw_draw(s, column);
      ImGui::EndTabItem();
    }
    if (tab("Walk", kTabWalk)) {
      draw_walk(s, column);
      ImGui::EndTabItem();
    }
    if (tab("Train", kTabTrain)) {
      draw_train(s, column);
      ImGui::EndTabItem();
    }
    s.requested_tab = -1;
    ImGui::EndTabBar();
  }
  ImGui::EndChild();
  ImGui::End();
}

}  // namespace lp::web
