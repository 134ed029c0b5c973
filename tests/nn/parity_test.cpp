// Parity with PyTorch: tools/reference/make_parity_fixture.py ran the same
// small autoencoder in torch 1.13 and stored its initial weights, one batch,
// the loss, the gradients and the weights after 1 and 5 Adam steps.
#include <catch2/catch.hpp>
#include <cstring>
#include <map>

#include "fixture.h"
#include "nn/loss.h"
#include "nn/train_step.h"

using namespace lp;

namespace {

// PyTorch's [out, in] row-major weight is Eigen's column-major transpose.
Eigen::MatrixXf as_matrix(const FixtureTensor& t) {
  REQUIRE(t.dims.size() == 2);
  return Eigen::Map<const Eigen::MatrixXf>(t.values.data(), t.dims[1], t.dims[0]).transpose();
}

Eigen::VectorXf as_vector(const FixtureTensor& t) {
  return Eigen::Map<const Eigen::VectorXf>(t.values.data(), static_cast<Eigen::Index>(t.values.size()));
}

std::string param_name(const char* net, size_t k, const char* what) {
  return std::string(net) + "." + std::to_string(k) + "." + what;
}

// The fixture's name for a layer's tensor, e.g. "encoder.1.bias".
std::string param_name(LayerRef ref, const char* what) {
  return std::string(ref.net == 0 ? "encoder" : "decoder") + "." + std::to_string(ref.index) + "." + what;
}

// max |ours - theirs| <= tol * max |theirs|: relative to the tensor's scale, so
// a 1 % error shows in a tensor of 1e-5 as in one of 1. Returns the ratio.
double require_close(const Eigen::MatrixXf& ours, const Eigen::MatrixXf& theirs, double tol, const std::string& what) {
  REQUIRE(ours.rows() == theirs.rows());
  REQUIRE(ours.cols() == theirs.cols());
  const double scale = theirs.cwiseAbs().maxCoeff();
  const double error = (ours - theirs).cwiseAbs().maxCoeff();
  INFO(what << ": max error " << error << " against scale " << scale << " (ratio " << error / scale << ")");
  REQUIRE(scale > 0.0);
  CHECK(error <= tol * scale);
  return error / scale;
}

Eigen::MatrixXf fixture_tensor(std::map<std::string, FixtureTensor>& fx, const std::string& name, bool vector) {
  const FixtureTensor& t = fx.at(name);
  return vector ? Eigen::MatrixXf(as_vector(t)) : as_matrix(t);
}

// Every layer's weight and bias (or gradient, or moment) against the fixture's `prefix` tensors.
void require_layers(const Autoencoder& model, const std::vector<DenseGrad>& ours, std::map<std::string, FixtureTensor>& fx,
                    const std::string& prefix, double tol) {
  for_each_layer(model, [&](LayerRef ref, const Dense&) {
    require_close(ours[ref.flat].weight, fixture_tensor(fx, prefix + param_name(ref, "weight"), false), tol,
                  prefix + param_name(ref, "weight"));
    require_close(ours[ref.flat].bias, fixture_tensor(fx, prefix + param_name(ref, "bias"), true), tol,
                  prefix + param_name(ref, "bias"));
  });
}

std::vector<DenseGrad> layers_of(const Autoencoder& model) {
  std::vector<DenseGrad> out;
  for_each_layer(model, [&](LayerRef, const Dense& layer) { out.push_back({layer.weight, layer.bias}); });
  return out;
}

std::vector<DenseGrad> grads_of(const Autoencoder& model, const AutoencoderGrad& grad) {
  std::vector<DenseGrad> out;
  AutoencoderGrad g = grad;
  for_each_layer(model, [&](LayerRef ref, const Dense&) { out.push_back(layer_grad(g, ref)); });
  return out;
}

// What each step changed: the weights after it minus the initial ones. The
// weights themselves are dominated by their initial values; the change is
// what Adam computed.
std::vector<DenseGrad> changes(const std::vector<DenseGrad>& after, const std::vector<DenseGrad>& before) {
  std::vector<DenseGrad> out(after.size());
  for (size_t i = 0; i < after.size(); ++i) out[i] = {after[i].weight - before[i].weight, after[i].bias - before[i].bias};
  return out;
}

// Adds "change.<after>.<name>" = <after>.<name> - init.<name> for every parameter.
void add_fixture_changes(std::map<std::string, FixtureTensor>& fx, const std::string& after) {
  std::vector<std::pair<std::string, FixtureTensor>> added;
  for (const auto& [name, init] : fx) {
    if (name.rfind("init.", 0) != 0) continue;
    const std::string param = name.substr(5);
    FixtureTensor change = fx.at(after + param);
    for (size_t i = 0; i < change.values.size(); ++i) change.values[i] -= init.values[i];
    added.emplace_back("change." + after + param, std::move(change));
  }
  for (auto& [name, tensor] : added) fx[name] = std::move(tensor);
}

}  // namespace

