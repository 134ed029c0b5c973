#include "nn/vae.h"

#include <cmath>

namespace lp {

void vae_draw_eps(Rng& rng, int latent, int batch, Eigen::MatrixXf& eps) {
  eps.resize(latent, batch);
  for (Eigen::Index i = 0; i < eps.size(); ++i) eps.data()[i] = rng.normal();
}

void vae_reparameterise(const Eigen::MatrixXf& heads, const Eigen::MatrixXf& eps, Eigen::MatrixXf& z) {
  const Eigen::Index latent = eps.rows();
  z.resize(latent, eps.cols());
  z.array() = heads.topRows(latent).array() + (0.5f * heads.bottomRows(latent).array()).exp() * eps.array();
}

double vae_kl_sum(const Eigen::MatrixXf& heads) {
  const Eigen::Index latent = heads.rows() / 2;
  double sum = 0.0;
  for (Eigen::Index c = 0; c < heads.cols(); ++c)
    for (Eigen::Index r = 0; r < latent; ++r) {
      const double mu = heads(r, c), logvar = heads(latent + r, c);
      sum += -0.5 * (1.0 + logvar - mu * mu - static_cast<double>(std::exp(static_cast<float>(logvar))));
    }
  return sum;
}

void vae_heads_backward(const Eigen::MatrixXf& heads, const Eigen::MatrixXf& eps, const Eigen::MatrixXf& dz,
                        double kl_weight, Eigen::MatrixXf& dheads) {
  const Eigen::Index latent = dz.rows();
  const float w = static_cast<float>(kl_weight);
  dheads.resize(2 * latent, dz.cols());
  const auto mu = heads.topRows(latent).array();
  const auto logvar = heads.bottomRows(latent).array();
  dheads.topRows(latent).array() = dz.array() + w * mu;
  dheads.bottomRows(latent).array() =
      0.5f * dz.array() * (0.5f * logvar).exp() * eps.array() + (0.5f * w) * (logvar.exp() - 1.0f);
}

}  // namespace lp
