#include "kernels/activation.h"

#include <cmath>

namespace lp {

bool activation_is_valid(uint32_t code) { return code <= static_cast<uint32_t>(Activation::relu); }

const char* activation_name(Activation act) {
  switch (act) {
    case Activation::identity: return "identity";
    case Activation::tanh: return "tanh";
    case Activation::sigmoid: return "sigmoid";
    case Activation::relu: return "relu";
  }
  return "unknown";
}

bool activation_parse(std::string_view name, Activation* out) {
  for (uint32_t code = 0; activation_is_valid(code); ++code) {
    const auto act = static_cast<Activation>(code);
    if (name == activation_name(act)) {
      *out = act;
      return true;
    }
  }
  return false;
}

void activation_forward(Activation act, Eigen::Ref<Eigen::MatrixXf> z) {
  switch (act) {
    case Activation::identity: break;
    case Activation::tanh: z.array() = z.array().tanh(); break;
    // Eigen's logistic() is vectorised and saturates cleanly for large |z|.
    case Activation::sigmoid: z.array() = z.array().logistic(); break;
    case Activation::relu: z.array() = z.array().max(0.0f); break;
  }
}

void activation_backward(Activation act, const Eigen::Ref<const Eigen::MatrixXf>& a,
                         Eigen::Ref<Eigen::MatrixXf> grad) {
  switch (act) {
    case Activation::identity: break;
    case Activation::tanh: grad.array() *= 1.0f - a.array().square(); break;
    case Activation::sigmoid: grad.array() *= a.array() * (1.0f - a.array()); break;
    case Activation::relu: grad.array() = (a.array() > 0.0f).select(grad.array(), 0.0f); break;
  }
}

float activation_apply(Activation act, float z) {
  switch (act) {
    case Activation::identity: return z;
    case Activation::tanh: return std::tanh(z);
    case Activation::sigmoid: return 1.0f / (1.0f + std::exp(-z));
    case Activation::relu: return z > 0.0f ? z : 0.0f;
  }
  return z;
}

}  // namespace lp
