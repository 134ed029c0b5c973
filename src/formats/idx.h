// The IDX format of the MNIST files: a 4-byte magic (0, 0, type, ndim), ndim
// big-endian u32 dimensions, then the data. Parsing works on bytes in memory;
// reading files (and gunzipping them) is the caller's job.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace lp {

// Element types this reader supports (IDX type codes).
enum class IdxType : uint8_t { u8 = 0x08, f32 = 0x0D };

struct IdxArray {
  IdxType type = IdxType::u8;
  std::vector<uint32_t> dims;
  std::vector<uint8_t> values;  // raw data; f32 elements are big-endian, as in the file
};

// The elements of an f32 array in host order. Requires type == f32.
std::vector<float> idx_floats(const IdxArray& array);
IdxArray idx_from_floats(std::vector<uint32_t> dims, const float* values);

// Fails unless the type is supported, the header is well formed and the dimensions account for
// exactly the bytes present: a truncated or padded file is an error.
bool idx_parse(const uint8_t* data, size_t size, IdxArray* out, std::string* error);
// The same, taking over `bytes` so a large file is never held twice.
bool idx_parse(std::vector<uint8_t>&& bytes, IdxArray* out, std::string* error);
// The inverse, used by tests and tools that write small data sets.
std::vector<uint8_t> idx_encode(const IdxArray& array);

// images: [N, rows, cols]; labels: [N]. Checks that the two agree, then takes
// over their bytes.
bool dataset_from_idx(IdxArray&& images, IdxArray&& labels, Dataset* out, std::string* error);

}  // namespace lp
