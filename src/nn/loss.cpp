#include "nn/loss.h"

namespace lp {

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

}  // namespace lp
