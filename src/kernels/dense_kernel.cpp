#include "kernels/dense_kernel.h"

#include <Eigen/Core>

namespace lp {
namespace {
using ConstMap = Eigen::Map<const Eigen::MatrixXf>;
using Map = Eigen::Map<Eigen::MatrixXf>;
}  // namespace

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

void dense_input_grad_scalar(const DenseView& layer, const float* dz, int n, float* dx) {
  const int in = layer.in, out = layer.out;
  for (int s = 0; s < n; ++s) {
    const float* dzs = dz + static_cast<size_t>(s) * out;
    for (int j = 0; j < in; ++j) {
      // dx[j] is column j of W dotted with dz: both contiguous.
      const float* wj = layer.weight + static_cast<size_t>(j) * out;
      float sum = 0.0f;
      for (int o = 0; o < out; ++o) sum += wj[o] * dzs[o];
      dx[static_cast<size_t>(s) * in + j] = sum;
    }
  }
}

void dense_weight_grad_scalar(const float* dz, int out, int n, const float* x, int in, int lo, int hi, float* dw,
                              bool accumulate) {
  for (int j = lo; j < hi; ++j) {
    float* dwj = dw + static_cast<size_t>(j - lo) * out;
    if (!accumulate)
      for (int o = 0; o < out; ++o) dwj[o] = 0.0f;
    for (int s = 0; s < n; ++s) {
      const float xj = x[static_cast<size_t>(s) * in + j];
      const float* dzs = dz + static_cast<size_t>(s) * out;
      for (int o = 0; o < out; ++o) dwj[o] += dzs[o] * xj;
    }
  }
}

// dense_pack and dense_kernel_name for SIMD128 are in dense_kernel_simd128.cpp,
// beside the kernels: the relaxed-SIMD build of that file replaces the whole
// object, name included (web/CMakeLists.txt).
#if defined(__wasm_simd128__)
void dense_infer(const DenseView& layer, const float* x, int n, float* y) { dense_infer_simd128(layer, x, n, y); }
void dense_input_grad(const DenseView& layer, const float* dz, int n, float* dx) {
  dense_input_grad_simd128(layer, dz, n, dx);
}
void dense_weight_grad(const float* dz, int out, int n, const float* x, int in, int lo, int hi, float* dw,
                       bool accumulate) {
  dense_weight_grad_simd128(dz, out, n, x, in, lo, hi, dw, accumulate);
}
#elif defined(__EMSCRIPTEN__)
std::vector<float> dense_pack(const DenseView&) { return {}; }
const char* dense_kernel_name() { return "scalar"; }
void dense_infer(const DenseView& layer, const float* x, int n, float* y) { dense_infer_scalar(layer, x, n, y); }
void dense_input_grad(const DenseView& layer, const float* dz, int n, float* dx) {
  dense_input_grad_scalar(layer, dz, n, dx);
}
void dense_weight_grad(const float* dz, int out, int n, const float* x, int in, int lo, int hi, float* dw,
                       bool accumulate) {
  dense_weight_grad_scalar(dz, out, n, x, in, lo, hi, dw, accumulate);
}
#else
std::vector<float> dense_pack(const DenseView&) { return {}; }
const char* dense_kernel_name() { return "eigen"; }
void dense_infer(const DenseView& layer, const float* x, int n, float* y) {
  Map ys(y, layer.out, n);
  ys.noalias() = ConstMap(layer.weight, layer.out, layer.in) * ConstMap(x, layer.in, n);
  ys.colwise() += Eigen::Map<const Eigen::VectorXf>(layer.bias, layer.out);
  activation_forward(layer.act, ys);
}
void dense_input_grad(const DenseView& layer, const float* dz, int n, float* dx) {
  Map(dx, layer.in, n).noalias() = ConstMap(layer.weight, layer.out, layer.in).transpose() * ConstMap(dz, layer.out, n);
}
void dense_weight_grad(const float* dz, int out, int n, const float* x, int in, int lo, int hi, float* dw,
                       bool accumulate) {
  // Rows lo..hi of x [in, n]: a block with x's own column stride.
  const Eigen::Map<const Eigen::MatrixXf, 0, Eigen::OuterStride<>> xs(x + lo, hi - lo, n, Eigen::OuterStride<>(in));
  Map dws(dw, out, hi - lo);
  if (accumulate)
    dws.noalias() += ConstMap(dz, out, n) * xs.transpose();  // [out, n] x [n, hi-lo]
  else
    dws.noalias() = ConstMap(dz, out, n) * xs.transpose();
}
#endif

}  // namespace lp
