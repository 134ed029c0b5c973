#include "eval/interpolation.h"

#include <catch2/catch.hpp>

using namespace lp;

TEST_CASE("a path of codes is evenly spaced and ends exactly at its endpoints", "[interpolation]") {
  const std::vector<float> from = {-1.0f, 0.5f}, to = {0.3f, -0.7f};
  const std::vector<float> path = interpolate_codes(from, to, 5);
  REQUIRE(path.size() == 10);
  CHECK(path[0] == -1.0f);
  CHECK(path[1] == 0.5f);
  CHECK(path[8] == 0.3f);   // bit for bit, not 0.3 +- rounding
  CHECK(path[9] == -0.7f);
  CHECK(path[4] == Approx(-0.35f));  // the middle
  CHECK(path[5] == Approx(-0.1f));
  CHECK(path[2] - path[0] == Approx(path[6] - path[4]));  // even steps
}

TEST_CASE("a pixel blend weighs the endpoints linearly", "[interpolation]") {
  const float a[3] = {0.0f, 1.0f, 0.5f}, b[3] = {1.0f, 1.0f, 0.0f};
  const std::vector<float> strip = blend_images(a, b, 3, 3);
  REQUIRE(strip.size() == 9);
  CHECK(strip[0] == 0.0f);
  CHECK(strip[2] == 0.5f);
  CHECK(strip[3] == Approx(0.5f));   // halfway: (0 + 1) / 2
  CHECK(strip[5] == Approx(0.25f));  // (0.5 + 0) / 2
  CHECK(strip[6] == 1.0f);
  CHECK(strip[8] == 0.0f);
}
