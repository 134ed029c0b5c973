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

void adam_step(AdamState& state, const std::vector<ParamSlot>& slots, double lr, const AdamConfig& config) {
  state.step += 1;
  const double t = static_cast<double>(state.step);
  // Scalars in double, tensors in float: PyTorch's split.
  const double bias_correction1 = 1.0 - std::pow(config.beta1, t);
  const double bias_correction2 = 1.0 - std::pow(config.beta2, t);
  const float step_size = static_cast<float>(lr / bias_correction1);
  const float bias_correction2_sqrt = static_cast<float>(std::sqrt(bias_correction2));
  const float b1 = static_cast<float>(config.beta1), b2 = static_cast<float>(config.beta2);
  const float one_minus_b1 = static_cast<float>(1.0 - config.beta1);
  const float one_minus_b2 = static_cast<float>(1.0 - config.beta2);
  const float eps = static_cast<float>(config.eps);
  for (size_t i = 0; i < slots.size(); ++i) {
    const auto n = static_cast<Eigen::Index>(slots[i].size);
    Eigen::Map<Eigen::ArrayXf> p(slots[i].value, n);
    Eigen::Map<const Eigen::ArrayXf> g(slots[i].grad, n);
    auto m = state.m[i].array();
    auto v = state.v[i].array();
    m = m * b1 + g * one_minus_b1;
    v = v * b2 + g.square() * one_minus_b2;
    p -= step_size * m / (v.sqrt() / bias_correction2_sqrt + eps);
  }
}

}  // namespace lp