static void check_parity(int threads) {
  auto fx = load_fixture(std::string(LATENTPAD_FIXTURES) + "/parity.bin");
  add_fixture_changes(fx, "step1.");
  add_fixture_changes(fx, "step5.");
  TrainConfig config;
  config.threads = threads;
  TrainState state = train_state_create({64, {32, 16}, 2}, config);
  for_each_layer(state.model, [&](LayerRef ref, Dense& layer) {
    layer.weight = as_matrix(fx.at("init." + param_name(ref, "weight")));
    layer.bias = as_vector(fx.at("init." + param_name(ref, "bias")));
  });
  const std::vector<DenseGrad> init = layers_of(state.model);
  // Samples are rows in PyTorch [8, 64] and columns here [64, 8].
  const Eigen::MatrixXf x = as_matrix(fx.at("x")).transpose();
  REQUIRE(x.cols() == 8);

  AutoencoderCache cache;
  autoencoder_forward(state.model, x, cache);
  require_close(cache.codes(), as_matrix(fx.at("codes0")).transpose(), 1e-5, "codes");
  require_close(cache.reconstruction(), as_matrix(fx.at("recon0")).transpose(), 1e-5, "reconstruction");

  // Five steps on the same batch; PyTorch stepped MultiStepLR(milestones=[2,4],
  // gamma=0.5) after each, so the schedule's "epoch" here is the step index.
  const MultiStepLr schedule{1e-3, {2, 4}, 0.5};
  StepWorkspace workspace(threads);
  for (int step = 0; step < 5; ++step) {
    const double loss = train_step(state, config, x, schedule.rate(step), {}, workspace).loss;
    if (step == 0) {
      CHECK(loss == Approx(fx.at("loss0").values[0]).epsilon(1e-6));
      require_layers(state.model, grads_of(state.model, workspace.grad()), fx, "grad.", 1e-4);
      require_layers(state.model, state.adam.m, fx, "step1.m.", 1e-4);
      require_layers(state.model, state.adam.v, fx, "step1.v.", 2e-4);
      require_layers(state.model, changes(layers_of(state.model), init), fx, "change.step1.", 1e-3);
    }
    if (step == 4) require_layers(state.model, grads_of(state.model, workspace.grad()), fx, "grad5.", 1e-4);
  }
  CHECK(state.adam.step == 5);
  require_layers(state.model, state.adam.m, fx, "step5.m.", 1e-4);
  require_layers(state.model, state.adam.v, fx, "step5.v.", 2e-4);
  require_layers(state.model, changes(layers_of(state.model), init), fx, "change.step5.", 1e-3);
  autoencoder_forward(state.model, x, cache);
  CHECK(mse_loss(cache.reconstruction(), x) == Approx(fx.at("loss5").values[0]).epsilon(1e-6));
}

TEST_CASE("train_step matches PyTorch on one thread: forward, loss, gradients, Adam moments, weights",
          "[parity][train_step]") {
  check_parity(1);
}

// Threads split the batch into shards and the weight gradients into column
// blocks: both splits must still give PyTorch's step. (wasm builds have no threads.)
TEST_CASE("train_step matches PyTorch on two threads", "[parity][train_step][threads]") { check_parity(2); }

// --- The variational autoencoder ---------------------------------------------
// tools/reference/make_vae_parity_fixture.py: a VAE 64-32-16 (ReLU) with code
// width 3, binary cross-entropy + 0.5 KL, five Adam steps, each with its own
// eps from the fixture. PyTorch keeps the two heads apart (mu.*, logvar.*);
// here they are the rows [mu; logvar] of the encoder's last layer, and each
// head is compared on its own scale, so an error in the smaller one shows.

