// Reconstruction losses: mean squared error (the tutorial's, like PyTorch's
// nn.MSELoss) and binary cross-entropy (pytorch/examples' VAE, like
// F.binary_cross_entropy). Both accumulate in double so large batches stay exact.
#pragma once
#include <string>

#include <Eigen/Core>

namespace lp {

enum class ReconLoss { mse, bce };
const char* recon_loss_name(ReconLoss loss);  // "mse" or "bce"
bool recon_loss_parse(const std::string& name, ReconLoss* out);

// pred, target: [features, B]. Mean over every element.
double mse_loss(const Eigen::MatrixXf& pred, const Eigen::MatrixXf& target);
// Sum of squared differences, for losses split over several shards of a batch.
double squared_error_sum(const Eigen::MatrixXf& pred, const Eigen::MatrixXf& target);
// dL/dpred = 2 (pred - target) / count, where count is what the loss divides
// the sum by: pred.size() for a whole batch's mean, more for one shard of it,
// the batch size for a VAE's per-image sum.
void mse_loss_backward(const Eigen::MatrixXf& pred, const Eigen::MatrixXf& target, double count,
                       Eigen::MatrixXf& grad);

// -sum over every element of [t log p + (1 - t) log(1 - p)], each log clamped
// at -100 as PyTorch's BCELoss does, so a saturated sigmoid costs a large but
// finite loss. pred in [0, 1], target in [0, 1].
double bce_sum(const Eigen::MatrixXf& pred, const Eigen::MatrixXf& target);
// The gradient of bce_sum / count with respect to the logit z, where
// pred = sigmoid(z): (pred - target) / count. Taken through the logit (as
// BCEWithLogitsLoss does), it stays finite where the sigmoid saturates; feed it
// to mlp_backward_dz with dout_is_dz.
void bce_logit_backward(const Eigen::MatrixXf& pred, const Eigen::MatrixXf& target, double count,
                        Eigen::MatrixXf& grad);

}  // namespace lp
