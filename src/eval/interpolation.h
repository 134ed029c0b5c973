// Walking between two codes, the tutorial's "generation" use: the path through
// the code space decoded digit by digit, against the endpoints' images blended
// pixel by pixel (which gives ghosts: two half-digits on top of each other).
#pragma once
#include <vector>

namespace lp {

// `steps` codes (steps >= 2) evenly spaced from `from` to `to`, both included:
// steps x dim floats.
std::vector<float> interpolate_codes(const std::vector<float>& from, const std::vector<float>& to, int steps);

// (1 - t) a + t b for t = 0, 1/(steps-1), ..., 1: steps x pixels floats.
std::vector<float> blend_images(const float* a, const float* b, int pixels, int steps);

}  // namespace lp
