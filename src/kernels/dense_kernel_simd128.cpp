// WebAssembly SIMD128 kernels for the three dense products (see dense_kernel.h).
//
// One source, two builds. Emscripten compiles it with -msimd128 for the whole
// wasm build (the ImGui app, the wasm unit tests, the SIMD128 standalone
// modules): every multiply-add is a mul then an add, rounded twice. Debian's
// clang-19 compiles it again with -mrelaxed-simd for the relaxed-SIMD
// standalone modules (web/CMakeLists.txt, latentpad_kernel_relaxed): then
// madd() below is f32x4.relaxed_madd, which Chromium and Firefox run as one
// fused multiply-add on CPUs that have FMA (x86 FMA3, ARM), rounded once.
// Emscripten 3.1.6's LLVM 14 emits the pre-standard relaxed opcodes, which
// browsers now reject, so this second build cannot come from emcc.
//
// Forward pass:
// The work is tiled into blocks of S samples x 4V outputs held in registers
// (S <= 4, 4V <= 8: 8 accumulators plus 2 weight vectors and a broadcast fit
// in x86's 16 vector registers; 12-wide tiles measured slower, from spills).
// The 4V weights of one input column are contiguous (W is column-major, and
// large batches repack it into panels): one load each, multiplied by x[s][j]
// broadcast to four lanes, so every weight loaded is reused S times and no
// horizontal sums are needed. The activation is applied to the sums in
// registers, not in a second pass over y.
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include <algorithm>
#include <vector>

#include "kernels/dense_kernel.h"

namespace lp {
namespace {

inline v128_t splat(float v) { return wasm_f32x4_splat(v); }

// acc + a * b, the products' only arithmetic (the activations below keep
// their mul/add, so both builds share them to the bit).
inline v128_t madd(v128_t a, v128_t b, v128_t acc) {
#if defined(__wasm_relaxed_simd__)
  return wasm_f32x4_relaxed_madd(a, b, acc);
#else
  return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b));
#endif
}

// e^x on four lanes: x = k ln2 + r with |r| <= ln2/2, e^r by Cephes' expf
// polynomial, 2^k built directly in the exponent bits. Relative error ~2 ulp.
inline v128_t exp4(v128_t x) {
  x = wasm_f32x4_min(wasm_f32x4_max(x, splat(-87.0f)), splat(88.0f));
  const v128_t k = wasm_f32x4_nearest(wasm_f32x4_mul(x, splat(1.44269504088896341f)));
  // ln2 split in two so that k * ln2_hi is exact.
  v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(k, splat(0.693359375f)));
  r = wasm_f32x4_add(r, wasm_f32x4_mul(k, splat(2.12194440e-4f)));
  v128_t p = splat(1.9875691500e-4f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), splat(1.3981999507e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), splat(8.3334519073e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), splat(4.1665795894e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), splat(1.6666665459e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), splat(5.0000001201e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, r), r), wasm_f32x4_add(r, splat(1.0f)));
  const v128_t biased = wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(k), wasm_i32x4_splat(127));
  return wasm_f32x4_mul(p, wasm_i32x4_shl(biased, 23));
}

inline v128_t activation4(Activation act, v128_t z) {
  const v128_t one = splat(1.0f);
  switch (act) {
    case Activation::identity: return z;
    // 1 / (1 + e^-z): saturates to exactly 0 or 1 thanks to the clamp in exp4.
    case Activation::sigmoid: return wasm_f32x4_div(one, wasm_f32x4_add(one, exp4(wasm_f32x4_neg(z))));
    // tanh z = 1 - 2 / (1 + e^2z): stable at both ends, absolute error ~1e-7 near 0.
    case Activation::tanh:
      return wasm_f32x4_sub(one, wasm_f32x4_div(splat(2.0f), wasm_f32x4_add(one, exp4(wasm_f32x4_add(z, z)))));
    case Activation::relu: return wasm_f32x4_max(z, splat(0.0f));
  }
  return z;
}

// Outputs [o0, o0 + 4V) of samples 0..S-1 (x, y offset to the first sample).
// w points at this tile's weights: the 4V weights of input j are at w + j * w_stride.
// The activation is applied while the sums are still in registers.
template <int S, int V>
inline void dense_tile(const DenseView& layer, const float* w, int w_stride, const float* x, float* y, int o0) {
  v128_t acc[S][V];
  for (int v = 0; v < V; ++v) {
    const v128_t b = wasm_v128_load(layer.bias + o0 + 4 * v);
    for (int s = 0; s < S; ++s) acc[s][v] = b;
  }
  for (int j = 0; j < layer.in; ++j, w += w_stride) {
    v128_t wv[V];
    for (int v = 0; v < V; ++v) wv[v] = wasm_v128_load(w + 4 * v);
    for (int s = 0; s < S; ++s) {
      const v128_t xs = wasm_v128_load32_splat(x + s * layer.in + j);
      for (int v = 0; v < V; ++v) acc[s][v] = madd(wv[v], xs, acc[s][v]);
    }
  }
  for (int s = 0; s < S; ++s)
    for (int v = 0; v < V; ++v) wasm_v128_store(y + s * layer.out + o0 + 4 * v, activation4(layer.act, acc[s][v]));
}

