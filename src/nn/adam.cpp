#include "nn/adam.h"

#include <cmath>

namespace lp {

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

void adam_update_layer(Dense& layer, const DenseGrad& grad, DenseGrad& m, DenseGrad& v, AdamScalars k) {
  adam_update(layer.weight.data(), grad.weight.data(), m.weight.data(), v.weight.data(),
              static_cast<size_t>(layer.weight.size()), k);
  adam_update(layer.bias.data(), grad.bias.data(), m.bias.data(), v.bias.data(), static_cast<size_t>(layer.bias.size()),
              k);
}

}  // namespace lp
