// The dense kernels a standalone module runs, against the scalar references:
// the relaxed-SIMD (fused multiply-add) build, which emcc cannot link and so
// cannot join the Catch2 wasm tests (web/modules/relaxed_simd.cmake). Linked
// into latentpad_kernel_check_relaxed.wasm; tests/web/kernel_check.mjs runs it
// under Node and prints the report.
//
// Tolerance, relative to the sums: each output is a sum of k terms (the bias
// and k - 1 products). Summed in any order with any mix of fused and unfused
// multiply-adds, it is within k u sum|term| of the exact sum (u = 2^-24, one
// rounding per step), so two such sums differ by at most 2 k u sum|term|.
// Products that are each small against that sum keep the bound far below
// any real fault: one product dropped or doubled moves a sum of k terms by
// about sum|term| / k, which is 1/(2 k^2 u) times the bound (over 10x at
// k = 785, the largest here). The activations add their own error (the
// SIMD128 tanh and sigmoid approximate e^x, ~1e-7 absolute) and cannot grow a
// difference (their slope is at most 1).
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "base/rng.h"
#include "kernels/dense_kernel.h"

namespace {

using namespace lp;

constexpr double kUnit = 1.0 / (1 << 24);
constexpr double kActivationError = 1e-6;

std::string report;
int failures = 0;

void say(const char* format, double a = 0, double b = 0, double c = 0, double d = 0, double e = 0) {
  char line[256];
  std::snprintf(line, sizeof line, format, a, b, c, d, e);
  report += line;
}

// actual[i] against expected[i], each a sum of `terms` terms whose absolute
// values add up to magnitude[i].
void compare(const char* what, int in, int out, int n, const std::vector<float>& expected,
             const std::vector<float>& actual, const std::vector<double>& magnitude, int terms, double extra) {
  double worst_ratio = 0;
  size_t worst = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    const double bound = 2.0 * terms * kUnit * magnitude[i] + extra;
    const double ratio = std::fabs(double(expected[i]) - double(actual[i])) / bound;
    if (!(ratio <= worst_ratio)) worst_ratio = ratio, worst = i;  // NaN lands here too
  }
  const bool ok = worst_ratio <= 1.0;
  if (!ok) ++failures;
  say(ok ? "ok   " : "FAIL ", 0);
  report += what;
  say(" in %g out %g n %g: worst |diff| / bound %.3g (at value %g)\n", in, out, n, worst_ratio,
      expected.empty() ? 0 : expected[worst]);
}

std::vector<float> uniform(size_t count, float range, Rng& rng) {
  std::vector<float> v(count);
  for (float& x : v) x = rng.uniform(-range, range);
  return v;
}

// {in, out, n}: the Catch2 test's shapes (tests/kernels/dense_kernel_test.cpp):
// panels of 8 outputs with 4 and singles left over, the packed weights from
// n = 16 on, blocks of 36 samples in interleaved groups of 6, 1 to 5 samples
// after the groups (n = 25, 26, 45, 70, 47), and a last block with no whole
// group (n = 41).
const int kShapes[][3] = {{1, 1, 1},   {2, 64, 1},    {3, 5, 7},   {784, 256, 4}, {64, 2, 9},
                          {13, 9, 6},  {256, 784, 5}, {7, 4, 3},   {2, 3, 2},     {5, 8, 16},
                          {37, 30, 45}, {2, 64, 33},  {128, 256, 70}, {784, 256, 33}, {37, 30, 47},
                          {37, 30, 41}, {37, 30, 25}, {37, 30, 26}};

