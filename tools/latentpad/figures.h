// Figure helpers shared by the analysis commands: the font, PNG output with
// the CLI's error handling, and titled grids of 28x28 digits.
#pragma once
#include <string>
#include <vector>

#include "plot/canvas.h"
#include "plot/chart.h"
#include "cli_common.h"

namespace lp::cli {

const plot::Font& figure_font();  // DejaVu Sans, loaded once; throws Error if missing
void figure_save(const plot::Canvas& canvas, const std::string& path);  // atomic; throws Error

struct DigitCell {
  const float* pixels;  // side x side values in [0, 1]
  std::string title;    // drawn above the digit; may be empty
};

// Rows of digits under a heading, `columns` per row, each digit scaled `scale`
// times. Returns the height used; draws at y (pass a null canvas to measure).
int digit_rows_draw(plot::Canvas* canvas, int y, const std::string& heading, const std::vector<DigitCell>& cells,
                    int columns, int side, int scale);

// The width digit_rows_draw needs for `columns` digits.
int digit_rows_width(int columns, int side, int scale);

struct DigitSection {
  std::string heading;
  std::vector<DigitCell> cells;
};
// Sections stacked top to bottom, `columns` digits a row, saved as a PNG at
// least min_width wide; prints "wrote PATH (WxH)".
void digit_figure_save(const std::string& path, const std::vector<DigitSection>& sections, int columns, int side,
                       int scale, int min_width = 0);

}  // namespace lp::cli
