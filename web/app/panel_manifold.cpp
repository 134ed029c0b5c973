// The Manifold tab: the decoder over a grid on the pad's plane (evenly
// spaced over the visible range, or for a VAE over the prior's quantiles),
// decoded in the page's workers when they are ready; and digits decoded from
// codes drawn from the prior N(0, I).
#include "panels.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <emscripten.h>

#include "demo_data.h"

namespace lp::web {
namespace {

// Hands `count` codes to the page's decode workers (page/app.js), which write
// the digits to `pixels` and then call lp_manifold_done(token). Returns how
// many workers took the job; 0 means none are ready and the caller decodes.
EM_JS(int, decode_in_workers, (int token, const float* codes, int count, int width, float* pixels), {
  return Module.latentpadDecodeInWorkers ? Module.latentpadDecodeInWorkers(token, codes, count, width, pixels) : 0;
});

// The grid's i-th coordinate of n along one pad axis: evenly spaced over
// [-range, range], or the prior's quantiles at (i + 1) / (n + 1), as in
// Kingma and Welling's figure of an MNIST VAE's manifold.
float grid_coordinate(int i, int n, float range, bool quantiles) {
  if (quantiles) return normal_quantile((i + 1.0) / (n + 1));
  return -range + i * 2 * range / (n - 1);
}

// The grid cell nearest pad coordinate v (the inverse of grid_coordinate).
int grid_cell(float v, int n, float range, bool quantiles) {
  if (quantiles) return static_cast<int>(std::lround(0.5 * std::erfc(-v / std::sqrt(2.0)) * (n + 1) - 1));
  return static_cast<int>(std::lround((v + range) / (2 * range / (n - 1))));
}

constexpr int kPriorSamples = 10;

void prior_update(AppState& s) {
  if (!s.prior_dirty) return;
  s.prior_dirty = false;
  const int width = s.latent;
  std::vector<float> codes(static_cast<size_t>(width) * kPriorSamples), pixels(static_cast<size_t>(kPriorSamples) * kPixels);
  for (float& c : codes) c = s.rng.normal();
  demo_decode(s.data, codes.data(), kPriorSamples, pixels.data());
  // One strip, the digits side by side.
  const int side = kImageSide, strip = kPriorSamples * side;
  std::vector<uint8_t> image(static_cast<size_t>(strip) * side);
  for (int d = 0; d < kPriorSamples; ++d)
    for (int y = 0; y < side; ++y)
      for (int x = 0; x < side; ++x) image[y * strip + d * side + x] = gray_byte(pixels[d * kPixels + y * side + x]);
  s.prior_texture.upload_luminance(image.data(), strip, side);
  s.prior_samples = kPriorSamples;
  s.prior_codes = std::move(codes);
}

}  // namespace

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
  if (s.vae) {
    int spacing = s.grid_quantiles ? 1 : 0;
    ImGui::SetNextItemWidth(std::min(size * 0.6f, 260.0f));
    if (ImGui::Combo("##spacing", &spacing, "evenly over the visible range\0over the prior's quantiles\0")) {
      s.grid_quantiles = spacing == 1;
      s.manifold_dirty = true;
    }
  }
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::Image(s.manifold_texture.imgui_id(), ImVec2(size, size));
  s.manifold_rect = ImVec4(at.x, at.y, size, size);
  // Highlight the cell whose code is nearest the dragged point, in the grid
  // the texture shows (a newer one may still be decoding).
  const int grid = s.manifold_shown_grid;
  const float range = s.manifold_shown_range;
  if (grid >= 2) {
    const bool q = s.manifold_shown_quantiles;
    const int col = grid_cell(s.z[0], grid, range, q), row = grid - 1 - grid_cell(s.z[1], grid, range, q);
    if (col >= 0 && col < grid && row >= 0 && row < grid) {
      const float cell = size / grid;
      ImGui::GetWindowDrawList()->AddRect(ImVec2(at.x + col * cell, at.y + row * cell),
                                          ImVec2(at.x + (col + 1) * cell, at.y + (row + 1) * cell),
                                          IM_COL32(255, 200, 0, 255), 0, 0, 2.0f);
    }
  }
  // Codes drawn from the prior N(0, I): what a VAE is trained to decode; an
  // autoencoder's codes need not look like it.
  if (ImGui::Button("Sample from the prior")) s.prior_dirty = true;
  s.prior_button_rect = item_rect();
  if (s.prior_samples > 0) {
    const ImVec2 strip_at = ImGui::GetCursorScreenPos();
    const float cell = std::min(size, ImGui::GetContentRegionAvail().x) / s.prior_samples;
    ImGui::Image(s.prior_texture.imgui_id(), ImVec2(cell * s.prior_samples, cell));
    s.prior_rect = ImVec4(strip_at.x, strip_at.y, cell * s.prior_samples, cell);
  }
}

void manifold_update(AppState& s) {
  prior_update(s);
  if (s.manifold_dirty && !s.manifold_in_flight) {
    const int n = s.grid, width = s.latent;
    const float range = s.range;
    const bool quantiles = s.vae && s.grid_quantiles;
    s.manifold_request_ms = now_ms();
    // Row 0 at the top: the largest y.
    std::vector<float> codes(static_cast<size_t>(width) * n * n);
    for (int r = 0; r < n; ++r)
      for (int c = 0; c < n; ++c)
        pad_to_code(s, grid_coordinate(c, n, range, quantiles), grid_coordinate(n - 1 - r, n, range, quantiles),
                    &codes[static_cast<size_t>(r * n + c) * width]);
    s.manifold_request_quantiles = quantiles;
    s.manifold_pixels.resize(static_cast<size_t>(n) * n * kPixels);
    s.manifold_request_grid = n;
    s.manifold_request_range = range;
    s.manifold_dirty = false;
    s.manifold_in_flight = true;
    if (decode_in_workers(++s.manifold_token, codes.data(), n * n, width, s.manifold_pixels.data()) == 0) {
      demo_decode(s.data, codes.data(), n * n, s.manifold_pixels.data());
      manifold_show(s, 0);
    }
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
  s.manifold_shown_quantiles = s.manifold_request_quantiles;
  s.manifold_workers = workers;
  s.manifold_decode_ms = now_ms() - s.manifold_request_ms;
  s.manifold_in_flight = false;
  ++s.manifold_serial;
}

}  // namespace lp::web
