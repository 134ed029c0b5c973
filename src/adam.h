// Adam, computed the way torch.optim.Adam (1.13, default options) does it, so
// the parity test can hold us to PyTorch within float rounding.
#pragma once
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "autoencoder.h"

namespace lp {

struct AdamConfig {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
};

struct AdamState {
  int64_t step = 0;
  std::vector<Eigen::VectorXf> m;  // first moment, one per parameter slot
  std::vector<Eigen::VectorXf> v;  // second moment
};

AdamState adam_init(const std::vector<ParamSlot>& slots);
// One update of every slot with learning rate lr.
void adam_step(AdamState& state, const std::vector<ParamSlot>& slots, double lr, const AdamConfig& config = {});

}  // namespace lp
