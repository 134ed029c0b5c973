#include "nn/mlp.h"

#include <algorithm>
#include <memory>


namespace lp {

MlpSpec Mlp::spec() const {
  MlpSpec spec;
  spec.sizes.push_back(in_size());
  for (const Dense& layer : layers) {
    spec.sizes.push_back(layer.out_size());
    spec.acts.push_back(layer.act);
  }
  return spec;
}

size_t Mlp::parameter_count() const {
  size_t count = 0;
  for (const Dense& layer : layers) count += layer.weight.size() + layer.bias.size();
  return count;
}

std::string mlp_spec_check(const MlpSpec& spec) {
  if (spec.sizes.size() < 2) return "a network needs at least one layer";
  if (spec.acts.size() != spec.sizes.size() - 1)
    return "expected one activation per layer";
  for (int size : spec.sizes)
    if (size < 1 || size > kMaxLayerWidth)
      return "layer width " + std::to_string(size) + " is outside 1.." +
             std::to_string(kMaxLayerWidth);
  return {};
}

Mlp mlp_create(const MlpSpec& spec, Rng& rng) {
  Mlp mlp;
  for (size_t k = 0; k + 1 < spec.sizes.size(); ++k)
    mlp.layers.push_back(dense_create(spec.sizes[k], spec.sizes[k + 1], spec.acts[k], rng));
  return mlp;
}

MlpGrad mlp_grad_zeros(const Mlp& mlp) {
  MlpGrad grad;
  for (const Dense& layer : mlp.layers) grad.push_back(dense_grad_zeros(layer));
  return grad;
}

void mlp_forward(const Mlp& mlp, const Eigen::MatrixXf& x, MlpCache& cache) {
  cache.a.resize(mlp.layers.size() + 1);
  cache.a[0] = x;
  for (size_t k = 0; k < mlp.layers.size(); ++k)
    dense_forward(mlp.layers[k], cache.a[k], cache.a[k + 1]);
}

void mlp_backward(const Mlp& mlp, const MlpCache& cache, Eigen::MatrixXf& dout, MlpGrad& grad,
                  Eigen::MatrixXf* dx) {
  std::vector<Eigen::MatrixXf> dz;
  mlp_backward_dz(mlp, cache, dout, dz, dx);
  for (size_t k = 0; k < mlp.layers.size(); ++k) dense_param_grad(cache.a[k], dz[k], grad[k]);
}

void mlp_backward_dz(const Mlp& mlp, const MlpCache& cache, Eigen::MatrixXf& dout, std::vector<Eigen::MatrixXf>& dz,
                     Eigen::MatrixXf* dx, bool dout_is_dz) {
  const size_t layers = mlp.layers.size();
  dz.resize(layers);
  dz[layers - 1] = std::move(dout);
  for (size_t k = layers; k-- > 0;) {
    if (!(dout_is_dz && k + 1 == layers)) activation_backward(mlp.layers[k].act, cache.a[k + 1], dz[k]);  // dL/da -> dL/dz
    Eigen::MatrixXf* below = k > 0 ? &dz[k - 1] : dx;
    if (!below) continue;
    below->resize(mlp.layers[k].in_size(), dz[k].cols());
    dense_input_grad(dense_view(mlp.layers[k]), dz[k].data(), static_cast<int>(dz[k].cols()), below->data());  // [in, B]
  }
}

Eigen::MatrixXf mlp_infer(const Mlp& mlp, const Eigen::Ref<const Eigen::MatrixXf>& x) {
  Eigen::MatrixXf y(mlp.out_size(), x.cols());
  mlp_infer(mlp, x.data(), static_cast<int>(x.cols()), y.data());
  return y;
}

PackedMlp mlp_pack(const Mlp& mlp) {
  PackedMlp packed;
  for (const Dense& layer : mlp.layers) packed.layers.push_back(dense_pack(dense_view(layer)));
  return packed;
}

void mlp_infer(const Mlp& mlp, const float* x, int n, float* y) { mlp_infer(mlp, PackedMlp{}, x, n, y); }

void mlp_infer(const Mlp& mlp, const PackedMlp& packed, const float* x, int n, float* y) {
  // Two ping-pong buffers for the hidden layers' outputs, sized for the
  // widest, kept from call to call (per thread) and never cleared: every
  // float is written by a layer before the next one reads it. A decode of
  // 1,024 codes needs 2 x 1 MB; allocating and zeroing that on every call
  // cost more than a small layer's products.
  size_t widest = 0;
  for (size_t k = 0; k + 1 < mlp.layers.size(); ++k)
    widest = std::max(widest, static_cast<size_t>(mlp.layers[k].out_size()));
  thread_local std::unique_ptr<float[]> scratch;
  thread_local size_t scratch_floats = 0;
  const size_t per_buffer = widest * static_cast<size_t>(n);
  if (scratch_floats < 2 * per_buffer) {
    scratch.reset();  // free the old block before asking for the larger one
    scratch_floats = 0;
    scratch.reset(new float[2 * per_buffer]);
    scratch_floats = 2 * per_buffer;
  }
  float* ping = scratch.get();
  float* pong = ping + per_buffer;
  const float* in = x;
  for (size_t k = 0; k < mlp.layers.size(); ++k) {
    const Dense& layer = mlp.layers[k];
    const bool last = k + 1 == mlp.layers.size();
    float* out = last ? y : (in == ping ? pong : ping);
    DenseView view = dense_view(layer);
    if (k < packed.layers.size() && !packed.layers[k].empty()) view.packed = packed.layers[k].data();
    dense_infer(view, in, n, out);
    in = out;
  }
}

}  // namespace lp