namespace {

constexpr int kVaeLatent = 3;

// The fixture's tensor for our layer `ref`, or for one of the heads' halves.
Eigen::MatrixXf vae_fixture(std::map<std::string, FixtureTensor>& fx, const std::string& prefix, LayerRef ref,
                            size_t encoder_layers, const char* head, const char* what) {
  const bool vector = std::strcmp(what, "bias") == 0;
  if (ref.net == 0 && ref.index + 1 == encoder_layers) return fixture_tensor(fx, prefix + head + "." + what, vector);
  return fixture_tensor(fx, prefix + param_name(ref, what), vector);
}

void require_vae_layers(const Autoencoder& model, const std::vector<DenseGrad>& ours,
                        std::map<std::string, FixtureTensor>& fx, const std::string& prefix, double tol) {
  const size_t heads = model.encoder.layers.size();
  for_each_layer(model, [&](LayerRef ref, const Dense&) {
    const DenseGrad& o = ours[ref.flat];
    if (ref.net == 0 && ref.index + 1 == heads) {
      for (int h = 0; h < 2; ++h) {
        const char* head = h == 0 ? "mu" : "logvar";
        require_close(o.weight.middleRows(h * kVaeLatent, kVaeLatent), vae_fixture(fx, prefix, ref, heads, head, "weight"),
                      tol, prefix + head + ".weight");
        require_close(o.bias.segment(h * kVaeLatent, kVaeLatent), vae_fixture(fx, prefix, ref, heads, head, "bias"), tol,
                      prefix + head + ".bias");
      }
      return;
    }
    require_close(o.weight, vae_fixture(fx, prefix, ref, heads, "", "weight"), tol, prefix + param_name(ref, "weight"));
    require_close(o.bias, vae_fixture(fx, prefix, ref, heads, "", "bias"), tol, prefix + param_name(ref, "bias"));
  });
}

// Our layers from the fixture's `prefix` tensors, the heads stacked [mu; logvar].
std::vector<DenseGrad> vae_fixture_layers(const Autoencoder& model, std::map<std::string, FixtureTensor>& fx,
                                          const std::string& prefix) {
  std::vector<DenseGrad> layers;
  const size_t heads = model.encoder.layers.size();
  for_each_layer(model, [&](LayerRef ref, const Dense& layer) {
    DenseGrad d{Eigen::MatrixXf(layer.weight.rows(), layer.weight.cols()), Eigen::VectorXf(layer.bias.size())};
    if (ref.net == 0 && ref.index + 1 == heads) {
      d.weight << vae_fixture(fx, prefix, ref, heads, "mu", "weight"), vae_fixture(fx, prefix, ref, heads, "logvar", "weight");
      d.bias << vae_fixture(fx, prefix, ref, heads, "mu", "bias"), vae_fixture(fx, prefix, ref, heads, "logvar", "bias");
    } else {
      d.weight = vae_fixture(fx, prefix, ref, heads, "", "weight");
      d.bias = vae_fixture(fx, prefix, ref, heads, "", "bias");
    }
    layers.push_back(std::move(d));
  });
  return layers;
}

void check_vae_parity(int threads) {
  auto fx = load_fixture(std::string(LATENTPAD_FIXTURES) + "/parity_vae.bin");
  add_fixture_changes(fx, "step1.");
  add_fixture_changes(fx, "step5.");
  TrainConfig config;
  config.threads = threads;
  config.loss = ReconLoss::bce;
  config.beta = 0.5;
  TrainState state = train_state_create({64, {32, 16}, kVaeLatent, ModelKind::vae, Activation::relu}, config);
  const std::vector<DenseGrad> init = vae_fixture_layers(state.model, fx, "init.");
  for_each_layer(state.model, [&](LayerRef ref, Dense& layer) {
    layer.weight = init[ref.flat].weight;
    layer.bias = init[ref.flat].bias;
  });
  const Eigen::MatrixXf x = as_matrix(fx.at("x")).transpose();  // [64, 8]
  REQUIRE(x.cols() == 8);

  // The forward pass at the initial weights: the heads apart, and the decoder
  // through the reparameterised code.
  const Eigen::MatrixXf heads = mlp_infer(state.model.encoder, x);
  require_close(heads.topRows(kVaeLatent), as_matrix(fx.at("mu0")).transpose(), 1e-5, "mu");
  require_close(heads.bottomRows(kVaeLatent), as_matrix(fx.at("logvar0")).transpose(), 1e-5, "logvar");

  const MultiStepLr schedule{1e-3, {2, 4}, 0.5};
  StepWorkspace workspace(threads);
  for (int step = 0; step < 5; ++step) {
    const Eigen::MatrixXf eps = as_matrix(fx.at("eps" + std::to_string(step + 1))).transpose();  // [3, 8]
    StepRandom random;
    random.eps = &eps;
    const StepLoss loss = train_step(state, config, x, schedule.rate(step), random, workspace);
    if (step == 0) {
      CHECK(loss.loss == Approx(fx.at("loss0").values[0]).epsilon(1e-6));
      CHECK(loss.reconstruction == Approx(fx.at("rec0").values[0]).epsilon(1e-6));
      CHECK(loss.kl == Approx(fx.at("kl0").values[0]).epsilon(1e-5));
      require_vae_layers(state.model, grads_of(state.model, workspace.grad()), fx, "grad.", 1e-4);
      require_vae_layers(state.model, state.adam.m, fx, "step1.m.", 1e-4);
      require_vae_layers(state.model, state.adam.v, fx, "step1.v.", 2e-4);
      require_vae_layers(state.model, changes(layers_of(state.model), init), fx, "change.step1.", 1e-3);
    }
    if (step == 4) require_vae_layers(state.model, grads_of(state.model, workspace.grad()), fx, "grad5.", 1e-4);
  }
  CHECK(state.adam.step == 5);
  require_vae_layers(state.model, state.adam.m, fx, "step5.m.", 1e-4);
  require_vae_layers(state.model, state.adam.v, fx, "step5.v.", 2e-4);
  require_vae_layers(state.model, changes(layers_of(state.model), init), fx, "change.step5.", 1e-3);
}

}  // namespace

TEST_CASE("a VAE's train_step matches PyTorch on one thread: heads, loss terms, gradients, Adam moments, weights",
          "[parity][train_step][vae]") {
  check_vae_parity(1);
}

TEST_CASE("a VAE's train_step matches PyTorch on two threads", "[parity][train_step][vae][threads]") {
  check_vae_parity(2);
}
