#include "nn/dense.h"

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

DenseView dense_view(const Dense& layer) {
  return {layer.weight.data(), layer.bias.data(), layer.in_size(), layer.out_size(), layer.act};
}

void dense_forward(const Dense& layer, const Eigen::MatrixXf& x, Eigen::MatrixXf& a) {
  a.resize(layer.out_size(), x.cols());
  dense_infer(dense_view(layer), x.data(), static_cast<int>(x.cols()), a.data());
}

void dense_param_grad(const Eigen::MatrixXf& x, const Eigen::MatrixXf& dz, DenseGrad& grad) {
  grad.weight.resize(dz.rows(), x.rows());
  dense_weight_grad(dz.data(), static_cast<int>(dz.rows()), static_cast<int>(dz.cols()), x.data(),
                    static_cast<int>(x.rows()), 0, static_cast<int>(x.rows()), grad.weight.data(), false);
  grad.bias.noalias() = dz.rowwise().sum();  // [out]
}

}  // namespace lp
