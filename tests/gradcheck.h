// Finite-difference gradient checking for float networks.
//
// The networks compute in float, so differences use a fairly large step and a
// loss accumulated in double; tolerances are set for float rounding, while a
// wrong formula (a missing factor, a transposed product) is off by far more.
#pragma once
#include <cmath>
#include <functional>

#include <catch2/catch.hpp>
#include <Eigen/Core>

#include "rng.h"

namespace lp::test {

// Uniform in [-1, 1] from our own RNG: unlike Eigen's Random() (std::rand), the
// same on every platform, so native and wasm runs check the same numbers.
inline Eigen::MatrixXf random_matrix(int rows, int cols, uint64_t seed) {
  Rng rng(seed, 99);
  Eigen::MatrixXf m(rows, cols);
  for (int i = 0; i < m.size(); ++i) m.data()[i] = rng.uniform(-1.0f, 1.0f);
  return m;
}

// Checks analytic[i] against (loss(p_i + h) - loss(p_i - h)) / 2h for every
// entry of `param` (or every `stride`-th one, for big tensors).
inline void gradcheck(float* param, const float* analytic, int size, const std::function<double()>& loss,
                      int stride = 1, float h = 1e-2f) {
  for (int i = 0; i < size; i += stride) {
    const float saved = param[i];
    param[i] = saved + h;
    const double up = loss();
    param[i] = saved - h;
    const double down = loss();
    param[i] = saved;
    const double numeric = (up - down) / (2.0 * h);
    const double error = std::fabs(numeric - analytic[i]) / std::max(1e-2, std::fabs(numeric) + std::fabs(analytic[i]));
    INFO("entry " << i << ": analytic " << analytic[i] << ", numeric " << numeric);
    REQUIRE(error < 2e-2);
  }
}

}  // namespace lp::test
