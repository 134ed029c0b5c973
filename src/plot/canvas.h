// A small RGB raster for the CLI's figures: rectangles, lines, dots, grayscale
// digits, and text in a real TrueType font. Saved as PNG (stb_image_write),
// through write_file_atomic, so a figure is either whole on disk or absent.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lp::plot {

struct Color {
  uint8_t r, g, b;
};
constexpr Color kWhite{255, 255, 255}, kBlack{0, 0, 0}, kGray{120, 120, 120}, kLightGray{225, 225, 225};
// The class palette (palette.h); grey outside 0..9.
Color class_color(int label);

enum class Align { left, center, right };

class Font;

class Canvas {
 public:
  Canvas(int width, int height, Color background = kWhite);
  int width() const { return width_; }
  int height() const { return height_; }
  const std::vector<uint8_t>& rgb() const { return rgb_; }

  void pixel(int x, int y, Color c, float alpha = 1.0f);
  void rect(int x, int y, int w, int h, Color c);
  void rect_outline(int x, int y, int w, int h, Color c, int thickness = 1);
  void line(float x0, float y0, float x1, float y1, Color c, float thickness = 1.0f);
  void disc(float cx, float cy, float radius, Color c, float alpha = 1.0f);
  // A w x h grayscale image (values in [0,1], row-major), each pixel drawn as a
  // scale x scale block with its top-left corner at (x, y).
  void gray_image(int x, int y, const float* values, int w, int h, int scale);
  // Text with its baseline-left (Align::left), baseline-centre or baseline-right at (x, y).
  void text(const Font& font, float x, float y, const std::string& text, float size, Color c,
            Align align = Align::left, float alpha = 1.0f);

 private:
  int width_, height_;
  std::vector<uint8_t> rgb_;
};

// A TrueType font, by default DejaVu Sans from Debian's fonts-dejavu-core.
class Font {
 public:
  static constexpr const char* kDefaultPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  // Throws nothing; returns false with a message when the file is missing or not a font.
  bool load(const std::string& path, std::string* error);
  float text_width(const std::string& text, float size) const;
  // Coverage of each glyph, drawn by Canvas::text.
  void render(Canvas& canvas, float x, float y, const std::string& text, float size, Color c, float alpha) const;
  ~Font();
  Font();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Encodes the canvas as PNG and writes it atomically.
bool png_save(const Canvas& canvas, const std::string& path, std::string* error);
// PNG bytes in memory (for tests).
std::vector<uint8_t> png_encode(const Canvas& canvas);

}  // namespace lp::plot
