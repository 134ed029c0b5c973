// The variational autoencoder's own pieces of a training step: the
// reparameterisation, the KL term and their backward pass (Kingma and Welling
// 2014, "Auto-Encoding Variational Bayes", section 2.4 and appendix B).
//
// The encoder's heads give heads [2L, B] = [mu; logvar] (nn/autoencoder.h).
// The approximate posterior is q(z|x) = N(mu, diag(sigma^2)) with
// sigma = exp(logvar / 2); the prior is N(0, I).
#pragma once
#include <Eigen/Core>

#include "base/rng.h"

namespace lp {

// eps [L, B] of independent N(0, 1) draws, column by column (one image's L
// values together), from rng.
void vae_draw_eps(Rng& rng, int latent, int batch, Eigen::MatrixXf& eps);

// The reparameterisation: z = mu + sigma * eps, with heads [2L, B] and
// eps [L, B] -> z [L, B]. z is differentiable in mu and logvar, so the
// sampling noise stays outside the gradient.
void vae_reparameterise(const Eigen::MatrixXf& heads, const Eigen::MatrixXf& eps, Eigen::MatrixXf& z);

// KL(q(z|x) || N(0, I)) summed over the batch and code dimensions:
// -1/2 sum (1 + logvar - mu^2 - exp(logvar))  (appendix B). Infinite when
// exp(logvar) overflows, which the divergence rule then catches.
double vae_kl_sum(const Eigen::MatrixXf& heads);

// The backward pass through z and the weighted KL term, for a loss
// L = R(z) + kl_weight * vae_kl_sum(heads):
//   dL/dmu     = dz + kl_weight * mu
//   dL/dlogvar = dz * sigma * eps / 2 + kl_weight * (exp(logvar) - 1) / 2
// dz = dL/dz [L, B] -> dheads [2L, B] = [dL/dmu; dL/dlogvar].
void vae_heads_backward(const Eigen::MatrixXf& heads, const Eigen::MatrixXf& eps, const Eigen::MatrixXf& dz,
                        double kl_weight, Eigen::MatrixXf& dheads);

}  // namespace lp
