// Adam, computed the way torch.optim.Adam (1.13, default options) does it, so
// the parity test can hold us to PyTorch within float rounding.
#pragma once
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "autoencoder.h"
#include "thread_pool.h"

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
// The per-step scalars of Adam's update, shared by every element.
struct AdamScalars {
  float b1, b2, one_minus_b1, one_minus_b2, step_size, inv_bc2_sqrt, eps;
};
// Advances state.step and returns the scalars for that step at rate lr.
AdamScalars adam_begin_step(AdamState& state, double lr, const AdamConfig& config = {});
// The element-wise update of n parameters p with gradients g and moments m, v.
void adam_update(float* p, const float* g, float* m, float* v, size_t n, AdamScalars k);

// One update of every slot with learning rate lr. With a pool, each thread
// updates its own contiguous part of every slot (the update is element-wise,
// so the result does not depend on the split).
void adam_step(AdamState& state, const std::vector<ParamSlot>& slots, double lr, const AdamConfig& config = {},
               ThreadPool* pool = nullptr);

}  // namespace lp
