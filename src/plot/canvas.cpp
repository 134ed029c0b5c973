#include "plot/canvas.h"

#include <algorithm>
#include <cmath>

#define STB_TRUETYPE_IMPLEMENTATION
#include <stb/stb_truetype.h>
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

#include "io/file_io.h"
#include "base/palette.h"

namespace lp::plot {

Color class_color(int label) {
  if (label < 0 || label > 9) return kGray;
  return {kClassRgb[label][0], kClassRgb[label][1], kClassRgb[label][2]};
}

Canvas::Canvas(int width, int height, Color background)
    : width_(std::max(1, width)), height_(std::max(1, height)), rgb_(static_cast<size_t>(width_) * height_ * 3) {
  for (size_t i = 0; i < rgb_.size(); i += 3) {
    rgb_[i] = background.r;
    rgb_[i + 1] = background.g;
    rgb_[i + 2] = background.b;
  }
}

void Canvas::pixel(int x, int y, Color c, float alpha) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_ || alpha <= 0.0f) return;
  uint8_t* p = &rgb_[(static_cast<size_t>(y) * width_ + x) * 3];
  const float a = std::min(alpha, 1.0f);
  p[0] = static_cast<uint8_t>(std::lround(p[0] + (c.r - p[0]) * a));
  p[1] = static_cast<uint8_t>(std::lround(p[1] + (c.g - p[1]) * a));
  p[2] = static_cast<uint8_t>(std::lround(p[2] + (c.b - p[2]) * a));
}

void Canvas::rect(int x, int y, int w, int h, Color c) {
  for (int yy = std::max(0, y); yy < std::min(height_, y + h); ++yy)
    for (int xx = std::max(0, x); xx < std::min(width_, x + w); ++xx) pixel(xx, yy, c);
}

void Canvas::rect_outline(int x, int y, int w, int h, Color c, int t) {
  rect(x, y, w, t, c);
  rect(x, y + h - t, w, t, c);
  rect(x, y, t, h, c);
  rect(x + w - t, y, t, h, c);
}

void Canvas::line(float x0, float y0, float x1, float y1, Color c, float thickness) {
  // Dots along the segment: simple, antialiased enough for plot lines.
  const float length = std::hypot(x1 - x0, y1 - y0);
  const int steps = std::max(1, static_cast<int>(std::ceil(length * 2)));
  for (int i = 0; i <= steps; ++i) {
    const float t = static_cast<float>(i) / steps;
    disc(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, thickness * 0.5f, c);
  }
}

void Canvas::disc(float cx, float cy, float radius, Color c, float alpha) {
  const int x0 = static_cast<int>(std::floor(cx - radius - 1)), x1 = static_cast<int>(std::ceil(cx + radius + 1));
  const int y0 = static_cast<int>(std::floor(cy - radius - 1)), y1 = static_cast<int>(std::ceil(cy + radius + 1));
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x) {
      // Coverage from the distance of the pixel centre to the edge.
      const float d = std::hypot(x + 0.5f - cx, y + 0.5f - cy);
      const float cover = std::clamp(radius + 0.5f - d, 0.0f, 1.0f);
      if (cover > 0.0f) pixel(x, y, c, cover * alpha);
    }
}

void Canvas::gray_image(int x, int y, const float* values, int w, int h, int scale) {
  for (int r = 0; r < h; ++r)
    for (int col = 0; col < w; ++col) {
      const auto v = static_cast<uint8_t>(std::lround(std::clamp(values[r * w + col], 0.0f, 1.0f) * 255.0f));
      rect(x + col * scale, y + r * scale, scale, scale, Color{v, v, v});
    }
}

void Canvas::text(const Font& font, float x, float y, const std::string& text, float size, Color c, Align align,
                  float alpha) {
  const float width = font.text_width(text, size);
  const float left = align == Align::left ? x : align == Align::center ? x - width / 2 : x - width;
  font.render(*this, left, y, text, size, c, alpha);
}

struct Font::Impl {
  std::vector<uint8_t> data;
  stbtt_fontinfo info;
};

Font::Font() : impl_(std::make_unique<Impl>()) {}
Font::~Font() = default;

bool Font::load(const std::string& path, std::string* error) {
  if (!read_file(path, &impl_->data, error, 64u << 20)) {
    *error += " (install Debian's fonts-dejavu-core)";
    return false;
  }
  const int offset = stbtt_GetFontOffsetForIndex(impl_->data.data(), 0);
  if (offset < 0 || !stbtt_InitFont(&impl_->info, impl_->data.data(), offset)) {
    *error = path + ": not a TrueType font";
    return false;
  }
  return true;
}

float Font::text_width(const std::string& text, float size) const {
  const float scale = stbtt_ScaleForPixelHeight(&impl_->info, size);
  float width = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    int advance, bearing;
    stbtt_GetCodepointHMetrics(&impl_->info, static_cast<unsigned char>(text[i]), &advance, &bearing);
    width += advance * scale;
    if (i + 1 < text.size())
      width += scale * stbtt_GetCodepointKernAdvance(&impl_->info, static_cast<unsigned char>(text[i]),
                                                     static_cast<unsigned char>(text[i + 1]));
  }
  return width;
}

void Font::render(Canvas& canvas, float x, float y, const std::string& text, float size, Color c, float alpha) const {
  // ASCII only: every label here is numbers and English words.
  const float scale = stbtt_ScaleForPixelHeight(&impl_->info, size);
  float pen = x;
  for (size_t i = 0; i < text.size(); ++i) {
    const int ch = static_cast<unsigned char>(text[i]);
    int w, h, xoff, yoff;
    unsigned char* bitmap = stbtt_GetCodepointBitmapSubpixel(&impl_->info, scale, scale, pen - std::floor(pen), 0, ch,
                                                             &w, &h, &xoff, &yoff);
    for (int r = 0; r < h; ++r)
      for (int col = 0; col < w; ++col)
        canvas.pixel(static_cast<int>(std::floor(pen)) + xoff + col, static_cast<int>(std::lround(y)) + yoff + r, c,
                     alpha * bitmap[r * w + col] / 255.0f);
    stbtt_FreeBitmap(bitmap, nullptr);
    int advance, bearing;
    stbtt_GetCodepointHMetrics(&impl_->info, ch, &advance, &bearing);
    pen += advance * scale;
    if (i + 1 < text.size())
      pen += scale * stbtt_GetCodepointKernAdvance(&impl_->info, ch, static_cast<unsigned char>(text[i + 1]));
  }
}

std::vector<uint8_t> png_encode(const Canvas& canvas) {
  std::vector<uint8_t> out;
  stbi_write_png_to_func(
      [](void* context, void* data, int size) {
        auto* bytes = static_cast<std::vector<uint8_t>*>(context);
        bytes->insert(bytes->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
      },
      &out, canvas.width(), canvas.height(), 3, canvas.rgb().data(), canvas.width() * 3);
  return out;
}

bool png_save(const Canvas& canvas, const std::string& path, std::string* error) {
  const std::vector<uint8_t> bytes = png_encode(canvas);
  if (bytes.empty()) {
    *error = path + ": PNG encoding failed";
    return false;
  }
  return write_file_atomic(path, bytes, error);
}

}  // namespace lp::plot
