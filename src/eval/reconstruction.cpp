#include "eval/reconstruction.h"

#include <algorithm>

namespace lp {

Eigen::MatrixXf reconstruct(const Autoencoder& model, const Eigen::Ref<const Eigen::MatrixXf>& images) {
  return mlp_infer(model.decoder, mlp_infer(model.encoder, images));
}

Eigen::VectorXf reconstruction_errors(const Autoencoder& model, const Eigen::Ref<const Eigen::MatrixXf>& inputs,
                                      const Eigen::Ref<const Eigen::MatrixXf>& targets) {
  const Eigen::Index n = inputs.cols(), d = inputs.rows();
  Eigen::VectorXf errors(n);
  // Chunks keep the intermediate activations small whatever N is.
  constexpr Eigen::Index kChunk = 1000;
  Eigen::MatrixXf codes, recon;
  for (Eigen::Index first = 0; first < n; first += kChunk) {
    const Eigen::Index size = std::min(kChunk, n - first);
    codes.resize(model.encoder.out_size(), size);
    recon.resize(d, size);
    mlp_infer(model.encoder, inputs.col(first).data(), static_cast<int>(size), codes.data());
    mlp_infer(model.decoder, codes.data(), static_cast<int>(size), recon.data());
    errors.segment(first, size) =
        (recon - targets.middleCols(first, size)).colwise().squaredNorm().transpose() / static_cast<float>(d);
  }
  return errors;
}

double reconstruction_mse(const Autoencoder& model, const Eigen::Ref<const Eigen::MatrixXf>& images) {
  if (images.cols() == 0) return 0.0;
  return reconstruction_errors(model, images).cast<double>().mean();
}

}  // namespace lp
