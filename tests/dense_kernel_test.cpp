// The build's dense kernel against the scalar reference, on odd shapes too.
// (Native builds run Eigen here; the wasm test build runs SIMD128.)
#include "dense_kernel.h"

#include <catch2/catch.hpp>
#include <vector>

#include "rng.h"

using namespace lp;

TEST_CASE("the build's dense kernel matches the scalar reference", "[dense_kernel]") {
  INFO("kernel: " << dense_kernel_name());
  Rng rng(123);
  // {in, out, n}. From n = 16 on, SIMD128 repacks W into panels of 8 outputs,
  // and works in blocks of 32 samples: the last rows cover both, with outputs
  // left over after the panels (30 = 3 x 8 + 4 + 2) and a short last block.
  const int shapes[][3] = {{1, 1, 1},     {2, 64, 1},   {3, 5, 7},    {784, 256, 4}, {64, 2, 9},
                           {13, 9, 6},    {256, 784, 5}, {7, 4, 3},    {2, 3, 2},     {5, 8, 16},
                           {37, 30, 45},  {2, 64, 33},  {128, 256, 70}};
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
      float worst = 0.0f;
      for (size_t i = 0; i < expected.size(); ++i) worst = std::max(worst, std::fabs(expected[i] - actual[i]));
      INFO("in " << in << " out " << out << " n " << n << " act " << code);
      CHECK(worst <= 1e-5f);
    }
  }
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
