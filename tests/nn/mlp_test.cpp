#include "nn/mlp.h"

#include <catch2/catch.hpp>

#include "gradcheck.h"

using namespace lp;

namespace {

Mlp small_mlp(uint64_t seed) {
  Rng rng(seed);
  return mlp_create({{6, 5, 4, 3}, {Activation::tanh, Activation::relu, Activation::sigmoid}}, rng);
}

}  // namespace

TEST_CASE("mlp specs are validated", "[mlp]") {
  CHECK(mlp_spec_check({{784, 2}, {Activation::tanh}}).empty());
  CHECK_FALSE(mlp_spec_check({{784}, {}}).empty());
  CHECK_FALSE(mlp_spec_check({{784, 2}, {}}).empty());
  CHECK_FALSE(mlp_spec_check({{784, 0}, {Activation::tanh}}).empty());
  CHECK_FALSE(mlp_spec_check({{kMaxLayerWidth + 1, 2}, {Activation::tanh}}).empty());
}

TEST_CASE("mlp backward matches finite differences through every layer", "[mlp][gradcheck]") {
  Mlp mlp = small_mlp(3);
  const Eigen::MatrixXf x = test::random_matrix(6, 4, 101);
  const Eigen::MatrixXf probe = test::random_matrix(3, 4, 102);  // loss = <probe, output>
  MlpCache cache;
  mlp_forward(mlp, x, cache);
  Eigen::MatrixXf dout = probe, dx;
  MlpGrad grad = mlp_grad_zeros(mlp);
  mlp_backward(mlp, cache, dout, grad, &dx);

  // Finite differences through a double-precision copy of the network.
  test::DoubleChain chain = test::DoubleChain::of(mlp);
  Eigen::MatrixXd xd = x.cast<double>();
  const Eigen::MatrixXd probe_d = probe.cast<double>();
  auto loss = [&] { return (chain.forward(xd).array() * probe_d.array()).sum(); };
  REQUIRE((chain.forward(xd).cast<float>() - cache.output()).cwiseAbs().maxCoeff() < 1e-5f);
  for (size_t k = 0; k < mlp.layers.size(); ++k) {
    INFO("layer " << k);
    auto& layer = chain.layers[k];
    test::gradcheck(layer.weight.data(), grad[k].weight.data(), static_cast<int>(layer.weight.size()), loss, 1e-6, 1e-4);
    test::gradcheck(layer.bias.data(), grad[k].bias.data(), static_cast<int>(layer.bias.size()), loss, 1e-6, 1e-4);
  }
  test::gradcheck(xd.data(), dx.data(), static_cast<int>(xd.size()), loss, 1e-6, 1e-4);
}

TEST_CASE("mlp_infer agrees with the training forward pass", "[mlp]") {
  const Mlp mlp = small_mlp(5);
  const Eigen::MatrixXf x = test::random_matrix(6, 9, 103);
  MlpCache cache;
  mlp_forward(mlp, x, cache);
  Eigen::MatrixXf y(3, 9);
  mlp_infer(mlp, x.data(), 9, y.data());
  CHECK((y - cache.output()).cwiseAbs().maxCoeff() < 1e-6f);
  CHECK(mlp.parameter_count() == 6 * 5 + 5 + 5 * 4 + 4 + 4 * 3 + 3);
}
