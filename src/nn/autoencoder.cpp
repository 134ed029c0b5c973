#include "nn/autoencoder.h"

namespace lp {

MlpSpec encoder_spec(const AutoencoderSpec& spec) {
  MlpSpec mlp;
  mlp.sizes.push_back(spec.input);
  for (int h : spec.hidden) mlp.sizes.push_back(h);
  mlp.sizes.push_back(spec.latent);
  mlp.acts.assign(mlp.sizes.size() - 1, Activation::tanh);
  return mlp;
}

MlpSpec decoder_spec(const AutoencoderSpec& spec) {
  const MlpSpec enc = encoder_spec(spec);
  MlpSpec mlp;
  mlp.sizes.assign(enc.sizes.rbegin(), enc.sizes.rend());
  mlp.acts.assign(mlp.sizes.size() - 1, Activation::tanh);
  mlp.acts.back() = Activation::sigmoid;
  return mlp;
}

Autoencoder autoencoder_create(const AutoencoderSpec& spec, Rng& rng) {
  Autoencoder model;
  model.encoder = mlp_create(encoder_spec(spec), rng);
  model.decoder = mlp_create(decoder_spec(spec), rng);
  return model;
}

AutoencoderGrad autoencoder_grad_zeros(const Autoencoder& model) {
  return {mlp_grad_zeros(model.encoder), mlp_grad_zeros(model.decoder)};
}

std::string autoencoder_check(const Autoencoder& model) {
  if (model.encoder.layers.empty() || model.decoder.layers.empty())
    return "an autoencoder needs both an encoder and a decoder";
  if (model.decoder.in_size() != model.encoder.out_size())
    return "decoder input width " + std::to_string(model.decoder.in_size()) +
           " does not match encoder code width " + std::to_string(model.encoder.out_size());
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

}  // namespace lp
