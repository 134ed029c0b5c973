// Reconstructions and their errors: the tutorial's test metric, the anomaly
// score, the figures' per-image MSE. The one place that runs an image through
// encoder and decoder for evaluation.
#pragma once
#include <Eigen/Core>

#include "data/dataset.h"
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

// The same over a data set held as bytes, converted a chunk at a time, so a
// pass over 60,000 images never holds them all as floats. Chunks are spread
// over `threads` threads (native builds); the result does not depend on it.
Eigen::VectorXf reconstruction_errors(const Autoencoder& model, const Dataset& data, int threads = 1);
double reconstruction_mse(const Autoencoder& model, const Dataset& data, int threads = 1);
// `net` applied to images [first, first + count) of a data set (all of them
// when count < 0): [out, count].
Eigen::MatrixXf infer_images(const Mlp& net, const Dataset& data, int first = 0, int count = -1);

}  // namespace lp
