#include "nn/autoencoder.h"

#include <catch2/catch.hpp>

#include "gradcheck.h"
#include "nn/loss.h"
#include "nn/train_step.h"

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

namespace {

// The autoencoder's MSE gradient for every parameter tensor against finite
// differences of a double-precision copy of the model.
void check_against_finite_differences(const Autoencoder& model, const Eigen::MatrixXf& x, const AutoencoderGrad& grad) {
  test::DoubleChain chain = test::DoubleChain::of(model);
  const Eigen::MatrixXd xd = x.cast<double>();
  auto loss = [&] { return (chain.forward(xd) - xd).squaredNorm() / static_cast<double>(xd.size()); };
  AutoencoderCache cache;
  autoencoder_forward(model, x, cache);
  REQUIRE(std::fabs(loss() - mse_loss(cache.reconstruction(), x)) < 1e-7);  // the copy is the same model
  AutoencoderGrad g = grad;  // layer_grad needs a non-const reference
  int checked = 0;
  for_each_layer(model, [&](LayerRef ref, const Dense&) {
    INFO((ref.net == 0 ? "encoder" : "decoder") << " layer " << ref.index);
    const DenseGrad& analytic = layer_grad(g, ref);
    auto& layer = chain.layers[ref.flat];
    test::gradcheck(layer.weight.data(), analytic.weight.data(), static_cast<int>(layer.weight.size()), loss, 1e-6, 1e-4);
    test::gradcheck(layer.bias.data(), analytic.bias.data(), static_cast<int>(layer.bias.size()), loss, 1e-6, 1e-4);
    checked += 2;
  });
  CHECK(checked == 12);  // 3 + 3 layers, weight and bias each
}

Eigen::MatrixXf small_batch(int rows, int cols) {
  Rng rng(9);
  Eigen::MatrixXf x(rows, cols);
  for (int i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform();
  return x;
}

}  // namespace

TEST_CASE("autoencoder_backward's gradient matches finite differences for every tensor", "[autoencoder][gradcheck]") {
  Rng rng(4);
  const Autoencoder model = autoencoder_create({12, {8, 5}, 2}, rng);
  const Eigen::MatrixXf x = small_batch(12, 5);
  AutoencoderCache cache;
  autoencoder_forward(model, x, cache);
  Eigen::MatrixXf drecon;
  mse_loss_backward(cache.reconstruction(), x, static_cast<double>(x.size()), drecon);
  AutoencoderGrad grad = autoencoder_grad_zeros(model);
  autoencoder_backward(model, cache, drecon, grad);
  check_against_finite_differences(model, x, grad);
}

// The gradient the trainer applies: train_step's, from its sharded backward
// pass and column-blocked weight gradients. lr = 0 leaves the weights as they
// are, so the check runs at the point the gradient was taken.
TEST_CASE("train_step's gradient matches finite differences on one thread", "[autoencoder][gradcheck][train_step]") {
  TrainConfig config;
  TrainState state = train_state_create({12, {8, 5}, 2}, config);
  const Eigen::MatrixXf x = small_batch(12, 5);
  StepWorkspace workspace(1);
  train_step(state, config, x, 0.0, {}, workspace);
  check_against_finite_differences(state.model, x, workspace.grad());
}

TEST_CASE("train_step's gradient matches finite differences on two threads",
          "[autoencoder][gradcheck][train_step][threads]") {
  TrainConfig config;
  TrainState state = train_state_create({12, {8, 5}, 2}, config);
  const Eigen::MatrixXf x = small_batch(12, 5);  // shards of 2 and 3 samples
  StepWorkspace workspace(2);
  train_step(state, config, x, 0.0, {}, workspace);
  check_against_finite_differences(state.model, x, workspace.grad());
}

TEST_CASE("the flat parameter array holds every layer in order and sets them back", "[autoencoder]") {
  Rng rng(3);
  AutoencoderSpec spec;
  spec.hidden = {5, 4};
  spec.latent = 3;
  const Autoencoder model = autoencoder_create(spec, rng);
  std::vector<float> flat(model.parameter_count() + 1, -7.0f);
  autoencoder_parameters_get(model, flat.data());
  CHECK(flat.back() == -7.0f);  // exactly parameter_count() floats written
  // The documented order: encoder layer 0's weight column-major, then its bias, ...
  const Dense& first = model.encoder.layers[0];
  CHECK(flat[0] == first.weight(0, 0));
  CHECK(flat[1] == first.weight(1, 0));
  CHECK(flat[first.weight.rows()] == first.weight(0, 1));
  CHECK(flat[first.weight.size()] == first.bias(0));
  const Dense& last = model.decoder.layers.back();
  CHECK(flat[model.parameter_count() - 1] == last.bias(last.bias.size() - 1));
  CHECK(flat[model.parameter_count() - last.bias.size() - 1] == last.weight(last.weight.rows() - 1, last.weight.cols() - 1));

  // Into a model of the same architecture with other weights: equal afterwards.
  Rng other_rng(4);
  Autoencoder other = autoencoder_create(spec, other_rng);
  REQUIRE(other.decoder.layers[1].weight != model.decoder.layers[1].weight);
  REQUIRE(autoencoder_parameters_set(other, flat.data(), model.parameter_count()));
  for (size_t k = 0; k < model.encoder.layers.size(); ++k) {
    CHECK(other.encoder.layers[k].weight == model.encoder.layers[k].weight);
    CHECK(other.encoder.layers[k].bias == model.encoder.layers[k].bias);
  }
  for (size_t k = 0; k < model.decoder.layers.size(); ++k) {
    CHECK(other.decoder.layers[k].weight == model.decoder.layers[k].weight);
    CHECK(other.decoder.layers[k].bias == model.decoder.layers[k].bias);
  }
  // A count that is not the model's changes nothing.
  const Eigen::MatrixXf before = other.encoder.layers[0].weight;
  std::vector<float> zeros(model.parameter_count() - 1, 0.0f);
  CHECK_FALSE(autoencoder_parameters_set(other, zeros.data(), zeros.size()));
  CHECK(other.encoder.layers[0].weight == before);
}
