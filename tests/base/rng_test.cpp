#include "base/rng.h"

#include <catch2/catch.hpp>

using namespace lp;

TEST_CASE("rng is reproducible and seed-dependent", "[rng]") {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const uint32_t x = a.next_u32();
    CHECK(x == b.next_u32());
    differs = differs || x != c.next_u32();
  }
  CHECK(differs);
}

TEST_CASE("rng state can be saved and restored", "[rng]") {
  Rng a(5);
  a.next_u32();
  Rng b;
  b.restore(a.state(), a.increment());
  for (int i = 0; i < 10; ++i) CHECK(a.next_u32() == b.next_u32());
}

TEST_CASE("rng distributions stay in range with the right moments", "[rng]") {
  Rng rng(1);
  double sum = 0, sum_sq = 0, normal_sum = 0, normal_sq = 0;
  int counts[7] = {};
  const int n = 70000;
  for (int i = 0; i < n; ++i) {
    const float u = rng.uniform();
    REQUIRE(u >= 0.0f);
    REQUIRE(u < 1.0f);
    sum += u;
    sum_sq += u * u;
    const uint32_t k = rng.below(7);
    REQUIRE(k < 7);
    counts[k]++;
    const double z = rng.normal();
    normal_sum += z;
    normal_sq += z * z;
  }
  CHECK(sum / n == Approx(0.5).margin(0.01));
  CHECK(sum_sq / n - (sum / n) * (sum / n) == Approx(1.0 / 12).margin(0.005));
  for (int c : counts) CHECK(c == Approx(n / 7).epsilon(0.05));
  CHECK(normal_sum / n == Approx(0.0).margin(0.02));
  CHECK(normal_sq / n == Approx(1.0).margin(0.03));
}
