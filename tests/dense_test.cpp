#include "dense.h"

#include <catch2/catch.hpp>

#include "gradcheck.h"

using namespace lp;

TEST_CASE("dense layers initialise like nn.Linear", "[dense]") {
  Rng rng(7);
  const Dense layer = dense_create(100, 30, Activation::tanh, rng);
  REQUIRE(layer.weight.rows() == 30);
  REQUIRE(layer.weight.cols() == 100);
  const float bound = 1.0f / std::sqrt(100.0f);
  CHECK(layer.weight.cwiseAbs().maxCoeff() <= bound);
  CHECK(layer.bias.cwiseAbs().maxCoeff() <= bound);
  // Uniform on [-b, b]: the mean is near 0 and the spread fills the interval.
  CHECK(std::fabs(layer.weight.mean()) < 0.01f);
  CHECK(layer.weight.maxCoeff() > 0.9f * bound);
  CHECK(layer.weight.minCoeff() < -0.9f * bound);
}

TEST_CASE("dense forward computes f(Wx + b)", "[dense]") {
  Dense layer;
  layer.weight.resize(2, 3);
  layer.weight << 1, 2, 3, -1, 0, 1;
  layer.bias.resize(2);
  layer.bias << 0.5f, -0.5f;
  layer.act = Activation::relu;
  Eigen::MatrixXf x(3, 2);
  x << 1, 0, 1, 1, 1, -2;  // columns (1,1,1) and (0,1,-2)
  Eigen::MatrixXf a;
  dense_forward(layer, x, a);
  CHECK(a(0, 0) == 6.5f);   // 1+2+3+0.5
  CHECK(a(1, 0) == 0.0f);   // -1+0+1-0.5 < 0
  CHECK(a(0, 1) == 0.0f);   // 0+2-6+0.5 < 0
  CHECK(a(1, 1) == 0.0f);   // 0+0-2-0.5 < 0
}

TEST_CASE("dense backward matches finite differences for every activation", "[dense][gradcheck]") {
  for (uint32_t code = 0; code <= 3; ++code) {
    const auto act = static_cast<Activation>(code);
    DYNAMIC_SECTION(activation_name(act)) {
      // Finite differences are meaningless across relu's kink: draw layers and
      // inputs (deterministically) until every pre-activation is clear of it.
      Dense layer;
      Eigen::MatrixXf x;
      for (uint64_t seed = 11 + code;; ++seed) {
        Rng rng(seed);
        layer = dense_create(5, 4, act, rng);
        x = test::random_matrix(5, 3, seed);
        const Eigen::MatrixXf z = (layer.weight * x).colwise() + layer.bias;
        if (act != Activation::relu || z.cwiseAbs().minCoeff() > 1e-2f) break;
      }
      const Eigen::MatrixXf probe = test::random_matrix(4, 3, 102);  // loss = <probe, a>
      auto loss = [&] {
        Eigen::MatrixXf a;
        dense_forward(layer, x, a);
        return static_cast<double>((a.array() * probe.array()).sum());
      };
      Eigen::MatrixXf a, dx;
      dense_forward(layer, x, a);
      Eigen::MatrixXf da = probe;
      DenseGrad grad = dense_grad_zeros(layer);
      dense_backward(layer, x, a, da, grad, &dx);
      test::gradcheck(layer.weight.data(), grad.weight.data(), 20, loss, 1, 1e-3f);
      test::gradcheck(layer.bias.data(), grad.bias.data(), 4, loss, 1, 1e-3f);
      test::gradcheck(x.data(), dx.data(), 15, loss, 1, 1e-3f);
    }
  }
}
