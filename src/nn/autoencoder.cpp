#include "nn/autoencoder.h"

#include "nn/for_each_layer.h"

#include <algorithm>

namespace lp {

const char* model_kind_name(ModelKind kind) {
  return kind == ModelKind::vae ? "variational autoencoder" : "autoencoder";
}

bool model_kind_parse(const std::string& name, ModelKind* out) {
  if (name == "ae") *out = ModelKind::autoencoder;
  else if (name == "vae") *out = ModelKind::vae;
  else return false;
  return true;
}

MlpSpec encoder_spec(const AutoencoderSpec& spec) {
  const bool vae = spec.kind == ModelKind::vae;
  MlpSpec mlp;
  mlp.sizes.push_back(spec.input);
  for (int h : spec.hidden) mlp.sizes.push_back(h);
  mlp.sizes.push_back(vae ? 2 * spec.latent : spec.latent);
  mlp.acts.assign(mlp.sizes.size() - 1, spec.hidden_act);
  mlp.acts.back() = vae ? Activation::identity : Activation::tanh;
  return mlp;
}

MlpSpec decoder_spec(const AutoencoderSpec& spec) {
  MlpSpec mlp;
  mlp.sizes.push_back(spec.latent);
  for (auto h = spec.hidden.rbegin(); h != spec.hidden.rend(); ++h) mlp.sizes.push_back(*h);
  mlp.sizes.push_back(spec.input);
  mlp.acts.assign(mlp.sizes.size() - 1, spec.hidden_act);
  mlp.acts.back() = Activation::sigmoid;
  return mlp;
}

int Autoencoder::latent() const {
  if (!decoder.empty()) return decoder.in_size();
  return is_vae() ? encoder.out_size() / 2 : encoder.out_size();
}

Autoencoder autoencoder_create(const AutoencoderSpec& spec, Rng& rng) {
  Autoencoder model;
  model.kind = spec.kind;
  model.encoder = mlp_create(encoder_spec(spec), rng);
  model.decoder = mlp_create(decoder_spec(spec), rng);
  return model;
}

AutoencoderGrad autoencoder_grad_zeros(const Autoencoder& model) {
  return {mlp_grad_zeros(model.encoder), mlp_grad_zeros(model.decoder)};
}

std::string autoencoder_half_check(const Autoencoder& model) {
  if (!model.is_vae() || model.encoder.empty()) return {};
  const Dense& heads = model.encoder.layers.back();
  if (heads.out_size() % 2 != 0)
    return "a variational autoencoder's encoder must end in two heads of the code width (mu and logvar), "
           "but its last layer is " + std::to_string(heads.out_size()) + " wide, an odd number";
  if (heads.act != Activation::identity)
    return std::string("a variational autoencoder's mu and logvar heads must be linear, not ") +
           activation_name(heads.act);
  return {};
}

std::string autoencoder_check(const Autoencoder& model) {
  if (model.encoder.layers.empty() || model.decoder.layers.empty())
    return "an autoencoder needs both an encoder and a decoder";
  const std::string half = autoencoder_half_check(model);
  if (!half.empty()) return half;
  const int code = model.is_vae() ? model.encoder.out_size() / 2 : model.encoder.out_size();
  if (model.decoder.in_size() != code)
    return "decoder input width " + std::to_string(model.decoder.in_size()) + " does not match encoder code width " +
           std::to_string(code) + (model.is_vae() ? " (its heads mu and logvar are " + std::to_string(code) + " wide each)" : "");
  if (model.decoder.out_size() != model.encoder.in_size())
    return "decoder output width " + std::to_string(model.decoder.out_size()) +
           " does not match encoder input width " + std::to_string(model.encoder.in_size());
  return {};
}

void autoencoder_forward(const Autoencoder& model, const Eigen::MatrixXf& x, AutoencoderCache& cache) {
  mlp_forward(model.encoder, x, cache.encoder);
  mlp_forward(model.decoder, cache.encoder.output(), cache.decoder);
}

void autoencoder_backward(const Autoencoder& model, AutoencoderCache& cache, Eigen::MatrixXf& drecon,
                          AutoencoderGrad& grad) {
  Eigen::MatrixXf dcodes;  // [latent, B]
  mlp_backward(model.decoder, cache.decoder, drecon, grad.decoder, &dcodes);
  mlp_backward(model.encoder, cache.encoder, dcodes, grad.encoder, nullptr);
}

void autoencoder_encode(const Autoencoder& model, const float* x, int n, float* codes, float* logvar) {
  if (!model.is_vae()) {
    mlp_infer(model.encoder, x, n, codes);
    return;
  }
  // The heads' output is [mu; logvar] per column: split it.
  const int latent = model.encoder.out_size() / 2;
  std::vector<float> heads(static_cast<size_t>(2 * latent) * static_cast<size_t>(std::max(n, 0)));
  mlp_infer(model.encoder, x, n, heads.data());
  for (int j = 0; j < n; ++j) {
    const float* column = heads.data() + static_cast<size_t>(2 * latent) * j;
    std::copy(column, column + latent, codes + static_cast<size_t>(latent) * j);
    if (logvar) std::copy(column + latent, column + 2 * latent, logvar + static_cast<size_t>(latent) * j);
  }
}

Eigen::MatrixXf autoencoder_encode(const Autoencoder& model, const Eigen::Ref<const Eigen::MatrixXf>& x) {
  const int latent = model.is_vae() ? model.encoder.out_size() / 2 : model.encoder.out_size();
  Eigen::MatrixXf codes(latent, x.cols());
  if (x.innerStride() == 1 && x.outerStride() == x.rows()) {
    autoencoder_encode(model, x.data(), static_cast<int>(x.cols()), codes.data());
  } else {
    const Eigen::MatrixXf copy = x;
    autoencoder_encode(model, copy.data(), static_cast<int>(copy.cols()), codes.data());
  }
  return codes;
}

void autoencoder_parameters_get(const Autoencoder& model, float* out) {
  for_each_layer(model, [&](LayerRef, const Dense& layer) {
    out = std::copy(layer.weight.data(), layer.weight.data() + layer.weight.size(), out);
    out = std::copy(layer.bias.data(), layer.bias.data() + layer.bias.size(), out);
  });
}

bool autoencoder_parameters_set(Autoencoder& model, const float* in, size_t count) {
  if (count != model.parameter_count()) return false;
  for_each_layer(model, [&](LayerRef, Dense& layer) {
    std::copy(in, in + layer.weight.size(), layer.weight.data());
    in += layer.weight.size();
    std::copy(in, in + layer.bias.size(), layer.bias.data());
    in += layer.bias.size();
  });
  return true;
}

}  // namespace lp
