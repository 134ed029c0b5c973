#include "figures.h"

#include <algorithm>
#include <cstdio>
#include <memory>

namespace lp::cli {
namespace {
constexpr int kMargin = 16, kGap = 6, kTitle = 14, kHeading = 20;
}

const plot::Font& figure_font() {
  static std::unique_ptr<plot::Font> font;
  if (!font) {
    auto loaded = std::make_unique<plot::Font>();
    std::string error;
    if (!loaded->load(plot::Font::kDefaultPath, &error)) throw Error(error);
    font = std::move(loaded);
  }
  return *font;
}

void figure_save(const plot::Canvas& canvas, const std::string& path) {
  std::string error;
  if (!plot::png_save(canvas, path, &error)) throw Error(error);
}

int digit_rows_width(int columns, int side, int scale) { return 2 * kMargin + columns * (side * scale + kGap) - kGap; }

int digit_rows_draw(plot::Canvas* canvas, int y, const std::string& heading, const std::vector<DigitCell>& cells,
                    int columns, int side, int scale) {
  bool titled = false;
  for (const DigitCell& cell : cells) titled = titled || !cell.title.empty();
  const int cell_w = side * scale, cell_h = side * scale + (titled ? kTitle + 4 : 0);
  const int rows = (static_cast<int>(cells.size()) + columns - 1) / columns;
  const int top = y + (heading.empty() ? kMargin / 2 : kHeading + kMargin);
  if (canvas) {
    const plot::Font& font = figure_font();
    if (!heading.empty()) canvas->text(font, kMargin, y + kHeading, heading, kHeading - 2, plot::kBlack);
    for (size_t i = 0; i < cells.size(); ++i) {
      const int x = kMargin + static_cast<int>(i % columns) * (cell_w + kGap);
      const int cy = top + static_cast<int>(i / columns) * (cell_h + kGap);
      if (titled)
        canvas->text(font, x + cell_w / 2.0f, cy + kTitle - 2, cells[i].title, kTitle - 2, plot::kBlack,
                     plot::Align::center);
      canvas->gray_image(x, cy + (titled ? kTitle + 4 : 0), cells[i].pixels, side, side, scale);
    }
  }
  return top - y + rows * (cell_h + kGap);
}

void digit_figure_save(const std::string& path, const std::vector<DigitSection>& sections, int columns, int side,
                       int scale, int min_width) {
  int height = 12;  // bottom margin
  for (const DigitSection& section : sections)
    height += digit_rows_draw(nullptr, 0, section.heading, section.cells, columns, side, scale);
  plot::Canvas canvas(std::max(min_width, digit_rows_width(columns, side, scale)), height);
  int y = 0;
  for (const DigitSection& section : sections)
    y += digit_rows_draw(&canvas, y, section.heading, section.cells, columns, side, scale);
  figure_save(canvas, path);
  std::printf("wrote %s (%dx%d)\n", path.c_str(), canvas.width(), canvas.height());
}

}  // namespace lp::cli
