#include "dense.h"

#include <cmath>

namespace lp {

Dense dense_create(int in, int out, Activation act, Rng& rng) {
  Dense layer;
  layer.act = act;
  layer.weight.resize(out, in);
  layer.bias.resize(out);
  const float bound = 1.0f / std::sqrt(static_cast<float>(in));
  // Row-major fill order, the order PyTorch stores weights in, so a seed means
  // the same thing whichever way the matrix is laid out in memory.
  for (int o = 0; o < out; ++o)
    for (int i = 0; i < in; ++i) layer.weight(o, i) = rng.uniform(-bound, bound);
  for (int o = 0; o < out; ++o) layer.bias(o) = rng.uniform(-bound, bound);
  return layer;
}

DenseGrad dense_grad_zeros(const Dense& layer) {
  return {Eigen::MatrixXf::Zero(layer.out_size(), layer.in_size()),
          Eigen::VectorXf::Zero(layer.out_size())};
}

void dense_forward(const Dense& layer, const Eigen::MatrixXf& x, Eigen::MatrixXf& a) {
  a.resize(layer.out_size(), x.cols());
  a.noalias() = layer.weight * x;   // [out, in] x [in, B]
  a.colwise() += layer.bias;
  activation_forward(layer.act, a);
}

void dense_param_grad(const Eigen::MatrixXf& x, const Eigen::MatrixXf& dz, DenseGrad& grad) {
  grad.weight.noalias() = dz * x.transpose();  // [out, B] x [B, in]
  grad.bias.noalias() = dz.rowwise().sum();    // [out]
}

void dense_backward(const Dense& layer, const Eigen::MatrixXf& x, const Eigen::MatrixXf& a,
                    Eigen::MatrixXf& da, DenseGrad& grad, Eigen::MatrixXf* dx) {
  activation_backward(layer.act, a, da);                // da := dz [out, B]
  dense_param_grad(x, da, grad);
  if (dx) dx->noalias() = layer.weight.transpose() * da; // [in, out] x [out, B]
}

}  // namespace lp
