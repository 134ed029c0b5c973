// Mean squared error, averaged over every element like PyTorch's nn.MSELoss().
#pragma once
#include <Eigen/Core>

namespace lp {

// pred, target: [features, B]. Accumulates in double so large batches stay exact.
double mse_loss(const Eigen::MatrixXf& pred, const Eigen::MatrixXf& target);
// Sum of squared differences, for losses split over several shards of a batch.
double squared_error_sum(const Eigen::MatrixXf& pred, const Eigen::MatrixXf& target);
// dL/dpred = 2 (pred - target) / count, where count is the number of elements
// the loss averages over: pred.size() for a whole batch, more for one shard.
void mse_loss_backward(const Eigen::MatrixXf& pred, const Eigen::MatrixXf& target, double count,
                       Eigen::MatrixXf& grad);

}  // namespace lp
