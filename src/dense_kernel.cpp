#include "dense_kernel.h"

#include <Eigen/Core>

namespace lp {

void dense_infer_scalar(const DenseView& layer, const float* x, int n, float* y) {
  const int in = layer.in, out = layer.out;
  for (int s = 0; s < n; ++s) {
    const float* xs = x + static_cast<size_t>(s) * in;
    float* ys = y + static_cast<size_t>(s) * out;
    for (int o = 0; o < out; ++o) ys[o] = layer.bias[o];
    // Column by column (axpy order): walks W in memory order.
    for (int j = 0; j < in; ++j) {
      const float xj = xs[j];
      const float* wj = layer.weight + static_cast<size_t>(j) * out;
      for (int o = 0; o < out; ++o) ys[o] += wj[o] * xj;
    }
    for (int o = 0; o < out; ++o) ys[o] = activation_apply(layer.act, ys[o]);
  }
}

#if defined(__wasm_simd128__)
const char* dense_kernel_name() { return "simd128"; }
void dense_infer(const DenseView& layer, const float* x, int n, float* y) {
  dense_infer_simd128(layer, x, n, y);
}
#elif defined(__EMSCRIPTEN__)
const char* dense_kernel_name() { return "scalar"; }
void dense_infer(const DenseView& layer, const float* x, int n, float* y) {
  dense_infer_scalar(layer, x, n, y);
}
#else
const char* dense_kernel_name() { return "eigen"; }
void dense_infer(const DenseView& layer, const float* x, int n, float* y) {
  using ConstMap = Eigen::Map<const Eigen::MatrixXf>;
  ConstMap w(layer.weight, layer.out, layer.in);
  Eigen::Map<const Eigen::VectorXf> b(layer.bias, layer.out);
  Eigen::Map<Eigen::MatrixXf> ys(y, layer.out, n);
  ys.noalias() = w * ConstMap(x, layer.in, n);
  ys.colwise() += b;
  activation_forward(layer.act, ys);
}
#endif

}  // namespace lp
