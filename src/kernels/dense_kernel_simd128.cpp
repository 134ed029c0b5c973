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
// The work is tiled into blocks of S samples x 4V outputs held in registers.
// The 4V weights of one input column are contiguous (W is column-major, and
// large batches repack it into panels of 8): one load each, multiplied by
// x[s][j] broadcast to four lanes, so every weight loaded is reused S times
// and no horizontal sums are needed. Large batches also interleave each group
// of samples' inputs, and the group is as large as V8's registers allow (6
// samples with fused multiply-adds, 4 without: dense_tile_interleaved); small
// batches read up to 4 samples in place (dense_tile). The activation is
// applied to the sums in registers, not in a second pass over y, and is a
// template argument, so that each tile holds only its own code.
// What V8 makes of the code matters as much as the arithmetic: the comments
// below say what each choice was measured against.
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include <algorithm>
#include <vector>

#include "kernels/dense_kernel.h"

namespace lp {
namespace {

inline v128_t splat(float v) { return wasm_f32x4_splat(v); }

// acc + a * b: the products' and the activations' arithmetic.
inline v128_t madd(v128_t a, v128_t b, v128_t acc) {
#if defined(__wasm_relaxed_simd__)
  return wasm_f32x4_relaxed_madd(a, b, acc);
#else
  return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b));
#endif
}

// e^x on four lanes: x = k ln2 + r with |r| <= ln2/2, e^r by Cephes' expf
// polynomial, 2^k built directly in the exponent bits. Relative error ~2 ulp.
// Written for what V8 emits on x86 (the activations cost a fifth of a decode
// before this): the clamp is pmax/pmin, one maxps/minps each, where
// f32x4.max/min take six or seven instructions for their NaN rules (a NaN x
// still comes through, as the first operand); and k is rounded by adding
// 1.5 * 2^23, whose float then holds k + 127 in its low mantissa bits, so
// shifting those bits by 23 is 2^k, with no float-to-int conversion (an
// eight-instruction sequence for i32x4.trunc_sat_f32x4_s).
inline v128_t exp4(v128_t x) {
  x = wasm_f32x4_pmin(wasm_f32x4_pmax(x, splat(-87.0f)), splat(88.0f));
  const v128_t shifter = splat(12582912.0f + 127.0f);  // 1.5 * 2^23 + the exponent bias
  const v128_t t = madd(x, splat(1.44269504088896341f), shifter);
  const v128_t k = wasm_f32x4_sub(t, shifter);  // round(x / ln2), exactly
  // ln2 split in two so that k * ln2_hi is exact.
  v128_t r = madd(k, splat(-0.693359375f), x);
  r = madd(k, splat(2.12194440e-4f), r);
  v128_t p = splat(1.9875691500e-4f);
  p = madd(p, r, splat(1.3981999507e-3f));
  p = madd(p, r, splat(8.3334519073e-3f));
  p = madd(p, r, splat(4.1665795894e-2f));
  p = madd(p, r, splat(1.6666665459e-1f));
  p = madd(p, r, splat(5.0000001201e-1f));
  p = madd(p, wasm_f32x4_mul(r, r), wasm_f32x4_add(r, splat(1.0f)));  // 1 + r + r^2 p(r)
  return wasm_f32x4_mul(p, wasm_i32x4_shl(t, 23));
}

// The activation is a template argument, so that each tile's code holds
// only its own (a switch on a run-time value kept the constants of all of
// them live across the tile's loop, costing registers).
template <Activation A>
inline v128_t activation4(v128_t z) {
  const v128_t one = splat(1.0f);
  switch (A) {
    case Activation::identity: return z;
    // 1 / (1 + e^-z): exactly 1 for large z, and never below about 6e-39 (exp4 stops at e^88).
    // (0 - z, not neg: one subtraction where V8 builds a sign mask and xors.)
    case Activation::sigmoid: return wasm_f32x4_div(one, wasm_f32x4_add(one, exp4(wasm_f32x4_sub(splat(0.0f), z))));
    // tanh z = 1 - 2 / (1 + e^2z): stable at both ends, absolute error ~1e-7 near 0.
    case Activation::tanh:
      return wasm_f32x4_sub(one, wasm_f32x4_div(splat(2.0f), wasm_f32x4_add(one, exp4(wasm_f32x4_add(z, z)))));
    // pmax: one maxps (a NaN z comes through, as in exp4's clamp).
    case Activation::relu: return wasm_f32x4_pmax(z, splat(0.0f));
  }
  return z;
}

