#include "nn/lr_schedule.h"

#include <catch2/catch.hpp>

using namespace lp;

TEST_CASE("multi-step schedule halves the rate at each milestone", "[lr_schedule]") {
  const MultiStepLr tutorial{1e-3, {10, 40}, 0.5};
  CHECK(tutorial.rate(0) == Approx(1e-3));
  CHECK(tutorial.rate(9) == Approx(1e-3));
  CHECK(tutorial.rate(10) == Approx(5e-4));
  CHECK(tutorial.rate(19) == Approx(5e-4));
  CHECK(tutorial.rate(40) == Approx(2.5e-4));
  const MultiStepLr none{0.1, {}, 0.5};
  CHECK(none.rate(100) == Approx(0.1));
  const MultiStepLr repeated{1.0, {2, 2}, 0.1};
  CHECK(repeated.rate(2) == Approx(0.01));
}
