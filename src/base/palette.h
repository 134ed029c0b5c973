// The colours of the ten classes, shared by the demo and the CLI's figures:
// matplotlib's tab10, the usual palette for ten categories.
#pragma once
#include <cstdint>

namespace lp {

constexpr uint8_t kClassRgb[10][3] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},
                                      {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {127, 127, 127},
                                      {188, 189, 34},  {23, 190, 207}};

}  // namespace lp
