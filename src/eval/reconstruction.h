// Reconstructions and their errors: the tutorial's test metric, the anomaly
// score, the figures' per-image MSE. The one place that runs an image through
// encoder and decoder for evaluation.
#pragma once
#include <Eigen/Core>

#include "data/dataset.h"
#include "nn/autoencoder.h"
#include "nn/train_step.h"

namespace lp {

// decoder(encoder(images)): [input, N] -> [input, N]. A VAE decodes its
// posterior mean mu (z = mu, no sampling), as every analysis does.
Eigen::MatrixXf reconstruct(const Autoencoder& model, const Eigen::Ref<const Eigen::MatrixXf>& images);
// Per-image mean squared error between reconstruction of `inputs` and
// `targets` [input, N] -> [N]. For denoising, inputs are the corrupted images
// and targets the clean ones; otherwise both are the same.
Eigen::VectorXf reconstruction_errors(const Autoencoder& model, const Eigen::Ref<const Eigen::MatrixXf>& inputs,
                                      const Eigen::Ref<const Eigen::MatrixXf>& targets);
inline Eigen::VectorXf reconstruction_errors(const Autoencoder& model, const Eigen::Ref<const Eigen::MatrixXf>& images) {
  return reconstruction_errors(model, images, images);
}
// Mean per-pixel MSE over all images (the tutorial's test metric); 0 for none.
double reconstruction_mse(const Autoencoder& model, const Eigen::Ref<const Eigen::MatrixXf>& images);

// The same over a data set held as bytes, converted a chunk at a time, so a
// pass over 60,000 images never holds them all as floats. Chunks are spread
// over `threads` threads (native builds); the result does not depend on it.
Eigen::VectorXf reconstruction_errors(const Autoencoder& model, const Dataset& data, int threads = 1);
double reconstruction_mse(const Autoencoder& model, const Dataset& data, int threads = 1);
// The training objective over a whole data set (objective_evaluate a chunk at
// a time, eps drawn from one stream seeded by `seed`): per pixel for an
// autoencoder, per image for a VAE, averaged over the images.
StepLoss objective_on_data(const Autoencoder& model, const TrainConfig& config, const Dataset& data, uint64_t seed);

// `net` applied to images [first, first + count) of a data set (all of them
// when count < 0): [out, count].
Eigen::MatrixXf infer_images(const Mlp& net, const Dataset& data, int first = 0, int count = -1);
// The codes of those images [latent, count] (autoencoder_encode: mu for a
// VAE), and a VAE's log-variances [latent, count] into *logvar when non-null.
Eigen::MatrixXf encode_images(const Autoencoder& model, const Dataset& data, int first = 0, int count = -1,
                              Eigen::MatrixXf* logvar = nullptr);

}  // namespace lp
