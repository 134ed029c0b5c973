#include "data/drawing.h"

#include <algorithm>
#include <cmath>

namespace lp {
namespace {

// Area-averaging resample of one axis: `in` has n samples per line (lines of
// `stride`), `out` m samples; output sample k covers input [k n/m, (k+1) n/m).
void resample_axis(const std::vector<float>& in, int lines, int n, int m, bool along_rows, int in_cols,
                   std::vector<float>& out, int out_cols) {
  const double scale = static_cast<double>(n) / m;
  for (int line = 0; line < lines; ++line) {
    for (int k = 0; k < m; ++k) {
      const double lo = k * scale, hi = (k + 1) * scale;
      double sum = 0.0;
      for (int i = static_cast<int>(lo); i < n && i < hi; ++i) {
        const double overlap = std::min<double>(i + 1, hi) - std::max<double>(i, lo);
        const float v = along_rows ? in[static_cast<size_t>(line) * in_cols + i] : in[static_cast<size_t>(i) * in_cols + line];
        sum += overlap * v;
      }
      const float value = static_cast<float>(sum / scale);
      if (along_rows) out[static_cast<size_t>(line) * out_cols + k] = value;
      else out[static_cast<size_t>(k) * out_cols + line] = value;
    }
  }
}

}  // namespace

std::vector<float> drawing_to_mnist(const float* canvas, int width, int height) {
  std::vector<float> field(kDrawingSide * kDrawingSide, 0.0f);
  // 1. The ink's bounding box.
  int x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      if (canvas[static_cast<size_t>(y) * width + x] > 0.0f) {
        x0 = std::min(x0, x), x1 = std::max(x1, x);
        y0 = std::min(y0, y), y1 = std::max(y1, y);
      }
  if (x1 < 0) return field;
  const int w = x1 - x0 + 1, h = y1 - y0 + 1;
  // 2. Scale the longer side to 20 pixels, the other in proportion.
  const double scale = static_cast<double>(kDrawingBox) / std::max(w, h);
  const int sw = std::max(1, static_cast<int>(std::lround(w * scale)));
  const int sh = std::max(1, static_cast<int>(std::lround(h * scale)));
  std::vector<float> box(static_cast<size_t>(w) * h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) box[static_cast<size_t>(y) * w + x] = canvas[static_cast<size_t>(y0 + y) * width + x0 + x];
  std::vector<float> rows(static_cast<size_t>(h) * sw), scaled(static_cast<size_t>(sh) * sw);
  resample_axis(box, h, w, sw, true, w, rows, sw);
  resample_axis(rows, sw, h, sh, false, sw, scaled, sw);
  // 3. Centre of mass (pixel i spans [i, i + 1)) moved to the field's centre, 14.
  double mass = 0.0, mx = 0.0, my = 0.0;
  for (int y = 0; y < sh; ++y)
    for (int x = 0; x < sw; ++x) {
      const double v = scaled[static_cast<size_t>(y) * sw + x];
      mass += v, mx += v * (x + 0.5), my += v * (y + 0.5);
    }
  const int dx = static_cast<int>(std::lround(kDrawingSide / 2.0 - mx / mass));
  const int dy = static_cast<int>(std::lround(kDrawingSide / 2.0 - my / mass));
  for (int y = 0; y < sh; ++y)
    for (int x = 0; x < sw; ++x) {
      const int fx = x + dx, fy = y + dy;
      if (fx < 0 || fy < 0 || fx >= kDrawingSide || fy >= kDrawingSide) continue;
      field[static_cast<size_t>(fy) * kDrawingSide + fx] = std::clamp(scaled[static_cast<size_t>(y) * sw + x], 0.0f, 1.0f);
    }
  return field;
}

void drawing_stroke(float* canvas, int width, int height, float x0, float y0, float x1, float y1, float radius) {
  const int lo_x = std::max(0, static_cast<int>(std::floor(std::min(x0, x1) - radius - 1)));
  const int hi_x = std::min(width - 1, static_cast<int>(std::ceil(std::max(x0, x1) + radius + 1)));
  const int lo_y = std::max(0, static_cast<int>(std::floor(std::min(y0, y1) - radius - 1)));
  const int hi_y = std::min(height - 1, static_cast<int>(std::ceil(std::max(y0, y1) + radius + 1)));
  const float dx = x1 - x0, dy = y1 - y0, length2 = dx * dx + dy * dy;
  for (int y = lo_y; y <= hi_y; ++y)
    for (int x = lo_x; x <= hi_x; ++x) {
      const float px = x + 0.5f - x0, py = y + 0.5f - y0;
      // Distance from the pixel's centre to the segment.
      const float t = length2 > 0 ? std::clamp((px * dx + py * dy) / length2, 0.0f, 1.0f) : 0.0f;
      const float ex = px - t * dx, ey = py - t * dy;
      const float d = std::sqrt(ex * ex + ey * ey);
      const float ink = std::clamp((radius + 1.0f - d) / 2.0f, 0.0f, 1.0f);
      float& p = canvas[static_cast<size_t>(y) * width + x];
      p = std::max(p, ink);
    }
}

}  // namespace lp