// Outputs [o0, o0 + 4V) of n samples, four at a time.
template <int V>
void dense_tile_samples(const DenseView& layer, const float* w, int w_stride, const float* x, float* y, int n,
                        int o0) {
  int s = 0;
  for (; s + 4 <= n; s += 4) dense_tile<4, V>(layer, w, w_stride, x + s * layer.in, y + s * layer.out, o0);
  switch (n - s) {
    case 3: dense_tile<3, V>(layer, w, w_stride, x + s * layer.in, y + s * layer.out, o0); break;
    case 2: dense_tile<2, V>(layer, w, w_stride, x + s * layer.in, y + s * layer.out, o0); break;
    case 1: dense_tile<1, V>(layer, w, w_stride, x + s * layer.in, y + s * layer.out, o0); break;
    default: break;
  }
}

// Samples per block: each weight tile is used by the whole block while it is
// in L1, rather than the whole weight matrix streaming by once per 4 samples.
constexpr int kSampleBlock = 32;
// Batches from this size on pack the weights first (see dense_infer_simd128).
constexpr int kPackMinSamples = 16;

}  // namespace

const char* dense_kernel_name() {
#if defined(__wasm_relaxed_simd__)
  return "relaxed-simd";
#else
  return "simd128";
#endif
}

std::vector<float> dense_pack(const DenseView& layer) {
  const int panels = layer.out / 8;
  std::vector<float> packed(static_cast<size_t>(panels) * 8 * layer.in);
  for (int p = 0; p < panels; ++p)
    for (int j = 0; j < layer.in; ++j) {
      const float* from = layer.weight + static_cast<size_t>(j) * layer.out + 8 * p;
      float* to = &packed[(static_cast<size_t>(p) * layer.in + j) * 8];
      wasm_v128_store(to, wasm_v128_load(from));
      wasm_v128_store(to + 4, wasm_v128_load(from + 4));
    }
  return packed;
}

void dense_infer_simd128(const DenseView& layer, const float* x, int n, float* y) {
  // Large batches first copy W into panels of 8 outputs, [out/8][in][8], so a
  // tile reads its weights as one contiguous stream instead of one 32-byte
  // piece per column `out` floats apart (fewer cache lines and TLB entries).
  // The copy costs about one sample's worth of work, so small batches skip it.
  const int panels = layer.out / 8;
  const bool pack = n >= kPackMinSamples && panels > 0;
  thread_local std::vector<float> repacked;
  const float* packed = layer.packed;
  if (pack && !packed) {
    repacked = dense_pack(layer);
    packed = repacked.data();
  }
  for (int first = 0; first < n; first += kSampleBlock) {
    const int count = std::min(kSampleBlock, n - first);
    const float* xb = x + static_cast<size_t>(first) * layer.in;
    float* yb = y + static_cast<size_t>(first) * layer.out;
    int o = 0;
    for (; o + 8 <= layer.out; o += 8) {
      if (pack) dense_tile_samples<2>(layer, packed + static_cast<size_t>(o) * layer.in, 8, xb, yb, count, o);
      else dense_tile_samples<2>(layer, layer.weight + o, layer.out, xb, yb, count, o);
    }
    for (; o + 4 <= layer.out; o += 4) dense_tile_samples<1>(layer, layer.weight + o, layer.out, xb, yb, count, o);
    for (; o < layer.out; ++o) {
      for (int s = 0; s < count; ++s) {
        float sum = layer.bias[o];
        for (int j = 0; j < layer.in; ++j)
          sum += layer.weight[static_cast<size_t>(j) * layer.out + o] * xb[s * layer.in + j];
        yb[s * layer.out + o] = activation_apply(layer.act, sum);
      }
    }
  }
}