// The sums (no activation: activation_block applies it) of outputs
// [o0, o0 + 4V) of samples 0..S-1 (x, y offset to the first sample). w points
// at this tile's weights: the 4V weights of input j are at w + j * w_stride
// (8 in dense_pack's panels, out in W as it is). These tiles serve small
// batches and the samples a large batch's interleaved groups leave over.
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
    for (int v = 0; v < V; ++v) wasm_v128_store(y + s * layer.out + o0 + 4 * v, acc[s][v]);
}

// Outputs [o0, o0 + 4V) of n samples, four at a time. Not inlined: one
// small function per tile shape keeps V8's register allocation to the tile
// (inlined into one function for all shapes, the loops spilled and ran 3x slower).
template <int V>
__attribute__((noinline)) void dense_tile_samples(const DenseView& layer, const float* w, int w_stride, const float* x,
                                                  float* y, int n, int o0) {
  int s = 0;
  for (; s + 4 <= n; s += 4) dense_tile<4, V>(layer, w, w_stride, x + s * layer.in, y + s * layer.out, o0);
  switch (n - s) {
    case 3: dense_tile<3, V>(layer, w, w_stride, x + s * layer.in, y + s * layer.out, o0); break;
    case 2: dense_tile<2, V>(layer, w, w_stride, x + s * layer.in, y + s * layer.out, o0); break;
    case 1: dense_tile<1, V>(layer, w, w_stride, x + s * layer.in, y + s * layer.out, o0); break;
    default: break;
  }
}

// The packed path's tile: kGroup samples x 8 outputs, over inputs
// interleaved as [in][kGroup], so that the broadcasts of input j are at one
// address plus small constants and the loop advances two pointers (read from
// separate rows, the same loop advanced one pointer per sample, kept its
// counter on the stack and ran 5-10 % slower under V8).
// How many samples: V8 allocates 15 of x86's 16 vector registers.
//   - Fused (relaxed SIMD): 6 samples, 12 accumulators plus two weight
//     vectors and a broadcast. With 8 accumulators (4 samples) the FMAs'
//     4-cycle latency left the two FMA pipes short of work: 6 samples run 7 %
//     faster per sample on the 256-784 layer in Chromium. With 7, V8 spills.
//   - Mul then add (SIMD128): 4 samples. Each product needs a register of its
//     own before it is added, and with 6 samples the loop spilled and ran
//     1.7x slower.
#if defined(__wasm_relaxed_simd__)
constexpr int kGroup = 6;
#else
constexpr int kGroup = 4;
#endif
template <Activation A>
__attribute__((noinline)) void dense_tile_interleaved(const DenseView& layer, const float* w, const float* xt,
                                                      float* y, int o0) {
  v128_t acc[kGroup][2];
  for (int v = 0; v < 2; ++v) {
    const v128_t b = wasm_v128_load(layer.bias + o0 + 4 * v);
    for (int s = 0; s < kGroup; ++s) acc[s][v] = b;
  }
  for (const float* end = xt + kGroup * layer.in; xt != end; xt += kGroup, w += 8) {
    const v128_t w0 = wasm_v128_load(w), w1 = wasm_v128_load(w + 4);
    for (int s = 0; s < kGroup; ++s) {
      const v128_t xs = wasm_v128_load32_splat(xt + s);
      acc[s][0] = madd(w0, xs, acc[s][0]);
      acc[s][1] = madd(w1, xs, acc[s][1]);
    }
  }
  // Unrolled: left to itself, clang kept tanh's epilogue (the longer
  // activation code) as a loop over the accumulators stored to the stack,
  // about 9 % of a 1,024-code decode in Chromium (and a sixth of the
  // trainer's speed under Node 20's older V8).
#pragma clang loop unroll(full)
  for (int s = 0; s < kGroup; ++s)
#pragma clang loop unroll(full)
    for (int v = 0; v < 2; ++v) wasm_v128_store(y + s * layer.out + o0 + 4 * v, activation4<A>(acc[s][v]));
}

