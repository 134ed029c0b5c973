#include "nn/lr_schedule.h"

namespace lp {

double MultiStepLr::rate(int epoch) const {
  double lr = base_lr;
  // A milestone listed twice decays twice, as in PyTorch (it counts them).
  for (int m : milestones)
    if (m <= epoch) lr *= gamma;
  return lr;
}

}  // namespace lp