void check_infer(Rng& rng) {
  for (const auto& shape : kShapes) {
    const int in = shape[0], out = shape[1], n = shape[2];
    for (int code = 0; code <= 3; ++code) {
      const auto act = static_cast<Activation>(code);
      const std::vector<float> w = uniform(size_t(in) * out, 0.5f, rng), b = uniform(out, 0.5f, rng),
                               x = uniform(size_t(in) * n, 1.0f, rng);
      const DenseView layer{w.data(), b.data(), in, out, act};
      std::vector<float> expected(size_t(out) * n), actual(size_t(out) * n, -99.0f);
      dense_infer_scalar(layer, x.data(), n, expected.data());
      dense_infer(layer, x.data(), n, actual.data());
      std::vector<double> magnitude(expected.size());
      for (int s = 0; s < n; ++s)
        for (int o = 0; o < out; ++o) {
          double sum = std::fabs(b[o]);
          for (int j = 0; j < in; ++j) sum += std::fabs(double(w[size_t(j) * out + o]) * x[size_t(s) * in + j]);
          magnitude[size_t(s) * out + o] = sum;
        }
      const char* names[] = {"dense_infer identity", "dense_infer sigmoid", "dense_infer tanh", "dense_infer relu"};
      compare(names[code], in, out, n, expected, actual, magnitude, in + 1,
              act == Activation::identity || act == Activation::relu ? 0.0 : kActivationError);
    }
  }
}

void check_input_grad(Rng& rng) {
  for (const auto& shape : kShapes) {
    const int in = shape[0], out = shape[1], n = shape[2];
    const std::vector<float> w = uniform(size_t(in) * out, 1.0f, rng), b(out),
                             dz = uniform(size_t(out) * n, 1.0f, rng);
    const DenseView layer{w.data(), b.data(), in, out, Activation::tanh};
    std::vector<float> expected(size_t(in) * n), actual(size_t(in) * n, -99.0f);
    dense_input_grad_scalar(layer, dz.data(), n, expected.data());
    dense_input_grad(layer, dz.data(), n, actual.data());
    std::vector<double> magnitude(expected.size());
    for (int s = 0; s < n; ++s)
      for (int j = 0; j < in; ++j) {
        double sum = 0;
        for (int o = 0; o < out; ++o) sum += std::fabs(double(w[size_t(j) * out + o]) * dz[size_t(s) * out + o]);
        magnitude[size_t(s) * in + j] = sum;
      }
    compare("dense_input_grad", in, out, n, expected, actual, magnitude, out, 0.0);
  }
}

// Whole, then by three column blocks accumulated twice over (as the trainer's
// threads share one layer's gradient): twice the gradient.
void check_weight_grad(Rng& rng) {
  for (const auto& shape : kShapes) {
    const int in = shape[0], out = shape[1], n = shape[2];
    const std::vector<float> x = uniform(size_t(in) * n, 1.0f, rng), dz = uniform(size_t(out) * n, 1.0f, rng);
    std::vector<float> expected(size_t(in) * out), actual(size_t(in) * out, -99.0f);
    dense_weight_grad_scalar(dz.data(), out, n, x.data(), in, 0, in, expected.data(), false);
    dense_weight_grad(dz.data(), out, n, x.data(), in, 0, in, actual.data(), false);
    std::vector<double> magnitude(expected.size());
    for (int j = 0; j < in; ++j)
      for (int o = 0; o < out; ++o) {
        double sum = 0;
        for (int s = 0; s < n; ++s) sum += std::fabs(double(dz[size_t(s) * out + o]) * x[size_t(s) * in + j]);
        magnitude[size_t(j) * out + o] = sum;
      }
    compare("dense_weight_grad", in, out, n, expected, actual, magnitude, n, 0.0);
    const int cuts[] = {0, in / 3, 2 * in / 3, in};
    for (int pass = 0; pass < 2; ++pass)
      for (int part = 0; part < 3; ++part)
        dense_weight_grad(dz.data(), out, n, x.data(), in, cuts[part], cuts[part + 1],
                          actual.data() + size_t(cuts[part]) * out, pass == 1);
    for (float& v : expected) v *= 2.0f;
    for (double& m : magnitude) m *= 2.0;
    compare("dense_weight_grad by column blocks, accumulated", in, out, n, expected, actual, magnitude, 2 * n, 0.0);
  }
}

}  // namespace

// Runs every check; returns the number that failed. lpk_report() is the text.
extern "C" int lpk_run() {
  report = std::string("kernel: ") + dense_kernel_name() + "\n";
  failures = 0;
  Rng rng(2121);
  check_infer(rng);
  check_input_grad(rng);
  check_weight_grad(rng);
  return failures;
}

extern "C" const char* lpk_report() { return report.c_str(); }
