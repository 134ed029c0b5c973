// The tutorial's autoencoder and its variational twin: an encoder MLP
// squeezing an image to a small code and a decoder MLP drawing the image back
// from the code.
//
// A variational autoencoder (Kingma and Welling 2014, "Auto-Encoding
// Variational Bayes"; pytorch/examples' vae/main.py) has the same two MLPs.
// Its encoder ends in two linear heads of the code width, the posterior's mean
// mu and log-variance logvar (pytorch/examples' fc21 and fc22). Both heads read
// the same trunk output h, so they are exactly one linear layer of twice the
// code width whose rows are [W_mu; W_logvar]: that is how they are stored, and
// every MLP routine (kernels, Adam, files, wasm) serves them unchanged. The
// encoder's output column for one image is therefore [mu (L), logvar (L)].
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "nn/mlp.h"

namespace lp {

// The numeric values are part of the model file format (formats/model_file.h):
// never renumber.
enum class ModelKind : uint32_t { autoencoder = 1, vae = 2 };
// "autoencoder" or "variational autoencoder".
const char* model_kind_name(ModelKind kind);
// Parses the CLI's short names, "ae" or "vae".
bool model_kind_parse(const std::string& name, ModelKind* out);

// The widest code a model may have.
constexpr int kMaxLatent = 256;

struct AutoencoderSpec {
  int input = 784;
  std::vector<int> hidden = {256, 128, 64};  // encoder order; the decoder mirrors it
  int latent = 2;
  ModelKind kind = ModelKind::autoencoder;
  Activation hidden_act = Activation::tanh;  // the hidden layers of both halves
};

// input-hidden...-latent. An autoencoder's code layer is tanh, so its codes lie
// in [-1, 1]^latent; a VAE's is the two linear heads, 2 * latent wide.
MlpSpec encoder_spec(const AutoencoderSpec& spec);
// latent-...hidden reversed...-input, hidden_act on hidden layers, sigmoid output in [0, 1].
MlpSpec decoder_spec(const AutoencoderSpec& spec);

struct Autoencoder {
  ModelKind kind = ModelKind::autoencoder;
  Mlp encoder;
  Mlp decoder;
  bool is_vae() const { return kind == ModelKind::vae; }
  // The code width L: the decoder's input, or what the encoder produces (half
  // its output for a VAE). 0 for a model with neither half.
  int latent() const;
  size_t parameter_count() const { return encoder.parameter_count() + decoder.parameter_count(); }
};

// The parameters as one flat array of parameter_count() floats, layer by
// layer, encoder then decoder, each layer's weight [out, in] column-major and
// then its bias: a snapshot of a model whose architecture the receiver already
// has (the page's training snapshots, web/modules/trainer_module.cpp ->
// web/app/js_api.cpp), without a model file's framing and checksum.
void autoencoder_parameters_get(const Autoencoder& model, float* out);
// The reverse. Returns false, changing nothing, if `count` is not the
// model's parameter_count().
bool autoencoder_parameters_set(Autoencoder& model, const float* in, size_t count);

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
// Empty when the encoder and decoder fit together (and, for a VAE, the heads
// are linear and twice the decoder's input wide), otherwise why not.
std::string autoencoder_check(const Autoencoder& model);
// The same for a model holding only one half (the other left empty).
std::string autoencoder_half_check(const Autoencoder& model);

// The deterministic autoencoder's training pass (the VAE's is in nn/vae.h):
// x [input, B] -> cache (codes [latent, B], reconstruction [input, B]).
void autoencoder_forward(const Autoencoder& model, const Eigen::MatrixXf& x, AutoencoderCache& cache);
// drecon = dL/d(reconstruction) [input, B], consumed. Writes all gradients.
void autoencoder_backward(const Autoencoder& model, AutoencoderCache& cache, Eigen::MatrixXf& drecon,
                          AutoencoderGrad& grad);

// Inference: n images x [input, n] -> codes [latent, n], the encoder's output
// for an autoencoder and the posterior mean mu for a VAE (what every analysis
// and the page place on the pad). logvar, when non-null, receives a VAE's
// log-variance [latent, n]; it must be null for an autoencoder.
void autoencoder_encode(const Autoencoder& model, const float* x, int n, float* codes, float* logvar = nullptr);
Eigen::MatrixXf autoencoder_encode(const Autoencoder& model, const Eigen::Ref<const Eigen::MatrixXf>& x);

}  // namespace lp
