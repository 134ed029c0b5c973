// The build's dense kernel against the scalar reference, on odd shapes too.
// (Native builds run Eigen here; the wasm test build runs SIMD128.)
#include "kernels/dense_kernel.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "base/rng.h"

using namespace lp;

TEST_CASE("the build's dense kernel matches the scalar reference", "[dense_kernel]") {
  INFO("kernel: " << dense_kernel_name());
  Rng rng(123);
  // {in, out, n}. From n = 16 on, SIMD128 repacks W into panels of 8 outputs
  // and works in blocks of 6 groups of samples (groups of 4 for SIMD128, of 6
  // with fused multiply-adds), each group's inputs interleaved: the last rows
  // cover both, with outputs left over after the panels (30 = 3 x 8 + 4 + 2),
  // several blocks, short last blocks, every count of samples after the
  // groups (1 to 3 with groups of 4, 1 to 5 with 6), and a last block with
  // no whole group (n = 25 and 26 with groups of 4).
  const int shapes[][3] = {{1, 1, 1},     {2, 64, 1},   {3, 5, 7},    {784, 256, 4}, {64, 2, 9},
                           {13, 9, 6},    {256, 784, 5}, {7, 4, 3},    {2, 3, 2},     {5, 8, 16},
                           {37, 30, 45},  {2, 64, 33},  {128, 256, 70}, {37, 30, 47}, {37, 30, 41},
                           {37, 30, 25},  {37, 30, 26}};
  for (const auto& shape : shapes) {
    const int in = shape[0], out = shape[1], n = shape[2];
    for (uint32_t code = 0; code <= 3; ++code) {
      std::vector<float> w(size_t(in) * out), b(out), x(size_t(in) * n);
      for (float& v : w) v = rng.uniform(-0.5f, 0.5f);
      for (float& v : b) v = rng.uniform(-0.5f, 0.5f);
      for (float& v : x) v = rng.uniform(-1.0f, 1.0f);
      const DenseView layer{w.data(), b.data(), in, out, static_cast<Activation>(code)};
      std::vector<float> expected(size_t(out) * n), actual(size_t(out) * n, -99.0f);
      dense_infer_scalar(layer, x.data(), n, expected.data());
      dense_infer(layer, x.data(), n, actual.data());
      // Sums of up to 784 products are reassociated differently (and Eigen
      // blocks by the cache sizes it finds at run time): compare against the
      // outputs' scale.
      float worst = 0.0f, scale = 1.0f;
      for (size_t i = 0; i < expected.size(); ++i) {
        worst = std::max(worst, std::fabs(expected[i] - actual[i]));
        scale = std::max(scale, std::fabs(expected[i]));
      }
      INFO("in " << in << " out " << out << " n " << n << " act " << code << " worst " << worst << " scale " << scale);
      CHECK(worst <= 1e-5f * scale);
    }
  }
}

namespace {

std::vector<float> random_values(size_t n, Rng& rng) {
  std::vector<float> v(n);
  for (float& x : v) x = rng.uniform(-1.0f, 1.0f);
  return v;
}

// max |a - b| <= tol * max(1, max |b|).
void require_close(const std::vector<float>& a, const std::vector<float>& b, float tol) {
  REQUIRE(a.size() == b.size());
  float worst = 0.0f, scale = 1.0f;
  for (size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::fabs(a[i] - b[i]));
    scale = std::max(scale, std::fabs(b[i]));
  }
  INFO("worst " << worst << " scale " << scale);
  CHECK(worst <= tol * scale);
}

}  // namespace

TEST_CASE("the input-gradient kernel matches the scalar reference", "[dense_kernel]") {
  Rng rng(321);
  // From n = 16 on, panels of 8 inputs through the forward pass's tile, as in
  // the forward test above: inputs left over (37 = 4 x 8 + 5), and samples
  // after the groups (1 to 3 with groups of 4, 1 to 5 with 6) or no whole
  // group in the last block.
  const int shapes[][3] = {{1, 1, 1},    {2, 64, 3},   {784, 256, 5}, {64, 2, 33},  {37, 30, 45},
                           {256, 784, 16}, {37, 30, 47}, {37, 30, 41}, {37, 30, 25}, {37, 30, 26},
                           {37, 30, 70}};
  for (const auto& shape : shapes) {
    const int in = shape[0], out = shape[1], n = shape[2];
    INFO("in " << in << " out " << out << " n " << n);
    const std::vector<float> w = random_values(size_t(in) * out, rng), b(out), dz = random_values(size_t(out) * n, rng);
    const DenseView layer{w.data(), b.data(), in, out, Activation::tanh};
    std::vector<float> expected(size_t(in) * n), actual(size_t(in) * n, -99.0f);
    dense_input_grad_scalar(layer, dz.data(), n, expected.data());
    dense_input_grad(layer, dz.data(), n, actual.data());
    require_close(actual, expected, 1e-5f);
  }
}