namespace {

// The scalar remainder of a weight-gradient block: outputs [o0, out) of
// columns [j0, j1), dw pointing at column j0.
void dense_weight_grad_scalar_rows(const float* dz, int out, int n, const float* x, int in, int j0, int j1, int o0,
                                   float* dw, bool accumulate) {
  for (int j = j0; j < j1; ++j) {
    float* dwj = dw + static_cast<size_t>(j - j0) * out;
    for (int o = o0; o < out; ++o) {
      float sum = accumulate ? dwj[o] : 0.0f;
      for (int s = 0; s < n; ++s) sum += dz[static_cast<size_t>(s) * out + o] * x[static_cast<size_t>(s) * in + j];
      dwj[o] = sum;
    }
  }
}

// dx[j] of samples s0..s0+S-1 = column j of W (out contiguous floats) dotted
// with each sample's dz: one weight load feeds S dot products.
template <int S>
inline void input_grad_tile(const DenseView& layer, const float* dz, float* dx, int j) {
  const int out = layer.out;
  const float* wj = layer.weight + static_cast<size_t>(j) * out;
  v128_t acc[S];
  for (int s = 0; s < S; ++s) acc[s] = splat(0.0f);
  int o = 0;
  for (; o + 4 <= out; o += 4) {
    const v128_t w = wasm_v128_load(wj + o);
    for (int s = 0; s < S; ++s) acc[s] = madd(w, wasm_v128_load(dz + s * out + o), acc[s]);
  }
  for (int s = 0; s < S; ++s) {
    float sum = wasm_f32x4_extract_lane(acc[s], 0) + wasm_f32x4_extract_lane(acc[s], 1) +
                wasm_f32x4_extract_lane(acc[s], 2) + wasm_f32x4_extract_lane(acc[s], 3);
    for (int t = o; t < out; ++t) sum += wj[t] * dz[s * out + t];
    dx[static_cast<size_t>(s) * layer.in + j] = sum;
  }
}

// Columns j0..j0+3 of dW, outputs o0..o0+4V-1, over all n samples: eight
// accumulators at V = 2; per sample, V loads of dz and four broadcasts of x
// (which are contiguous in x) feed 4V multiply-adds.
template <int V>
inline void weight_grad_tile(const float* dz, int out, int n, const float* x, int in, int j0, int o0, float* dw,
                             bool accumulate) {
  v128_t acc[4][V];
  for (int c = 0; c < 4; ++c)
    for (int v = 0; v < V; ++v)
      acc[c][v] = accumulate ? wasm_v128_load(dw + static_cast<size_t>(c) * out + o0 + 4 * v) : splat(0.0f);
  for (int s = 0; s < n; ++s) {
    v128_t d[V];
    for (int v = 0; v < V; ++v) d[v] = wasm_v128_load(dz + static_cast<size_t>(s) * out + o0 + 4 * v);
    const float* xs = x + static_cast<size_t>(s) * in + j0;
    for (int c = 0; c < 4; ++c) {
      const v128_t xv = wasm_v128_load32_splat(xs + c);
      for (int v = 0; v < V; ++v) acc[c][v] = madd(d[v], xv, acc[c][v]);
    }
  }
  for (int c = 0; c < 4; ++c)
    for (int v = 0; v < V; ++v) wasm_v128_store(dw + static_cast<size_t>(c) * out + o0 + 4 * v, acc[c][v]);
}

}  // namespace

void dense_input_grad_simd128(const DenseView& layer, const float* dz, int n, float* dx) {
  int s = 0;
  for (; s + 4 <= n; s += 4)
    for (int j = 0; j < layer.in; ++j)
      input_grad_tile<4>(layer, dz + static_cast<size_t>(s) * layer.out, dx + static_cast<size_t>(s) * layer.in, j);
  for (; s < n; ++s)
    for (int j = 0; j < layer.in; ++j)
      input_grad_tile<1>(layer, dz + static_cast<size_t>(s) * layer.out, dx + static_cast<size_t>(s) * layer.in, j);
}

void dense_weight_grad_simd128(const float* dz, int out, int n, const float* x, int in, int lo, int hi, float* dw,
                               bool accumulate) {
  int j = lo;
  for (; j + 4 <= hi; j += 4) {
    float* dwj = dw + static_cast<size_t>(j - lo) * out;
    int o = 0;
    for (; o + 8 <= out; o += 8) weight_grad_tile<2>(dz, out, n, x, in, j, o, dwj, accumulate);
    for (; o + 4 <= out; o += 4) weight_grad_tile<1>(dz, out, n, x, in, j, o, dwj, accumulate);
    if (o < out) dense_weight_grad_scalar_rows(dz, out, n, x, in, j, j + 4, o, dwj, accumulate);
  }
  if (j < hi) dense_weight_grad_scalar_rows(dz, out, n, x, in, j, hi, 0, dw + static_cast<size_t>(j - lo) * out, accumulate);
}

}  // namespace lp
#endif  // __wasm_simd128__
