#include "nn/adam.h"

#include <catch2/catch.hpp>

using namespace lp;

namespace {

// The update as the trainer applies it: the step's scalars, then the fused
// element-wise pass.
void adam_apply(AdamState& state, float* p, const float* g, float* m, float* v, size_t n, double lr) {
  adam_update(p, g, m, v, n, adam_begin_step(state, lr));
}

}  // namespace

TEST_CASE("adam's first two steps match hand-computed values", "[adam]") {
  // One parameter p = 1.0 with gradient g = 0.5, then g = -0.25.
  float p = 1.0f, g = 0.5f, m = 0.0f, v = 0.0f;
  AdamState state;
  const double lr = 0.1;

  // Step 1: m = 0.05, v = 0.00025; m_hat = 0.5, v_hat = 0.25 -> p -= 0.1 * 0.5 / (0.5 + 1e-8).
  adam_apply(state, &p, &g, &m, &v, 1, lr);
  CHECK(state.step == 1);
  CHECK(m == Approx(0.05f));
  CHECK(v == Approx(0.00025f));
  CHECK(p == Approx(1.0 - 0.1 * 0.5 / (0.5 + 1e-8)).epsilon(1e-6));

  // Step 2: m = 0.9*0.05 - 0.025 = 0.02, v = 0.999*0.00025 + 0.001*0.0625 = 0.00031225.
  g = -0.25f;
  const double before = p;
  adam_apply(state, &p, &g, &m, &v, 1, lr);
  const double m_hat = 0.02 / (1 - 0.81), v_hat = 0.00031225 / (1 - 0.998001);
  CHECK(m == Approx(0.02f));
  CHECK(v == Approx(0.00031225f));
  CHECK(p == Approx(before - lr * m_hat / (std::sqrt(v_hat) + 1e-8)).epsilon(1e-5));
}

TEST_CASE("adam moves every parameter against its gradient", "[adam]") {
  std::vector<float> p = {0, 0, 0}, g = {1, -2, 0}, m(3), v(3);
  AdamState state;
  adam_apply(state, p.data(), g.data(), m.data(), v.data(), 3, 1e-3);
  CHECK(p[0] == Approx(-1e-3));  // first step size is lr regardless of |g|
  CHECK(p[1] == Approx(1e-3));
  CHECK(p[2] == 0.0f);
}

TEST_CASE("adam_init gives zero moments shaped like each layer, in for_each_layer order", "[adam]") {
  Rng rng(1);
  const Autoencoder model = autoencoder_create({6, {4}, 2}, rng);
  const AdamState state = adam_init(model);
  REQUIRE(state.m.size() == 4);
  REQUIRE(state.v.size() == 4);
  for_each_layer(model, [&](LayerRef ref, const Dense& layer) {
    CHECK(state.m[ref.flat].weight.rows() == layer.weight.rows());
    CHECK(state.m[ref.flat].weight.cols() == layer.weight.cols());
    CHECK(state.v[ref.flat].bias.size() == layer.bias.size());
    CHECK(state.m[ref.flat].weight.cwiseAbs().maxCoeff() == 0.0f);
  });
  CHECK(state.m[1].weight.cols() == 4);  // encoder 4 -> 2
  CHECK(state.m[2].weight.cols() == 2);  // decoder 2 -> 4
}
