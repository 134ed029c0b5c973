// A fully connected layer followed by an activation: a = f(W x + b).
//
// Batches are column-major [features, batch] matrices, so one sample is one
// contiguous column: an MNIST image is 784 consecutive floats, exactly as in the
// IDX file. W is [out, in] like PyTorch's nn.Linear.weight.
#pragma once
#include <Eigen/Core>

#include "kernels/dense_kernel.h"
#include "base/rng.h"

namespace lp {

// Wider layers are rejected as a corrupt or hostile architecture, before any allocation.
constexpr int kMaxLayerWidth = 1 << 16;

struct Dense {
  Eigen::MatrixXf weight;  // [out, in]
  Eigen::VectorXf bias;    // [out]
  Activation act = Activation::identity;

  int in_size() const { return static_cast<int>(weight.cols()); }
  int out_size() const { return static_cast<int>(weight.rows()); }
};

// Anything shaped like a layer's parameters: its gradient, Adam's moments.
struct DenseGrad {
  Eigen::MatrixXf weight;  // [out, in]
  Eigen::VectorXf bias;    // [out]
};

// PyTorch's default nn.Linear initialisation: W and b uniform in +-1/sqrt(in).
Dense dense_create(int in, int out, Activation act, Rng& rng);
DenseGrad dense_grad_zeros(const Dense& layer);

// The layer as the kernels see it (kernels/dense_kernel.h).
DenseView dense_view(const Dense& layer);

// x [in, B] -> a [out, B].
void dense_forward(const Dense& layer, const Eigen::MatrixXf& x, Eigen::MatrixXf& a);

// dz = dL/dz [out, B] and the layer's input x [in, B] -> grad (replaced, not
// accumulated): dW = dz x^T, db = rowsum(dz).
void dense_param_grad(const Eigen::MatrixXf& x, const Eigen::MatrixXf& dz, DenseGrad& grad);

}  // namespace lp
