// Finite-difference gradient checking.
//
// Every check compares a whole tensor at once against its own scale:
//   max_i |numeric_i - analytic_i| <= tol * max_i |numeric_i|,
// so a gradient scaled by 1 + 2 tol, or a term dropped from a few entries,
// fails however small the tensor's gradients are. Networks whose gradients
// are small next to float rounding (the autoencoder's encoder) are
// differentiated through a double-precision copy of their forward pass
// (DoubleChain), so the numeric side is exact to ~1e-9 and the tolerance
// only has to cover the float analytic side.
#pragma once
#include <cmath>
#include <functional>
#include <vector>

#include <catch2/catch.hpp>
#include <Eigen/Core>

#include "base/rng.h"
#include "nn/for_each_layer.h"

namespace lp::test {

// Uniform in [-1, 1] from our own RNG: unlike Eigen's Random() (std::rand), the
// same on every platform, so native and wasm runs check the same numbers.
inline Eigen::MatrixXf random_matrix(int rows, int cols, uint64_t seed) {
  Rng rng(seed, 99);
  Eigen::MatrixXf m(rows, cols);
  for (int i = 0; i < m.size(); ++i) m.data()[i] = rng.uniform(-1.0f, 1.0f);
  return m;
}

// Checks analytic[0..size) against (loss(p_i + h) - loss(p_i - h)) / 2h for
// every `stride`-th entry of `param` (float or double), relative to the
// tensor's scale (see above). Returns the relative error found.
template <class Scalar>
double gradcheck(Scalar* param, const float* analytic, int size, const std::function<double()>& loss, double h,
                 double tol, int stride = 1) {
  double worst = 0.0, scale = 0.0;
  int worst_at = -1;
  for (int i = 0; i < size; i += stride) {
    const Scalar saved = param[i];
    param[i] = static_cast<Scalar>(saved + h);
    const double up = loss();
    param[i] = static_cast<Scalar>(saved - h);
    const double down = loss();
    param[i] = saved;
    const double numeric = (up - down) / (2.0 * h);
    scale = std::max(scale, std::fabs(numeric));
    const double error = std::fabs(numeric - analytic[i]);
    if (error > worst) worst = error, worst_at = i;
  }
  INFO("tensor scale " << scale << ", worst absolute error " << worst << " at entry " << worst_at);
  REQUIRE(scale > 0.0);  // an all-zero gradient checks nothing
  REQUIRE(worst <= tol * scale);
  return worst / scale;
}

// A double-precision copy of a chain of dense layers (an Mlp, or an
// Autoencoder's encoder then decoder), for exact finite differences.
struct DoubleChain {
  struct Layer {
    Eigen::MatrixXd weight;
    Eigen::VectorXd bias;
    Activation act;
  };
  std::vector<Layer> layers;

  template <class Model>
  static DoubleChain of(const Model& model) {
    DoubleChain chain;
    for_each_layer(model, [&](LayerRef, const Dense& layer) {
      chain.layers.push_back({layer.weight.cast<double>(), layer.bias.cast<double>(), layer.act});
    });
    return chain;
  }

  Eigen::MatrixXd forward(Eigen::MatrixXd a) const {
    for (const Layer& layer : layers) {
      a = (layer.weight * a).colwise() + layer.bias;
      a = a.unaryExpr([&](double z) {
        switch (layer.act) {
          case Activation::tanh: return std::tanh(z);
          case Activation::sigmoid: return 1.0 / (1.0 + std::exp(-z));
          case Activation::relu: return z > 0.0 ? z : 0.0;
          case Activation::identity: break;
        }
        return z;
      });
    }
    return a;
  }
};

}  // namespace lp::test
