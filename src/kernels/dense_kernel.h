// The three matrix products of a dense layer, y = f(W x + b), over a batch:
//
//   forward          y  [out, n]        = f(W x + b)          dense_infer
//   input gradient   dx [in, n]         = W^T dz              dense_input_grad
//   weight gradient  dW[:, lo:hi] (+)=  dz x[lo:hi, :]^T      dense_weight_grad
//
// One interface, an implementation per build, so callers (the trainer,
// mlp_infer, the web UI) never choose:
//   - native builds: Eigen, which vectorises for the host CPU;
//   - wasm builds with -msimd128: hand-written SIMD128 intrinsics for all
//     three (Eigen 3.4 has no WebAssembly SIMD path and would run scalar);
//     the same source compiled with -mrelaxed-simd (clang-19, the standalone
//     modules' second build) fuses their multiply-adds;
//   - anything else: the scalar references.
// The scalar references are always compiled: tests cross-check the others.
//
// Every matrix is column-major (Eigen's default) with one sample per column.
#pragma once
#include <vector>

#include "kernels/activation.h"

namespace lp {

// A non-owning view of a layer. weight is column-major [out, in], so column j
// (the weights reading input j) is out contiguous floats.
struct DenseView {
  const float* weight;
  const float* bias;
  int in;
  int out;
  Activation act;
  // Optional: the weights as dense_pack() repacks them, kept with the model so
  // that large batches need not repack them on every call.
  const float* packed = nullptr;
};

// The weights in the layout this build's forward kernel reads for large
// batches (SIMD128: panels of 8 outputs, [out/8][in][8]); empty when the
// kernel reads W as it is (Eigen, scalar).
std::vector<float> dense_pack(const DenseView& layer);

// x: n samples of `in` floats each; y: n samples of `out` floats each.
void dense_infer(const DenseView& layer, const float* x, int n, float* y);
// dz: n samples of `out` floats (dL/dz); dx: n samples of `in` floats.
void dense_input_grad(const DenseView& layer, const float* dz, int n, float* dx);
// The block of input columns [lo, hi) of dW [out, in]: dw points at column lo
// and receives (hi - lo) * out floats; x holds n samples of `in` floats, of
// which rows lo..hi are read. accumulate adds to dw instead of overwriting it.
// Column blocks let several threads share one layer's weight gradient.
void dense_weight_grad(const float* dz, int out, int n, const float* x, int in, int lo, int hi, float* dw,
                       bool accumulate);
// The implementation this build uses: "eigen", "simd128", "relaxed-simd"
// (SIMD128 with fused multiply-adds) or "scalar".
const char* dense_kernel_name();

void dense_infer_scalar(const DenseView& layer, const float* x, int n, float* y);
void dense_input_grad_scalar(const DenseView& layer, const float* dz, int n, float* dx);
void dense_weight_grad_scalar(const float* dz, int out, int n, const float* x, int in, int lo, int hi, float* dw,
                              bool accumulate);
#if defined(__wasm_simd128__)
void dense_infer_simd128(const DenseView& layer, const float* x, int n, float* y);
void dense_input_grad_simd128(const DenseView& layer, const float* dz, int n, float* dx);
void dense_weight_grad_simd128(const float* dz, int out, int n, const float* x, int in, int lo, int hi, float* dw,
                               bool accumulate);
#endif

}  // namespace lp
