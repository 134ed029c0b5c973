// Multi-step learning-rate decay, as torch.optim.lr_scheduler.MultiStepLR.
#pragma once
#include <vector>

namespace lp {

struct MultiStepLr {
  double base_lr = 1e-3;
  std::vector<int> milestones = {10, 40};  // epochs (0-based) at which the rate is multiplied by gamma
  double gamma = 0.5;

  // The rate used during epoch `epoch` (0-based): base * gamma^(milestones <= epoch).
  double rate(int epoch) const;
};

}  // namespace lp
