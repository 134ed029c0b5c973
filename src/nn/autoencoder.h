// The tutorial's autoencoder: an encoder MLP squeezing an image to a small code
// and a mirrored decoder MLP drawing the image back from the code.
#pragma once
#include <string>
#include <vector>

#include "nn/mlp.h"

namespace lp {

struct AutoencoderSpec {
  int input = 784;
  std::vector<int> hidden = {256, 128, 64};  // encoder order; the decoder mirrors it
  int latent = 2;
};

// input-hidden...-latent, tanh after every layer, so codes lie in [-1, 1]^latent.
MlpSpec encoder_spec(const AutoencoderSpec& spec);
// latent-...hidden reversed...-input, tanh on hidden layers, sigmoid output in [0, 1].
MlpSpec decoder_spec(const AutoencoderSpec& spec);

struct Autoencoder {
  Mlp encoder;
  Mlp decoder;
  size_t parameter_count() const { return encoder.parameter_count() + decoder.parameter_count(); }
};

struct AutoencoderCache {
  MlpCache encoder;
  MlpCache decoder;
  const Eigen::MatrixXf& codes() const { return encoder.output(); }           // [latent, B]
  const Eigen::MatrixXf& reconstruction() const { return decoder.output(); }  // [input, B]
};

struct AutoencoderGrad {
  MlpGrad encoder;
  MlpGrad decoder;
};

// Encoder and decoder are drawn from one stream, encoder first, like PyTorch
// constructing the tutorial's modules in order.
Autoencoder autoencoder_create(const AutoencoderSpec& spec, Rng& rng);
AutoencoderGrad autoencoder_grad_zeros(const Autoencoder& model);
// Empty when the encoder and decoder fit together, otherwise why not.
std::string autoencoder_check(const Autoencoder& model);

// x [input, B] -> cache (codes [latent, B], reconstruction [input, B]).
void autoencoder_forward(const Autoencoder& model, const Eigen::MatrixXf& x, AutoencoderCache& cache);
// drecon = dL/d(reconstruction) [input, B], consumed. Writes all gradients.
void autoencoder_backward(const Autoencoder& model, AutoencoderCache& cache, Eigen::MatrixXf& drecon,
                          AutoencoderGrad& grad);

}  // namespace lp
