// Parity with PyTorch: tools/reference/make_parity_fixture.py ran the same
// small autoencoder in torch 1.13 and stored its initial weights, one batch,
// the loss, the gradients and the weights after 1 and 5 Adam steps.
#include <catch2/catch.hpp>
#include <cstring>
#include <map>

#include "adam.h"
#include "file_io.h"
#include "loss.h"

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

template <class Fn>
void for_each_layer(Autoencoder& model, Fn fn) {
  for (size_t k = 0; k < model.encoder.layers.size(); ++k) fn("encoder", k, model.encoder.layers[k]);
  for (size_t k = 0; k < model.decoder.layers.size(); ++k) fn("decoder", k, model.decoder.layers[k]);
}

void require_params(Autoencoder& model, std::map<std::string, Tensor>& fx, const std::string& prefix, float tol) {
  for_each_layer(model, [&](const char* net, size_t k, Dense& layer) {
    INFO(prefix << net << "." << k);
    CHECK((layer.weight - as_matrix(fx.at(prefix + param_name(net, k, "weight")))).cwiseAbs().maxCoeff() <= tol);
    CHECK((layer.bias - as_vector(fx.at(prefix + param_name(net, k, "bias")))).cwiseAbs().maxCoeff() <= tol);
  });
}

}  // namespace

TEST_CASE("forward, loss, gradients and Adam steps match PyTorch", "[parity]") {
  auto fx = load_fixture(std::string(LATENTPAD_FIXTURES) + "/parity.bin");
  Rng rng(0);
  Autoencoder model = autoencoder_create({64, {32, 16}, 2}, rng);
  for_each_layer(model, [&](const char* net, size_t k, Dense& layer) {
    layer.weight = as_matrix(fx.at("init." + param_name(net, k, "weight")));
    layer.bias = as_vector(fx.at("init." + param_name(net, k, "bias")));
  });
  // Samples are rows in PyTorch [8, 64] and columns here [64, 8].
  const Eigen::MatrixXf x = as_matrix(fx.at("x")).transpose();
  REQUIRE(x.cols() == 8);

  AutoencoderCache cache;
  autoencoder_forward(model, x, cache);
  CHECK((cache.codes() - as_matrix(fx.at("codes0")).transpose()).cwiseAbs().maxCoeff() <= 1e-5f);
  CHECK((cache.reconstruction() - as_matrix(fx.at("recon0")).transpose()).cwiseAbs().maxCoeff() <= 1e-5f);
  CHECK(mse_loss(cache.reconstruction(), x) == Approx(fx.at("loss0").values[0]).margin(1e-5));

  Eigen::MatrixXf drecon;
  mse_loss_backward(cache.reconstruction(), x, static_cast<double>(x.size()), drecon);
  AutoencoderGrad grad = autoencoder_grad_zeros(model);
  autoencoder_backward(model, cache, drecon, grad);
  for (auto [net, layers] : {std::pair{"encoder", &grad.encoder}, std::pair{"decoder", &grad.decoder}}) {
    for (size_t k = 0; k < layers->size(); ++k) {
      INFO("gradient of " << net << "." << k);
      const DenseGrad& g = (*layers)[k];
      CHECK((g.weight - as_matrix(fx.at("grad." + param_name(net, k, "weight")))).cwiseAbs().maxCoeff() <= 1e-5f);
      CHECK((g.bias - as_vector(fx.at("grad." + param_name(net, k, "bias")))).cwiseAbs().maxCoeff() <= 1e-5f);
    }
  }

  // Five Adam steps on the same batch; MultiStepLR(milestones=[2,4], gamma=0.5)
  // stepped after each, so the schedule's "epoch" here is the step index.
  const MultiStepLr schedule{1e-3, {2, 4}, 0.5};
  const std::vector<ParamSlot> slots = autoencoder_param_slots(model, grad);
  AdamState adam = adam_init(slots);
  for (int step = 0; step < 5; ++step) {
    if (step > 0) {
      autoencoder_forward(model, x, cache);
      mse_loss_backward(cache.reconstruction(), x, static_cast<double>(x.size()), drecon);
      autoencoder_backward(model, cache, drecon, grad);
    }
    adam_step(adam, slots, schedule.rate(step));
    if (step == 0) require_params(model, fx, "step1.", 1e-5f);
  }
  require_params(model, fx, "step5.", 1e-5f);
  autoencoder_forward(model, x, cache);
  CHECK(mse_loss(cache.reconstruction(), x) == Approx(fx.at("loss5").values[0]).margin(1e-5));
}
