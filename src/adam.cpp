#include "adam.h"

#include <cmath>

namespace lp {

AdamState adam_init(const std::vector<ParamSlot>& slots) {
  AdamState state;
  for (const ParamSlot& slot : slots) {
    state.m.push_back(Eigen::VectorXf::Zero(static_cast<Eigen::Index>(slot.size)));
    state.v.push_back(Eigen::VectorXf::Zero(static_cast<Eigen::Index>(slot.size)));
  }
  return state;
}

// One fused, vectorisable pass over n elements: Adam is memory-bound, and
// separate statements would stream the state through the cache three times.
// The scalars come by value so the compiler knows the stores cannot alias them.
void adam_update(float* __restrict p, const float* __restrict g, float* __restrict m, float* __restrict v, size_t n,
                 AdamScalars k) {
  for (size_t i = 0; i < n; ++i) {
    const float mi = m[i] * k.b1 + g[i] * k.one_minus_b1;
    const float vi = v[i] * k.b2 + g[i] * g[i] * k.one_minus_b2;
    m[i] = mi;
    v[i] = vi;
    p[i] -= k.step_size * mi / (std::sqrt(vi) * k.inv_bc2_sqrt + k.eps);
  }
}

AdamScalars adam_begin_step(AdamState& state, double lr, const AdamConfig& config) {
  state.step += 1;
  const double t = static_cast<double>(state.step);
  // Scalars in double, tensors in float: PyTorch's split.
  const double bias_correction1 = 1.0 - std::pow(config.beta1, t);
  const double bias_correction2 = 1.0 - std::pow(config.beta2, t);
  return AdamScalars{static_cast<float>(config.beta1),
                      static_cast<float>(config.beta2),
                      static_cast<float>(1.0 - config.beta1),
                      static_cast<float>(1.0 - config.beta2),
                      static_cast<float>(lr / bias_correction1),
                      static_cast<float>(1.0 / std::sqrt(bias_correction2)),
                      static_cast<float>(config.eps)};
}

void adam_step(AdamState& state, const std::vector<ParamSlot>& slots, double lr, const AdamConfig& config,
               ThreadPool* pool) {
  const AdamScalars k = adam_begin_step(state, lr, config);
  auto update = [&](int part, int parts) {
    for (size_t s = 0; s < slots.size(); ++s) {
      const size_t n = slots[s].size, lo = n * part / parts, hi = n * (part + 1) / parts;
      adam_update(slots[s].value + lo, slots[s].grad + lo, state.m[s].data() + lo, state.v[s].data() + lo, hi - lo, k);
    }
  };
  if (pool)
    pool->run([&](int part) { update(part, pool->size()); });
  else
    update(0, 1);
}

}  // namespace lp
