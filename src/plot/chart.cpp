#include "plot/chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lp::plot {

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return {lo};
  const double raw = (hi - lo) / std::max(1, target);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * magnitude >= raw) {
      step = m * magnitude;
      break;
    }
  std::vector<double> ticks;
  for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step)
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
  return ticks;
}

std::string tick_label(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", value);
  return buf;
}

Axes axes_draw(Canvas& canvas, const Font& font, int left, int top, int width, int height, double x0, double x1,
               double y0, double y1, const AxesStyle& style) {
  Axes axes{left, top, width, height, x0, x1, y0, y1};
  const float size = 14;
  for (double t : nice_ticks(x0, x1)) {
    const float x = axes.px(t);
    if (style.grid) canvas.line(x, top, x, top + height, kLightGray);
    canvas.line(x, top + height, x, top + height + 5, kBlack);
    canvas.text(font, x, top + height + 8 + size, tick_label(t), size, kBlack, Align::center);
  }
  for (double t : nice_ticks(y0, y1)) {
    const float y = axes.py(t);
    if (style.grid) canvas.line(left, y, left + width, y, kLightGray);
    canvas.line(left - 5, y, left, y, kBlack);
    canvas.text(font, left - 8, y + size * 0.35f, tick_label(t), size, kBlack, Align::right);
  }
  canvas.rect_outline(left, top, width, height, kBlack);
  if (!style.xlabel.empty())
    canvas.text(font, left + width / 2.0f, top + height + 18 + 2 * size, style.xlabel, size + 1, kBlack, Align::center);
  if (!style.ylabel.empty()) canvas.text(font, left, top - 8, style.ylabel, size + 1, kBlack, Align::left);
  if (!style.title.empty())
    canvas.text(font, left + width / 2.0f, top - 12 - (style.ylabel.empty() ? 0 : size + 6), style.title, size + 5,
                kBlack, Align::center);
  return axes;
}

void legend_draw(Canvas& canvas, const Font& font, int x, int y,
                 const std::vector<std::pair<std::string, Color>>& entries, float size) {
  float widest = 0;
  for (const auto& [label, color] : entries) widest = std::max(widest, font.text_width(label, size));
  const int row = static_cast<int>(size * 1.5f), pad = 8, swatch = static_cast<int>(size);
  const int w = pad * 3 + swatch + static_cast<int>(std::ceil(widest)), h = pad * 2 + row * static_cast<int>(entries.size());
  canvas.rect(x, y, w, h, kWhite);
  canvas.rect_outline(x, y, w, h, kGray);
  for (size_t i = 0; i < entries.size(); ++i) {
    const int ry = y + pad + static_cast<int>(i) * row;
    canvas.rect(x + pad, ry + (row - swatch) / 2, swatch, swatch, entries[i].second);
    canvas.text(font, x + 2 * pad + swatch, ry + row / 2.0f + size * 0.35f, entries[i].first, size, kBlack);
  }
}

}  // namespace lp::plot
