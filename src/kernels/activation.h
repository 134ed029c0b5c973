// Element-wise activations, applied in place to a [features, batch] matrix.
//
// Backward passes use the activation's *output* a = f(z), not its input z:
// for tanh, sigmoid and relu the derivative is a cheap function of a, so the
// forward pass only has to keep one matrix per layer.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include <Eigen/Core>

namespace lp {

// The numeric values are part of the weights file format: never renumber.
enum class Activation : uint32_t { identity = 0, tanh = 1, sigmoid = 2, relu = 3 };

bool activation_is_valid(uint32_t code);
const char* activation_name(Activation act);
// Parses "identity", "tanh", "sigmoid" or "relu".
bool activation_parse(std::string_view name, Activation* out);

// z -> f(z), in place.
void activation_forward(Activation act, Eigen::Ref<Eigen::MatrixXf> z);
// grad (dL/da) -> dL/dz = grad * f'(z), in place, with f'(z) computed from a = f(z).
void activation_backward(Activation act, const Eigen::Ref<const Eigen::MatrixXf>& a,
                         Eigen::Ref<Eigen::MatrixXf> grad);

// Scalar versions, for the inference kernels that work on raw float arrays.
float activation_apply(Activation act, float z);

}  // namespace lp