// Samples per block (whole groups): each weight panel is used by the whole
// block while it is in L1, rather than the whole weight matrix streaming by
// once per group.
constexpr int kSampleBlock = 6 * kGroup;
// Batches from this size on pack the weights first (the forward pass,
// dense_infer_simd128, and the input gradient, dense_input_grad_simd128).
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

namespace {

// The first `grouped` samples of x (`width` floats each; grouped a multiple of
// kGroup), each group of kGroup samples as [width][kGroup], into `to`.
// A plain copy loop: about 1 % of a decode, and clang's vectorised version
// of it was 3 KB of the page's first download.
void interleave_groups(const float* x, int width, int grouped, std::vector<float>& to) {
  to.resize(static_cast<size_t>(grouped) * width);
  float* into = to.data();
  for (int g = 0; g < grouped; g += kGroup) {
    const float* from = x + static_cast<size_t>(g) * width;
#pragma clang loop vectorize(disable) unroll(disable)
    for (int j = 0; j < width; ++j)
      for (int s = 0; s < kGroup; ++s) *into++ = from[static_cast<size_t>(s) * width + j];
  }
}

// The activation applied in place to rows [0, rows) of y (`out` floats
// each), columns [o0, o1), o1 - o0 a multiple of 4: after the tiles that are
// not templated on it (small batches, and what the interleaved groups leave).
template <Activation A>
void activation_block_with(float* y, int out, int rows, int o0, int o1) {
  for (int s = 0; s < rows; ++s)
    for (int o = o0; o < o1; o += 4) {
      float* at = y + static_cast<size_t>(s) * out + o;
      wasm_v128_store(at, activation4<A>(wasm_v128_load(at)));
    }
}
__attribute__((noinline)) void activation_block(Activation act, float* y, int out, int rows, int o0, int o1) {
  switch (act) {
    case Activation::identity: return;
    case Activation::tanh: return activation_block_with<Activation::tanh>(y, out, rows, o0, o1);
    case Activation::sigmoid: return activation_block_with<Activation::sigmoid>(y, out, rows, o0, o1);
    case Activation::relu: return activation_block_with<Activation::relu>(y, out, rows, o0, o1);
  }
}

using InterleavedTile = void (*)(const DenseView&, const float*, const float*, float*, int);
InterleavedTile interleaved_tile(Activation act) {
  switch (act) {
    case Activation::identity: break;
    case Activation::tanh: return &dense_tile_interleaved<Activation::tanh>;
    case Activation::sigmoid: return &dense_tile_interleaved<Activation::sigmoid>;
    case Activation::relu: return &dense_tile_interleaved<Activation::relu>;
  }
  return &dense_tile_interleaved<Activation::identity>;
}

}  // namespace

