// Adam, computed the way torch.optim.Adam (1.13, default options) does it, so
// the parity test can hold us to PyTorch within float rounding.
#pragma once
#include <cstdint>
#include <vector>

#include "nn/for_each_layer.h"

namespace lp {

struct AdamConfig {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
};

struct AdamState {
  int64_t step = 0;
  // One entry per layer in for_each_layer order, shaped like the layer.
  std::vector<DenseGrad> m;  // first moment
  std::vector<DenseGrad> v;  // second moment
};

// Zero moments for every layer of `model` (an Mlp or an Autoencoder).
template <class Model>
AdamState adam_init(const Model& model) {
  AdamState state;
  for_each_layer(model, [&](LayerRef, const Dense& layer) {
    state.m.push_back(dense_grad_zeros(layer));
    state.v.push_back(dense_grad_zeros(layer));
  });
  return state;
}

// The per-step scalars of Adam's update, shared by every element.
struct AdamScalars {
  float b1, b2, one_minus_b1, one_minus_b2, step_size, inv_bc2_sqrt, eps;
};
// Advances state.step and returns the scalars for that step at rate lr.
AdamScalars adam_begin_step(AdamState& state, double lr, const AdamConfig& config = {});
// The element-wise update of n parameters p with gradients g and moments m, v.
void adam_update(float* p, const float* g, float* m, float* v, size_t n, AdamScalars k);
// The same for a whole layer.
void adam_update_layer(Dense& layer, const DenseGrad& grad, DenseGrad& m, DenseGrad& v, AdamScalars k);

}  // namespace lp
