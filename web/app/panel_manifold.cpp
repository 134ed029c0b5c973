// The Manifold tab: the decoder over an evenly spaced grid of the visible
// range, decoded in the page's workers when they are ready.
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
EM_JS(int, decode_in_workers, (int token, const float* codes, int count, float* pixels), {
  return Module.latentpadDecodeInWorkers ? Module.latentpadDecodeInWorkers(token, codes, count, pixels) : 0;
});

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

void manifold_update(AppState& s) {
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

}  // namespace lp::web