// Only the interleaved tile, where large batches spend their time, is
// compiled once per activation (with the activation in registers); the
// other tiles compute the sums and activation_block applies the activation
// to what they wrote. One copy of them, not four, keeps the modules small:
// the page's first visit downloads them.
void dense_infer_simd128(const DenseView& layer, const float* x, int n, float* y) {
  // Large batches first copy W into panels of 8 outputs, [out/8][in][8], so a
  // tile reads its weights as one contiguous stream instead of one 32-byte
  // piece per column `out` floats apart (fewer cache lines and TLB entries).
  // The copy costs about one sample's worth of work, so small batches skip it.
  const int panels = layer.out / 8;
  const bool pack = n >= kPackMinSamples && panels > 0;
  thread_local std::vector<float> repacked, interleaved;
  const float* packed = layer.packed;
  if (pack && !packed) {
    repacked = dense_pack(layer);
    packed = repacked.data();
  }
  const InterleavedTile tile = interleaved_tile(layer.act);
  for (int first = 0; first < n; first += kSampleBlock) {
    const int count = std::min(kSampleBlock, n - first);
    const float* xb = x + static_cast<size_t>(first) * layer.in;
    float* yb = y + static_cast<size_t>(first) * layer.out;
    int o = 0;
    if (pack) {
      // The block's whole groups of samples, interleaved once for all panels;
      // the rest (fewer than a group) read in place.
      const int grouped = count / kGroup * kGroup;
      interleave_groups(xb, layer.in, grouped, interleaved);
      for (; o + 8 <= layer.out; o += 8) {
        const float* panel = packed + static_cast<size_t>(o) * layer.in;
        for (int g = 0; g < grouped; g += kGroup)
          tile(layer, panel, &interleaved[static_cast<size_t>(g) * layer.in], yb + static_cast<size_t>(g) * layer.out, o);
        if (grouped < count)
          dense_tile_samples<2>(layer, panel, 8, xb + static_cast<size_t>(grouped) * layer.in,
                                yb + static_cast<size_t>(grouped) * layer.out, count - grouped, o);
      }
      if (grouped < count)
        activation_block(layer.act, yb + static_cast<size_t>(grouped) * layer.out, layer.out, count - grouped, 0, o);
    }
    const int unpacked = o;
    for (; o + 8 <= layer.out; o += 8) dense_tile_samples<2>(layer, layer.weight + o, layer.out, xb, yb, count, o);
    for (; o + 4 <= layer.out; o += 4) dense_tile_samples<1>(layer, layer.weight + o, layer.out, xb, yb, count, o);
    activation_block(layer.act, yb, layer.out, count, unpacked, o);
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


// dx of samples [0, n) and inputs [j0, j1) by dot products: one column of W
// (out contiguous floats) against each sample's dz, 4 samples at a time.
void input_grad_dots(const DenseView& layer, const float* dz, int n, float* dx, int j0, int j1) {
  int s = 0;
  for (; s + 4 <= n; s += 4)
    for (int j = j0; j < j1; ++j)
      input_grad_tile<4>(layer, dz + static_cast<size_t>(s) * layer.out, dx + static_cast<size_t>(s) * layer.in, j);
  for (; s < n; ++s)
    for (int j = j0; j < j1; ++j)
      input_grad_tile<1>(layer, dz + static_cast<size_t>(s) * layer.out, dx + static_cast<size_t>(s) * layer.in, j);
}

}  // namespace

// Large batches run dx = W^T dz as a forward pass of the transposed layer
// (out inputs, in outputs, no bias, no activation) through the forward
// pass's interleaved tile, with W^T packed in panels of 8 inputs,
// [in/8][out][8]: no horizontal sums, and the forward's 12 (or 8)
// accumulators where the dot products have 4, which left the FMA pipes
// waiting on their latency. Inputs left over after the panels, and samples
// after the last whole group, take the dot products.
void dense_input_grad_simd128(const DenseView& layer, const float* dz, int n, float* dx) {
  const int panels = layer.in / 8;
  if (n < kPackMinSamples || panels == 0) return input_grad_dots(layer, dz, n, dx, 0, layer.in);
  thread_local std::vector<float> transposed, zeros, interleaved;
  transposed.resize(static_cast<size_t>(panels) * 8 * layer.out);
  for (int p = 0; p < panels; ++p)
    for (int q = 0; q < 8; ++q) {
      const float* column = layer.weight + static_cast<size_t>(8 * p + q) * layer.out;  // W[:, 8p + q]
      float* to = &transposed[static_cast<size_t>(p) * layer.out * 8 + q];
      for (int o = 0; o < layer.out; ++o) to[8 * o] = column[o];
    }
  zeros.assign(static_cast<size_t>(panels) * 8, 0.0f);
  const DenseView transpose{nullptr, zeros.data(), layer.out, layer.in, Activation::identity};
  for (int first = 0; first < n; first += kSampleBlock) {
    const int count = std::min(kSampleBlock, n - first);
    const float* dzb = dz + static_cast<size_t>(first) * layer.out;
    float* dxb = dx + static_cast<size_t>(first) * layer.in;
    const int grouped = count / kGroup * kGroup;
    interleave_groups(dzb, layer.out, grouped, interleaved);
    for (int p = 0; p < panels; ++p)
      for (int g = 0; g < grouped; g += kGroup)
        dense_tile_interleaved<Activation::identity>(transpose, &transposed[static_cast<size_t>(p) * layer.out * 8],
                                                     &interleaved[static_cast<size_t>(g) * layer.out],
                                                     dxb + static_cast<size_t>(g) * layer.in, 8 * p);
    if (grouped < count)
      input_grad_dots(layer, dzb + static_cast<size_t>(grouped) * layer.out, count - grouped,
                      dxb + static_cast<size_t>(grouped) * layer.in, 0, 8 * panels);
  }
  if (8 * panels < layer.in) input_grad_dots(layer, dz, n, dx, 8 * panels, layer.in);
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
