// Corruptions for the denoising autoencoder: "gaussian:0.3" adds N(0, 0.3^2)
// to every pixel, "saltpepper:0.2" sets 20 % of pixels to 0 or 1 (even odds).
// Results are clipped to [0, 1], the range of the clean images.
#pragma once
#include <string>
#include <string_view>

#include "base/rng.h"

namespace lp {

struct NoiseSpec {
  enum class Kind { none, gaussian, saltpepper };
  Kind kind = Kind::none;
  float amount = 0.0f;  // standard deviation, or fraction of pixels
  bool active() const { return kind != Kind::none && amount > 0.0f; }
};

// "none", "gaussian:S" (0 <= S <= 10) or "saltpepper:P" (0 <= P <= 1).
bool noise_parse(std::string_view text, NoiseSpec* out, std::string* error);
std::string noise_name(const NoiseSpec& spec);
// Corrupts n pixels in place.
void noise_apply(const NoiseSpec& spec, float* pixels, size_t n, Rng& rng);

}  // namespace lp
