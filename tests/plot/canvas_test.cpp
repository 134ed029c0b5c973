#include "plot/canvas.h"

#include <catch2/catch.hpp>

#include "plot/chart.h"

using namespace lp::plot;

namespace {
uint32_t be32(const std::vector<uint8_t>& b, size_t at) {
  return (uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) | (uint32_t{b[at + 2]} << 8) | b[at + 3];
}
}  // namespace

TEST_CASE("canvases encode to PNGs of their size", "[plot]") {
  Canvas canvas(37, 21);
  canvas.rect(2, 2, 5, 5, kBlack);
  const std::vector<uint8_t> png = png_encode(canvas);
  REQUIRE(png.size() > 33);
  CHECK(std::equal(png.begin(), png.begin() + 8, std::vector<uint8_t>{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}.begin()));
  CHECK(be32(png, 16) == 37);  // IHDR width
  CHECK(be32(png, 20) == 21);  // IHDR height
}

TEST_CASE("drawing primitives touch the right pixels", "[plot]") {
  Canvas canvas(20, 20);
  canvas.rect(5, 5, 2, 3, Color{10, 20, 30});
  const auto at = [&](int x, int y) { return &canvas.rgb()[(y * 20 + x) * 3]; };
  CHECK(at(5, 5)[0] == 10);
  CHECK(at(6, 7)[2] == 30);
  CHECK(at(7, 5)[0] == 255);
  const float digit[4] = {0.0f, 1.0f, 0.5f, 0.0f};
  canvas.gray_image(10, 10, digit, 2, 2, 3);  // 2x2 image as 6x6 pixels
  CHECK(at(10, 10)[0] == 0);
  CHECK(at(13, 10)[0] == 255);
  CHECK(at(11, 14)[0] == 128);
}

TEST_CASE("text renders in the font and measures consistently", "[plot]") {
  Font font;
  std::string error;
  REQUIRE(font.load(Font::kDefaultPath, &error));
  CHECK(font.text_width("0.5", 14) > 10);
  CHECK(font.text_width("0.55", 14) > font.text_width("0.5", 14));
  Canvas canvas(80, 30);
  canvas.text(font, 5, 20, "LatentPad", 14, kBlack);
  int dark = 0;
  for (size_t i = 0; i < canvas.rgb().size(); i += 3) dark += canvas.rgb()[i] < 128;
  CHECK(dark > 40);
  Font missing;
  CHECK_FALSE(missing.load("/nonexistent.ttf", &error));
  CHECK_THAT(error, Catch::Contains("fonts-dejavu-core"));
}

TEST_CASE("ticks are round numbers covering the range", "[plot]") {
  CHECK(nice_ticks(-1, 1) == std::vector<double>{-1, -0.5, 0, 0.5, 1});
  const std::vector<double> t = nice_ticks(0.0337, 0.0561);
  REQUIRE(t.size() >= 3);
  CHECK(t.front() >= 0.0337);
  CHECK(t.back() <= 0.0561);
  CHECK(tick_label(0.05) == "0.05");
  CHECK(tick_label(-100) == "-100");
}
