// Parity with PyTorch: tools/reference/make_parity_fixture.py ran the same
// small autoencoder in torch 1.13 and stored its initial weights, one batch,
// the loss, the gradients and the weights after 1 and 5 Adam steps.
#include <catch2/catch.hpp>
#include <cstring>
#include <map>

#include "io/file_io.h"
#include "nn/loss.h"
#include "nn/train_step.h"

using namespace lp;

namespace {

struct Tensor {
  std::vector<uint32_t> dims;
  std::vector<float> values;
};

// The fixture format: "LPFX", u32 version, u32 count, then per tensor
// u32 name length, name, u32 ndim, u32 dims[ndim], f32 values (row-major).
std::map<std::string, Tensor> load_fixture(const std::string& path) {
  std::vector<uint8_t> bytes;
  std::string error;
  REQUIRE(read_file(path, &bytes, &error));
  size_t pos = 0;
  auto u32 = [&] {
    REQUIRE(pos + 4 <= bytes.size());
    uint32_t v;
    std::memcpy(&v, bytes.data() + pos, 4);
    pos += 4;
    return v;
  };
  REQUIRE(std::memcmp(bytes.data(), "LPFX", 4) == 0);
  pos = 4;
  REQUIRE(u32() == 1);
  const uint32_t count = u32();
  std::map<std::string, Tensor> tensors;
  for (uint32_t t = 0; t < count; ++t) {
    const uint32_t len = u32();
    std::string name(reinterpret_cast<const char*>(bytes.data() + pos), len);
    pos += len;
    Tensor tensor;
    size_t n = 1;
    const uint32_t ndim = u32();
    for (uint32_t d = 0; d < ndim; ++d) n *= tensor.dims.emplace_back(u32());
    REQUIRE(pos + 4 * n <= bytes.size());
    tensor.values.resize(n);
    std::memcpy(tensor.values.data(), bytes.data() + pos, 4 * n);
    pos += 4 * n;
    tensors[name] = std::move(tensor);
  }
  REQUIRE(pos == bytes.size());
  return tensors;
}

// PyTorch's [out, in] row-major weight is Eigen's column-major transpose.
Eigen::MatrixXf as_matrix(const Tensor& t) {
  REQUIRE(t.dims.size() == 2);
  return Eigen::Map<const Eigen::MatrixXf>(t.values.data(), t.dims[1], t.dims[0]).transpose();
}

Eigen::VectorXf as_vector(const Tensor& t) {
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

Eigen::MatrixXf fixture_tensor(std::map<std::string, Tensor>& fx, const std::string& name, bool vector) {
  const Tensor& t = fx.at(name);
  return vector ? Eigen::MatrixXf(as_vector(t)) : as_matrix(t);
}

// Every layer's weight and bias (or gradient, or moment) against the fixture's `prefix` tensors.
void require_layers(const Autoencoder& model, const std::vector<DenseGrad>& ours, std::map<std::string, Tensor>& fx,
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
void add_fixture_changes(std::map<std::string, Tensor>& fx, const std::string& after) {
  std::vector<std::pair<std::string, Tensor>> added;
  for (const auto& [name, init] : fx) {
    if (name.rfind("init.", 0) != 0) continue;
    const std::string param = name.substr(5);
    Tensor change = fx.at(after + param);
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
    const double loss = train_step(state, config, x, schedule.rate(step), 0, workspace);
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
