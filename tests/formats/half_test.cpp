#include "formats/half.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

using namespace lp;

TEST_CASE("half conversion is exact on representable values", "[half]") {
  for (float v : {0.0f, 1.0f, -2.0f, 0.5f, 65504.0f, -0.000061035156f /* min normal */, 5.9604645e-08f /* min subnormal */,
                  0.333251953125f, 1023.5f})
    CHECK(half_to_float(float_to_half(v)) == v);
  CHECK(float_to_half(1.0f) == 0x3C00);
  CHECK(float_to_half(-2.0f) == 0xC000);
  CHECK(float_to_half(65504.0f) == 0x7BFF);
  CHECK(float_to_half(5.9604645e-08f) == 0x0001);
}

TEST_CASE("half conversion rounds to nearest even and saturates to infinity", "[half]") {
  // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties go to the even mantissa (1).
  CHECK(float_to_half(1.0f + std::ldexp(1.0f, -11)) == 0x3C00);
  CHECK(float_to_half(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3C02);
  CHECK(float_to_half(70000.0f) == 0x7C00);
  CHECK(std::isinf(half_to_float(float_to_half(std::numeric_limits<float>::infinity()))));
  CHECK(std::isnan(half_to_float(float_to_half(std::numeric_limits<float>::quiet_NaN()))));
  CHECK(float_to_half(1e-9f) == 0);
  // Relative error of a normal value is at most 2^-11.
  for (float v = 1e-4f; v < 6e4f; v *= 1.37f) CHECK(std::fabs(half_to_float(float_to_half(v)) - v) <= v * 4.9e-4f);
}

TEST_CASE("every half value survives a trip through float", "[half]") {
  for (uint32_t h = 0; h < 0x10000u; ++h) {
    const float f = half_to_float(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    REQUIRE(float_to_half(f) == h);
  }
}
