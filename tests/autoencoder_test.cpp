#include "autoencoder.h"

#include <catch2/catch.hpp>

#include "gradcheck.h"
#include "loss.h"

using namespace lp;

TEST_CASE("the default autoencoder is the tutorial's 784-256-128-64-2 network", "[autoencoder]") {
  Rng rng(0);
  const Autoencoder model = autoencoder_create({}, rng);
  const MlpSpec enc = model.encoder.spec(), dec = model.decoder.spec();
  CHECK(enc.sizes == std::vector<int>{784, 256, 128, 64, 2});
  CHECK(dec.sizes == std::vector<int>{2, 64, 128, 256, 784});
  for (Activation a : enc.acts) CHECK(a == Activation::tanh);
  CHECK(dec.acts == std::vector<Activation>{Activation::tanh, Activation::tanh, Activation::tanh, Activation::sigmoid});
  CHECK(model.parameter_count() == 2 * (784 * 256 + 256 * 128 + 128 * 64 + 64 * 2) + (256 + 128 + 64 + 2) +
                                       (64 + 128 + 256 + 784));
  CHECK(autoencoder_check(model).empty());
}

TEST_CASE("codes lie in [-1,1] and reconstructions in [0,1]", "[autoencoder]") {
  Rng rng(1);
  const Autoencoder model = autoencoder_create({50, {20}, 3}, rng);
  const Eigen::MatrixXf x = 5.0f * test::random_matrix(50, 16, 101);  // large inputs saturate tanh
  AutoencoderCache cache;
  autoencoder_forward(model, x, cache);
  REQUIRE(cache.codes().rows() == 3);
  CHECK(cache.codes().cwiseAbs().maxCoeff() <= 1.0f);
  CHECK(cache.reconstruction().minCoeff() >= 0.0f);
  CHECK(cache.reconstruction().maxCoeff() <= 1.0f);
}

TEST_CASE("autoencoder_check catches mismatched halves", "[autoencoder]") {
  Rng rng(2);
  Autoencoder model = autoencoder_create({10, {6}, 2}, rng);
  Autoencoder other = autoencoder_create({10, {6}, 3}, rng);
  model.decoder = other.decoder;
  CHECK_THAT(autoencoder_check(model), Catch::Contains("decoder input width 3"));
}

TEST_CASE("autoencoder MSE gradient matches finite differences for every parameter tensor",
          "[autoencoder][gradcheck]") {
  Rng rng(4);
  Autoencoder model = autoencoder_create({12, {8, 5}, 2}, rng);
  Rng data_rng(9);
  Eigen::MatrixXf x(12, 5);
  for (int i = 0; i < x.size(); ++i) x.data()[i] = data_rng.uniform();
  auto loss = [&] {
    AutoencoderCache cache;
    autoencoder_forward(model, x, cache);
    return mse_loss(cache.reconstruction(), x);
  };
  AutoencoderCache cache;
  autoencoder_forward(model, x, cache);
  Eigen::MatrixXf drecon;
  mse_loss_backward(cache.reconstruction(), x, static_cast<double>(x.size()), drecon);
  AutoencoderGrad grad = autoencoder_grad_zeros(model);
  autoencoder_backward(model, cache, drecon, grad);
  const std::vector<ParamSlot> slots = autoencoder_param_slots(model, grad);
  REQUIRE(slots.size() == 12);  // 3 + 3 layers, weight and bias each
  for (size_t s = 0; s < slots.size(); ++s) {
    INFO("parameter slot " << s);
    test::gradcheck(slots[s].value, slots[s].grad, static_cast<int>(slots[s].size), loss, 1, 1e-2f);
  }
}
