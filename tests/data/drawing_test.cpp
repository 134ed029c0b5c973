// MNIST-style preprocessing of drawings, against cases worked out by hand.
#include "data/drawing.h"

#include <catch2/catch.hpp>

using namespace lp;

namespace {

constexpr int kSide = kDrawingSide;

// The field's pixels above zero, as "row,col" strings of its bounding box and total.
struct Ink {
  int top = kSide, left = kSide, bottom = -1, right = -1;
  double total = 0;
};
Ink ink_of(const std::vector<float>& field) {
  Ink ink;
  for (int y = 0; y < kSide; ++y)
    for (int x = 0; x < kSide; ++x)
      if (field[y * kSide + x] > 0) {
        ink.top = std::min(ink.top, y), ink.bottom = std::max(ink.bottom, y);
        ink.left = std::min(ink.left, x), ink.right = std::max(ink.right, x);
        ink.total += field[y * kSide + x];
      }
  return ink;
}

}  // namespace

TEST_CASE("an empty canvas gives an empty field", "[drawing]") {
  const std::vector<float> canvas(50 * 40, 0.0f);
  const std::vector<float> field = drawing_to_mnist(canvas.data(), 50, 40);
  REQUIRE(field.size() == kSide * kSide);
  CHECK(ink_of(field).total == 0);
}

TEST_CASE("one pixel of ink becomes a 20x20 square centred in the field", "[drawing]") {
  std::vector<float> canvas(10 * 10, 0.0f);
  canvas[7 * 10 + 2] = 1.0f;  // wherever it is drawn
  const Ink ink = ink_of(drawing_to_mnist(canvas.data(), 10, 10));
  // Scaled 20x; centre of mass 10 -> shifted by 14 - 10 = 4.
  CHECK(ink.top == 4);
  CHECK(ink.left == 4);
  CHECK(ink.bottom == 23);
  CHECK(ink.right == 23);
  CHECK(ink.total == Approx(400));
}

TEST_CASE("the aspect ratio is kept: a 2x4 bar becomes 10x20", "[drawing]") {
  std::vector<float> canvas(30 * 30, 0.0f);
  for (int y = 5; y < 9; ++y)
    for (int x = 20; x < 22; ++x) canvas[y * 30 + x] = 1.0f;
  const Ink ink = ink_of(drawing_to_mnist(canvas.data(), 30, 30));
  // 10 wide, 20 tall; centre of mass (5, 10) -> columns 9..18, rows 4..23.
  CHECK(ink.left == 9);
  CHECK(ink.right == 18);
  CHECK(ink.top == 4);
  CHECK(ink.bottom == 23);
  CHECK(ink.total == Approx(200));
}

TEST_CASE("the centre of mass, not the box, is centred, each axis on its own", "[drawing]") {
  // Three of four pixels of a 2x2 box, the top-right one missing:
  //   X .
  //   X X
  // The shape is not symmetric about the diagonal, so its centre of mass has
  // different x and y and a mix-up of the two axes moves the ink elsewhere.
  // Each pixel becomes a 10x10 block of the 20x20 box, with centres at 5 and 15:
  //   x = (5 + 5 + 15) / 3 = 25/3 = 8.33 -> column shift round(14 - 8.33) = round(5.67) = 6
  //   y = (5 + 15 + 15) / 3 = 35/3 = 11.67 -> row shift round(14 - 11.67) = round(2.33) = 2
  // so the box lands on columns 6..25 and rows 2..21 (x and y swapped, it
  // would land on columns 2..21 and rows 6..25).
  std::vector<float> canvas(4 * 4, 0.0f);
  canvas[0 * 4 + 0] = canvas[1 * 4 + 0] = canvas[1 * 4 + 1] = 1.0f;
  const std::vector<float> field = drawing_to_mnist(canvas.data(), 4, 4);
  const Ink ink = ink_of(field);
  CHECK(ink.top == 2);
  CHECK(ink.left == 6);
  CHECK(ink.bottom == 21);
  CHECK(ink.right == 25);
  CHECK(field[2 * kSide + 6] == 1.0f);     // the top-left block's top-left pixel
  CHECK(field[11 * kSide + 15] == 1.0f);   // the top-left block's bottom-right pixel
  CHECK(field[2 * kSide + 16] == 0.0f);    // the missing top-right block, its corners
  CHECK(field[11 * kSide + 25] == 0.0f);
  CHECK(field[21 * kSide + 6] == 1.0f);    // the bottom-left block
  CHECK(field[21 * kSide + 25] == 1.0f);   // the bottom-right block
  CHECK(ink.total == Approx(300));
}

TEST_CASE("scaling down averages the pixels each output pixel covers", "[drawing]") {
  // Two vertical lines 40 apart: the 40x40 box halves to 20x20, each line
  // becomes a column of 0.5 (one ink pixel and one blank per output pixel).
  std::vector<float> canvas(60 * 50, 0.0f);
  for (int y = 3; y < 43; ++y) canvas[y * 60 + 10] = canvas[y * 60 + 49] = 1.0f;
  const std::vector<float> field = drawing_to_mnist(canvas.data(), 60, 50);
  const Ink ink = ink_of(field);
  // Centre of mass x = (0.5 + 19.5) / 2 = 10 -> shift 4: columns 4 and 23.
  CHECK(ink.left == 4);
  CHECK(ink.right == 23);
  CHECK(ink.top == 4);
  CHECK(ink.bottom == 23);
  CHECK(field[10 * kSide + 4] == Approx(0.5f));
  CHECK(field[10 * kSide + 23] == Approx(0.5f));
  CHECK(field[10 * kSide + 12] == 0.0f);
  CHECK(ink.total == Approx(20.0));
}

TEST_CASE("the pen draws a soft round stroke", "[drawing]") {
  std::vector<float> canvas(40 * 40, 0.0f);
  drawing_stroke(canvas.data(), 40, 40, 10, 20, 30, 20, 4.0f);
  // Distances from the line y = 20 to pixel centres (x + 0.5, y + 0.5):
  // ink 1 up to radius - 1 = 3, then falling to 0 at radius + 1 = 5.
  CHECK(canvas[20 * 40 + 20] == 1.0f);            // 0.5 px
  CHECK(canvas[22 * 40 + 20] == 1.0f);            // 2.5 px
  CHECK(canvas[23 * 40 + 20] == Approx(0.75f));   // 3.5 px
  CHECK(canvas[24 * 40 + 20] == Approx(0.25f));   // 4.5 px
  CHECK(canvas[25 * 40 + 20] == 0.0f);            // 5.5 px
  CHECK(canvas[20 * 40 + 7] == 1.0f);             // the round end cap, 2.55 px from (10, 20)
  CHECK(canvas[20 * 40 + 4] == 0.0f);             // 5.52 px from it
  // A second stroke keeps the darker ink where they cross.
  drawing_stroke(canvas.data(), 40, 40, 20, 0, 20, 40, 2.0f);
  CHECK(canvas[23 * 40 + 20] == 1.0f);
}
