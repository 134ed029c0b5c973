#include "adam.h"

#include <catch2/catch.hpp>

using namespace lp;

TEST_CASE("adam's first two steps match hand-computed values", "[adam]") {
  // One parameter p = 1.0 with gradient g = 0.5, then g = -0.25.
  float p = 1.0f, g = 0.5f;
  std::vector<ParamSlot> slots = {{&p, &g, 1}};
  AdamState state = adam_init(slots);
  const double lr = 0.1;

  // Step 1: m = 0.05, v = 0.00025; m_hat = 0.5, v_hat = 0.25 -> p -= 0.1 * 0.5 / (0.5 + 1e-8).
  adam_step(state, slots, lr);
  CHECK(state.step == 1);
  CHECK(state.m[0](0) == Approx(0.05f));
  CHECK(state.v[0](0) == Approx(0.00025f));
  CHECK(p == Approx(1.0 - 0.1 * 0.5 / (0.5 + 1e-8)).epsilon(1e-6));

  // Step 2: m = 0.9*0.05 - 0.025 = 0.02, v = 0.999*0.00025 + 0.001*0.0625 = 0.00031225.
  g = -0.25f;
  const double before = p;
  adam_step(state, slots, lr);
  const double m_hat = 0.02 / (1 - 0.81), v_hat = 0.00031225 / (1 - 0.998001);
  CHECK(state.m[0](0) == Approx(0.02f));
  CHECK(state.v[0](0) == Approx(0.00031225f));
  CHECK(p == Approx(before - lr * m_hat / (std::sqrt(v_hat) + 1e-8)).epsilon(1e-5));
}

TEST_CASE("adam moves every parameter against its gradient", "[adam]") {
  std::vector<float> p = {0, 0, 0}, g = {1, -2, 0};
  std::vector<ParamSlot> slots = {{p.data(), g.data(), 3}};
  AdamState state = adam_init(slots);
  adam_step(state, slots, 1e-3);
  CHECK(p[0] == Approx(-1e-3));  // first step size is lr regardless of |g|
  CHECK(p[1] == Approx(1e-3));
  CHECK(p[2] == 0.0f);
}
