#include "nn/dense.h"

#include "nn/mlp.h"

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

TEST_CASE("dense gradients match finite differences for every activation", "[dense][gradcheck]") {
  for (uint32_t code = 0; code <= 3; ++code) {
    const auto act = static_cast<Activation>(code);
    DYNAMIC_SECTION(activation_name(act)) {
      // Finite differences are meaningless across relu's kink: draw layers and
      // inputs (deterministically) until every pre-activation is clear of it.
      Mlp net;
      Eigen::MatrixXf x;
      for (uint64_t seed = 11 + code;; ++seed) {
        Rng rng(seed);
        net.layers = {dense_create(5, 4, act, rng)};
        x = test::random_matrix(5, 3, seed);
        const Eigen::MatrixXf z = (net.layers[0].weight * x).colwise() + net.layers[0].bias;
        if (act != Activation::relu || z.cwiseAbs().minCoeff() > 1e-2f) break;
      }
      // loss = <probe, a>: the layer's backward pass as the trainer runs it
      // (activation gradient, then dense_param_grad and dense_input_grad).
      const Eigen::MatrixXf probe = test::random_matrix(4, 3, 102);
      MlpCache cache;
      mlp_forward(net, x, cache);
      Eigen::MatrixXf da = probe, dx;
      MlpGrad grad = mlp_grad_zeros(net);
      mlp_backward(net, cache, da, grad, &dx);

      test::DoubleChain chain = test::DoubleChain::of(net);
      Eigen::MatrixXd xd = x.cast<double>();
      auto loss = [&] { return (chain.forward(xd).array() * probe.cast<double>().array()).sum(); };
      test::gradcheck(chain.layers[0].weight.data(), grad[0].weight.data(), 20, loss, 1e-6, 1e-4);
      test::gradcheck(chain.layers[0].bias.data(), grad[0].bias.data(), 4, loss, 1e-6, 1e-4);
      test::gradcheck(xd.data(), dx.data(), 15, loss, 1e-6, 1e-4);
    }
  }
}

TEST_CASE("dense_param_grad replaces the gradient rather than accumulating", "[dense]") {
  Rng rng(5);
  const Dense layer = dense_create(3, 2, Activation::identity, rng);
  const Eigen::MatrixXf x = test::random_matrix(3, 4, 7), dz = test::random_matrix(2, 4, 8);
  DenseGrad grad = dense_grad_zeros(layer);
  grad.weight.setConstant(100.0f);
  grad.bias.setConstant(100.0f);
  dense_param_grad(x, dz, grad);
  CHECK((grad.weight - dz * x.transpose()).cwiseAbs().maxCoeff() < 1e-6f);
  CHECK((grad.bias - dz.rowwise().sum()).cwiseAbs().maxCoeff() < 1e-6f);
}
