// Inference kernels for one dense layer over a batch: y = f(W x + b).
//
// One interface, several implementations. dense_infer() picks the one this
// build should use, so callers (mlp_infer, the web UI) never choose:
//   - native builds: Eigen, which vectorises for the host CPU;
//   - wasm builds with -msimd128: hand-written SIMD128 intrinsics, because
//     Eigen 3.4 has no WebAssembly SIMD path and would run scalar;
//   - anything else: the scalar reference.
// The scalar reference is always compiled: tests cross-check the others with it.
#pragma once
#include "activation.h"

namespace lp {

// A non-owning view of a layer. weight is column-major [out, in] (Eigen's
// default), so column j (the weights reading input j) is out contiguous floats.
struct DenseView {
  const float* weight;
  const float* bias;
  int in;
  int out;
  Activation act;
};

// x: n samples of `in` floats each; y: n samples of `out` floats each.
void dense_infer(const DenseView& layer, const float* x, int n, float* y);
// The implementation dense_infer() uses in this build, e.g. "simd128".
const char* dense_kernel_name();

void dense_infer_scalar(const DenseView& layer, const float* x, int n, float* y);
#if defined(__wasm_simd128__)
void dense_infer_simd128(const DenseView& layer, const float* x, int n, float* y);
#endif

}  // namespace lp
