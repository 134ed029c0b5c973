// A fully connected layer followed by an activation: a = f(W x + b).
//
// Batches are column-major [features, batch] matrices, so one sample is one
// contiguous column: an MNIST image is 784 consecutive floats, exactly as in the
// IDX file. W is [out, in] like PyTorch's nn.Linear.weight.
#pragma once
#include <Eigen/Core>

#include "activation.h"
#include "rng.h"

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

struct DenseGrad {
  Eigen::MatrixXf weight;  // [out, in]
  Eigen::VectorXf bias;    // [out]
};

// PyTorch's default nn.Linear initialisation: W and b uniform in +-1/sqrt(in).
Dense dense_create(int in, int out, Activation act, Rng& rng);
DenseGrad dense_grad_zeros(const Dense& layer);

// x [in, B] -> a [out, B].
void dense_forward(const Dense& layer, const Eigen::MatrixXf& x, Eigen::MatrixXf& a);

// dz = dL/dz [out, B] and the layer's input x [in, B] -> grad (replaced, not
// accumulated): dW = dz x^T, db = rowsum(dz).
void dense_param_grad(const Eigen::MatrixXf& x, const Eigen::MatrixXf& dz, DenseGrad& grad);

// Given x [in, B] and a [out, B] from the forward pass and da = dL/da [out, B]:
// overwrites da with dL/dz, writes the parameter gradients into grad (replacing
// them, not accumulating), and, when dx is non-null, writes dL/dx [in, B].
// The first layer of a network passes dx = nullptr: nobody needs the gradient
// of the input image, and skipping it saves a 784-wide matrix product.
void dense_backward(const Dense& layer, const Eigen::MatrixXf& x, const Eigen::MatrixXf& a,
                    Eigen::MatrixXf& da, DenseGrad& grad, Eigen::MatrixXf* dx);

}  // namespace lp
