// A named float32 tensor, as the interop readers hand them over: the shape
// PyTorch gives it and its values in row-major order.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lp {

struct NamedTensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> values;
};

}  // namespace lp
