#include "eval/interpolation.h"

#include <cstddef>

namespace lp {

std::vector<float> interpolate_codes(const std::vector<float>& from, const std::vector<float>& to, int steps) {
  const std::size_t dim = from.size();
  std::vector<float> codes(static_cast<std::size_t>(steps) * dim);
  for (int s = 0; s < steps; ++s) {
    const float t = static_cast<float>(s) / static_cast<float>(steps - 1);
    // The ends exactly: t = 0 and t = 1 give `from` and `to` bit for bit.
    for (std::size_t d = 0; d < dim; ++d) codes[s * dim + d] = s == steps - 1 ? to[d] : from[d] + t * (to[d] - from[d]);
  }
  return codes;
}

std::vector<float> blend_images(const float* a, const float* b, int pixels, int steps) {
  std::vector<float> out(static_cast<std::size_t>(steps) * pixels);
  for (int s = 0; s < steps; ++s) {
    const float t = static_cast<float>(s) / static_cast<float>(steps - 1);
    for (int p = 0; p < pixels; ++p) out[static_cast<std::size_t>(s) * pixels + p] = (1.0f - t) * a[p] + t * b[p];
  }
  return out;
}

}  // namespace lp
