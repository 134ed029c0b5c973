// Seeded pseudo-random numbers (PCG32), identical on every platform and build.
//
// std::mt19937 is portable, but std::uniform_real_distribution is not: its output
// differs between standard libraries. A run must be reproducible bit for bit on
// native and wasm builds alike, so the few distributions we need live here.
#pragma once
#include <cstdint>

namespace lp {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0, uint64_t stream = 0x5851f42d4c957f2dULL);

  uint32_t next_u32();
  // Uniform in [0, 1) with 24 random bits, so every value is exactly representable.
  float uniform();
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n) without modulo bias. n must be > 0.
  uint32_t below(uint32_t n);
  // Standard normal (Box-Muller; one value per call, the pair's twin is dropped).
  float normal();

  // The whole state, so a checkpoint can resume the exact same sequence.
  uint64_t state() const { return state_; }
  uint64_t increment() const { return inc_; }
  void restore(uint64_t state, uint64_t increment) { state_ = state; inc_ = increment; }

 private:
  uint64_t state_ = 0;
  uint64_t inc_ = 0;
};

}  // namespace lp
