#include "nn/loss.h"

#include <algorithm>
#include <cmath>

namespace lp {

const char* recon_loss_name(ReconLoss loss) { return loss == ReconLoss::bce ? "bce" : "mse"; }

bool recon_loss_parse(const std::string& name, ReconLoss* out) {
  if (name == "mse") *out = ReconLoss::mse;
  else if (name == "bce") *out = ReconLoss::bce;
  else return false;
  return true;
}

double squared_error_sum(const Eigen::MatrixXf& pred, const Eigen::MatrixXf& target) {
  double sum = 0.0;
  for (Eigen::Index c = 0; c < pred.cols(); ++c)
    sum += static_cast<double>((pred.col(c) - target.col(c)).squaredNorm());
  return sum;
}

double mse_loss(const Eigen::MatrixXf& pred, const Eigen::MatrixXf& target) {
  return squared_error_sum(pred, target) / static_cast<double>(pred.size());
}

void mse_loss_backward(const Eigen::MatrixXf& pred, const Eigen::MatrixXf& target, double count,
                       Eigen::MatrixXf& grad) {
  const float scale = static_cast<float>(2.0 / count);
  grad.noalias() = scale * (pred - target);
}

double bce_sum(const Eigen::MatrixXf& pred, const Eigen::MatrixXf& target) {
  double sum = 0.0;
  for (Eigen::Index c = 0; c < pred.cols(); ++c) {
    double column = 0.0;  // per column first, so rounding does not grow with the batch
    for (Eigen::Index r = 0; r < pred.rows(); ++r) {
      const double p = pred(r, c), t = target(r, c);
      const double log_p = std::max(std::log(p), -100.0), log_q = std::max(std::log1p(-p), -100.0);
      column -= t * log_p + (1.0 - t) * log_q;
    }
    sum += column;
  }
  return sum;
}

void bce_logit_backward(const Eigen::MatrixXf& pred, const Eigen::MatrixXf& target, double count,
                        Eigen::MatrixXf& grad) {
  const float scale = static_cast<float>(1.0 / count);
  grad.noalias() = scale * (pred - target);
}

}  // namespace lp
