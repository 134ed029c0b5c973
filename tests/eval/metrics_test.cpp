#include "eval/metrics.h"

#include <catch2/catch.hpp>
#include <cmath>

using namespace lp;

TEST_CASE("auroc on hand-computed cases", "[metrics]") {
  CHECK(auroc({0.1f, 0.2f}, {0.3f, 0.4f}) == 1.0);   // perfect separation
  CHECK(auroc({0.3f, 0.4f}, {0.1f, 0.2f}) == 0.0);   // perfectly wrong
  CHECK(auroc({0.5f, 0.5f}, {0.5f}) == 0.5);         // all tied
  // Positives {2, 4}, negatives {1, 3, 5}: pairs won 1 + 2 = 3 of 6.
  CHECK(auroc({1, 3, 5}, {2, 4}) == Approx(0.5));
  // Positives {3, 6}, negatives {1, 3, 4}: 3 vs 3 ties (1/2), 3 beats 1, 6 beats all -> 4.5 / 6.
  CHECK(auroc({1, 3, 4}, {3, 6}) == Approx(0.75));
}

TEST_CASE("psnr matches the definition", "[metrics]") {
  const float a[4] = {0.0f, 0.5f, 1.0f, 0.25f};
  const float b[4] = {0.1f, 0.4f, 0.9f, 0.35f};  // every error 0.1: MSE 0.01 -> 20 dB
  CHECK(psnr(a, b, 4) == Approx(20.0).epsilon(1e-6));
  CHECK(std::isinf(psnr(a, a, 4)));
  const float c[4] = {1.0f, 0.5f, 1.0f, 0.25f};  // one error of 1: MSE 0.25 -> 6.02 dB
  CHECK(psnr(a, c, 4) == Approx(10.0 * std::log10(4.0)));
  CHECK(accuracy({1, 2, 3, 4}, {1, 2, 0, 4}) == 0.75);
}
