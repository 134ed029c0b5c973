// Reconstructions and their errors: the tutorial's test metric, the anomaly
// score, the figures' per-image MSE. The one place that runs an image through
// encoder and decoder for evaluation.
#pragma once
#include <Eigen/Core>

#include "nn/autoencoder.h"

namespace lp {

// decoder(encoder(images)): [input, N] -> [input, N].
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

}  // namespace lp
