// The LPFX fixture format that tools/reference/*.py write: "LPFX", u32
// version, u32 count, then per tensor u32 name length, name, u32 ndim,
// u32 dims[ndim], f32 values (row-major), all little-endian.
#pragma once
#include <catch2/catch.hpp>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "io/file_io.h"

namespace lp {

struct FixtureTensor {
  std::vector<uint32_t> dims;
  std::vector<float> values;
};

inline std::map<std::string, FixtureTensor> load_fixture(const std::string& path) {
  std::vector<uint8_t> bytes;
  std::string error;
  REQUIRE(read_file(path, &bytes, &error));
  size_t pos = 0;
  auto u32 = [&] {
    REQUIRE(pos + 4 <= bytes.size());
    uint32_t v;
    std::memcpy(&v, bytes.data() + pos, 4);
    pos += 4;
    return v;
  };
  REQUIRE(std::memcmp(bytes.data(), "LPFX", 4) == 0);
  pos = 4;
  REQUIRE(u32() == 1);
  const uint32_t count = u32();
  std::map<std::string, FixtureTensor> tensors;
  for (uint32_t t = 0; t < count; ++t) {
    const uint32_t len = u32();
    std::string name(reinterpret_cast<const char*>(bytes.data() + pos), len);
    pos += len;
    FixtureTensor tensor;
    size_t n = 1;
    const uint32_t ndim = u32();
    for (uint32_t d = 0; d < ndim; ++d) n *= tensor.dims.emplace_back(u32());
    REQUIRE(pos + 4 * n <= bytes.size());
    tensor.values.resize(n);
    std::memcpy(tensor.values.data(), bytes.data() + pos, 4 * n);
    pos += 4 * n;
    tensors[name] = std::move(tensor);
  }
  REQUIRE(pos == bytes.size());
  return tensors;
}

}  // namespace lp
