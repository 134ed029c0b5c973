// WebAssembly SIMD128 kernel for dense-layer inference (see dense_kernel.h).
//
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
      for (int v = 0; v < V; ++v) acc[s][v] = wasm_f32x4_add(acc[s][v], wasm_f32x4_mul(wv[v], xs));
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

void dense_infer_simd128(const DenseView& layer, const float* x, int n, float* y) {
  // Large batches first copy W into panels of 8 outputs, [out/8][in][8], so a
  // tile reads its weights as one contiguous stream instead of one 32-byte
  // piece per column `out` floats apart (fewer cache lines and TLB entries).
  // The copy costs about one sample's worth of work, so small batches skip it.
  const int panels = layer.out / 8;
  const bool pack = n >= kPackMinSamples && panels > 0;
  thread_local std::vector<float> packed;
  if (pack) {
    packed.resize(static_cast<size_t>(panels) * 8 * layer.in);
    for (int p = 0; p < panels; ++p)
      for (int j = 0; j < layer.in; ++j) {
        const float* from = layer.weight + static_cast<size_t>(j) * layer.out + 8 * p;
        float* to = &packed[(static_cast<size_t>(p) * layer.in + j) * 8];
        wasm_v128_store(to, wasm_v128_load(from));
        wasm_v128_store(to + 4, wasm_v128_load(from + 4));
      }
  }
  for (int first = 0; first < n; first += kSampleBlock) {
    const int count = std::min(kSampleBlock, n - first);
    const float* xb = x + static_cast<size_t>(first) * layer.in;
    float* yb = y + static_cast<size_t>(first) * layer.out;
    int o = 0;
    for (; o + 8 <= layer.out; o += 8) {
      if (pack) dense_tile_samples<2>(layer, &packed[static_cast<size_t>(o) * layer.in], 8, xb, yb, count, o);
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

}  // namespace lp
#endif  // __wasm_simd128__
