// The safetensors format (Hugging Face): a u64 little-endian header length, a
// JSON header naming each tensor's dtype, shape and byte range, then the raw
// little-endian data. Nothing in it can run code, which makes it the safe way
// to hand a LatentPad model to PyTorch and back.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "interop/tensor.h"

namespace lp {

struct Safetensors {
  std::vector<NamedTensor> tensors;  // in header order
  std::map<std::string, std::string> metadata;  // the header's "__metadata__"
};

// Headers larger than this are refused (a model's header is a few KiB).
constexpr uint64_t kSafetensorsMaxHeader = uint64_t{1} << 24;

// True when the bytes start like a safetensors file: a plausible header length, then '{'.
bool safetensors_signature(const uint8_t* data, size_t size);
// Reads F32, F16, BF16 and F64 tensors as float32. Fails, naming the tensor,
// on a malformed header, a byte range outside the data, a size that does not
// match the shape, or NaN or infinite values.
bool safetensors_read(const uint8_t* data, size_t size, Safetensors* out, std::string* error);
// Writes every tensor as F32, in the order given.
std::vector<uint8_t> safetensors_encode(const Safetensors& file);

}  // namespace lp
