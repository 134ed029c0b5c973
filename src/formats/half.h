// IEEE 754 half precision (binary16) conversion, for model files that trade
// precision for size (the web demo's download). Round to nearest even;
// infinities, NaN and subnormals are handled.
#pragma once
#include <cstdint>

namespace lp {

uint16_t float_to_half(float value);
float half_to_float(uint16_t half);

}  // namespace lp