TEST_CASE("the weight-gradient kernel matches the scalar reference, whole and by column blocks", "[dense_kernel]") {
  Rng rng(654);
  const int shapes[][3] = {{1, 1, 1}, {2, 64, 3}, {784, 256, 5}, {64, 2, 33}, {37, 30, 45}};
  for (const auto& shape : shapes) {
    const int in = shape[0], out = shape[1], n = shape[2];
    INFO("in " << in << " out " << out << " n " << n);
    const std::vector<float> x = random_values(size_t(in) * n, rng), dz = random_values(size_t(out) * n, rng);
    std::vector<float> expected(size_t(in) * out), actual(size_t(in) * out, -99.0f);
    dense_weight_grad_scalar(dz.data(), out, n, x.data(), in, 0, in, expected.data(), false);
    dense_weight_grad(dz.data(), out, n, x.data(), in, 0, in, actual.data(), false);
    require_close(actual, expected, 1e-5f);
    // Three column blocks, as three threads would write them, then accumulated
    // a second time: twice the gradient.
    const int cuts[] = {0, in / 3, 2 * in / 3, in};
    for (int pass = 0; pass < 2; ++pass)
      for (int part = 0; part < 3; ++part)
        dense_weight_grad(dz.data(), out, n, x.data(), in, cuts[part], cuts[part + 1],
                          actual.data() + size_t(cuts[part]) * out, pass == 1);
    for (float& v : expected) v *= 2.0f;
    require_close(actual, expected, 1e-5f);
  }
}

TEST_CASE("the backward scalar references compute W^T dz and dz x^T", "[dense_kernel]") {
  // W = [[1, 2], [3, 4], [5, 6]] column-major [3, 2]; one sample.
  const float w[] = {1, 3, 5, 2, 4, 6}, b[] = {0, 0, 0};
  const float dz[] = {1, -1, 2};
  float dx[2];
  dense_input_grad_scalar({w, b, 2, 3, Activation::identity}, dz, 1, dx);
  CHECK(dx[0] == 1 - 3 + 10);
  CHECK(dx[1] == 2 - 4 + 12);
  const float x[] = {0.5f, -2};
  float dw[6];
  dense_weight_grad_scalar(dz, 3, 1, x, 2, 0, 2, dw, false);
  const float expected[] = {0.5f, -0.5f, 1, -2, 2, -4};  // column-major dz x^T
  for (int i = 0; i < 6; ++i) CHECK(dw[i] == expected[i]);
}

TEST_CASE("the scalar reference computes f(Wx+b) with column-major W", "[dense_kernel]") {
  // W = [[1, 2], [3, 4], [5, 6]] stored column-major.
  const float w[] = {1, 3, 5, 2, 4, 6}, b[] = {0.5f, 0, -100};
  const float x[] = {1, -1};
  float y[3];
  dense_infer_scalar({w, b, 2, 3, Activation::relu}, x, 1, y);
  CHECK(y[0] == 0.0f);  // 1 - 2 + 0.5 < 0
  CHECK(y[1] == 0.0f);  // 3 - 4
  CHECK(y[2] == 0.0f);
  dense_infer_scalar({w, b, 2, 3, Activation::identity}, x, 1, y);
  CHECK(y[0] == -0.5f);
  CHECK(y[1] == -1.0f);
  CHECK(y[2] == -101.0f);
}

TEST_CASE("a packed copy of the weights gives the same forward pass as repacking", "[dense_kernel]") {
  Rng rng(77);
  const int in = 37, out = 30, n = 40;  // 3 panels of 8 outputs and 6 left over; a packed batch
  std::vector<float> w(size_t(in) * out), b(out), x(size_t(in) * n);
  for (float& v : w) v = rng.uniform(-0.5f, 0.5f);
  for (float& v : b) v = rng.uniform(-0.5f, 0.5f);
  for (float& v : x) v = rng.uniform(-1.0f, 1.0f);
  DenseView layer{w.data(), b.data(), in, out, Activation::tanh};
  std::vector<float> fresh(size_t(out) * n), kept(size_t(out) * n, -99.0f);
  dense_infer(layer, x.data(), n, fresh.data());
  const std::vector<float> packed = dense_pack(layer);
  layer.packed = packed.empty() ? nullptr : packed.data();
  dense_infer(layer, x.data(), n, kept.data());
  INFO("kernel " << dense_kernel_name() << ", packed floats " << packed.size());
  CHECK(kept == fresh);  // the same arithmetic, bit for bit
  if (std::string(dense_kernel_name()) == "simd128") {
    REQUIRE(packed.size() == size_t(24) * in);
    CHECK(packed[8 * 1 + 3] == w[size_t(1) * out + 3]);   // panel 0, input 1, output 3
    CHECK(packed[(size_t(2) * in + 5) * 8 + 7] == w[size_t(5) * out + 23]);  // panel 2, input 5, output 23
  } else {
    CHECK(packed.empty());
  }
}
