// Axes, ticks, legends and image grids on a Canvas: the building blocks of
// the CLI's figures (scatter, curves, histograms, digit grids).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "plot/canvas.h"

namespace lp::plot {

// "Nice" tick positions (1, 2 or 5 times a power of ten) covering [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int target = 6);
// Shortest readable label for a tick value ("0.5", "-100", "1e-05").
std::string tick_label(double value);

// A plot area mapping data coordinates to canvas pixels (y grows upwards).
struct Axes {
  int left = 0, top = 0, width = 1, height = 1;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  float px(double x) const { return static_cast<float>(left + (x - x0) / (x1 - x0) * width); }
  float py(double y) const { return static_cast<float>(top + height - (y - y0) / (y1 - y0) * height); }
};

struct AxesStyle {
  std::string title, xlabel, ylabel;
  bool grid = true;
};

// Draws the frame, grid, ticks with labels, axis labels and title around the
// given plot area, and returns the mapping.
Axes axes_draw(Canvas& canvas, const Font& font, int left, int top, int width, int height, double x0, double x1,
               double y0, double y1, const AxesStyle& style);

// A boxed legend whose top-left corner is (x, y): a swatch and a label per entry.
void legend_draw(Canvas& canvas, const Font& font, int x, int y,
                 const std::vector<std::pair<std::string, Color>>& entries, float size = 14);

}  // namespace lp::plot
