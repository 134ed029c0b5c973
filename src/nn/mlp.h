// A multilayer perceptron: a chain of Dense layers.
#pragma once
#include <string>
#include <vector>

#include "nn/dense.h"

namespace lp {

// Architecture only: sizes[0] is the input width, sizes[k+1] the width of layer k.
struct MlpSpec {
  std::vector<int> sizes;
  std::vector<Activation> acts;  // one per layer: acts.size() == sizes.size() - 1
};

struct Mlp {
  std::vector<Dense> layers;

  // 0 for an empty network (the missing half of a one-half model file).
  int in_size() const { return layers.empty() ? 0 : layers.front().in_size(); }
  int out_size() const { return layers.empty() ? 0 : layers.back().out_size(); }
  bool empty() const { return layers.empty(); }
  MlpSpec spec() const;
  size_t parameter_count() const;
};

// Every intermediate activation of one forward pass, kept for the backward pass:
// a[0] is the input [in, B], a[k+1] the output of layer k.
struct MlpCache {
  std::vector<Eigen::MatrixXf> a;
  const Eigen::MatrixXf& output() const { return a.back(); }
};

using MlpGrad = std::vector<DenseGrad>;

// Empty string when the spec is usable, otherwise what is wrong with it.
std::string mlp_spec_check(const MlpSpec& spec);
Mlp mlp_create(const MlpSpec& spec, Rng& rng);
MlpGrad mlp_grad_zeros(const Mlp& mlp);

// x [in, B] -> cache.a (cache.output() is [out, B]).
void mlp_forward(const Mlp& mlp, const Eigen::MatrixXf& x, MlpCache& cache);

// dout = dL/d(output) [out, B], consumed (overwritten). Writes every layer's
// gradient and, when dx is non-null, dL/dx [in, B].
void mlp_backward(const Mlp& mlp, const MlpCache& cache, Eigen::MatrixXf& dout, MlpGrad& grad,
                  Eigen::MatrixXf* dx);

// The activation-gradient half of mlp_backward: dz[k] = dL/dz of layer k
// [out_k, B] for every layer, and dx when non-null, but no parameter
// gradients. With the cache's a[k], dz[k] gives layer k's gradient as
// dW = dz[k] a[k]^T and db = rowsum(dz[k]), which the trainer computes later,
// split across threads. With dout_is_dz, dout is already dL/dz of the last
// layer (a loss differentiated through its activation, as binary
// cross-entropy is through the sigmoid), so that activation is not applied again.
void mlp_backward_dz(const Mlp& mlp, const MlpCache& cache, Eigen::MatrixXf& dout, std::vector<Eigen::MatrixXf>& dz,
                     Eigen::MatrixXf* dx, bool dout_is_dz = false);

// Inference without a cache, through the build's dense kernel (kernels/dense_kernel.h):
// x holds n samples of in_size() floats each, y receives n * out_size() floats.
void mlp_infer(const Mlp& mlp, const float* x, int n, float* y);
// The layers' weights also in the layout the build's forward kernel reads for
// large batches (kernels/dense_kernel.h, dense_pack): made once when a model
// is loaded by code that then decodes many batches with it (the page and its
// decode workers), so no call repacks them. Empty entries where the kernel
// reads W as it is (native builds). Valid while the Mlp is unchanged.
struct PackedMlp {
  std::vector<std::vector<float>> layers;
};
PackedMlp mlp_pack(const Mlp& mlp);
void mlp_infer(const Mlp& mlp, const PackedMlp& packed, const float* x, int n, float* y);
// The same for a matrix of samples: x [in, n] -> [out, n].
Eigen::MatrixXf mlp_infer(const Mlp& mlp, const Eigen::Ref<const Eigen::MatrixXf>& x);

}  // namespace lp
