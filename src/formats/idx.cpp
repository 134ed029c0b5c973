#include "formats/idx.h"

#include <cstring>

namespace lp {
namespace {

// Far above MNIST's 47 MB, far below what would exhaust memory: a header that
// claims more is rejected before anything is allocated.
constexpr uint64_t kMaxValues = uint64_t{1} << 32;

uint32_t read_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

}  // namespace

// Validates the header and size; on success *header is the header's length.
static bool idx_check(const uint8_t* data, size_t size, IdxArray* out, size_t* header_size, std::string* error) {
  if (size < 4) {
    *error = "file too short for an IDX header (" + std::to_string(size) + " bytes)";
    return false;
  }
  if (data[0] != 0 || data[1] != 0) {
    *error = "not an IDX file (magic must start with two zero bytes)";
    return false;
  }
  if (data[2] != static_cast<uint8_t>(IdxType::u8) && data[2] != static_cast<uint8_t>(IdxType::f32)) {
    *error = "unsupported IDX element type " + std::to_string(data[2]) + " (supported: 8 = unsigned byte, 13 = float)";
    return false;
  }
  const uint64_t element_size = data[2] == static_cast<uint8_t>(IdxType::f32) ? 4 : 1;
  const int ndim = data[3];
  if (ndim < 1 || ndim > 4) {
    *error = "IDX dimension count " + std::to_string(ndim) + " is outside 1..4";
    return false;
  }
  const size_t header = 4 + 4 * static_cast<size_t>(ndim);
  if (size < header) {
    *error = "IDX header truncated: " + std::to_string(ndim) + " dimensions need " + std::to_string(header) +
             " bytes, file has " + std::to_string(size);
    return false;
  }
  std::vector<uint32_t> dims(ndim);
  uint64_t count = 1;
  for (int i = 0; i < ndim; ++i) {
    dims[i] = read_be32(data + 4 + 4 * i);
    count *= dims[i];
    if (count > kMaxValues) {
      *error = "IDX dimensions claim more than " + std::to_string(kMaxValues) + " values";
      return false;
    }
  }
  count *= element_size;
  const uint64_t body = size - header;
  if (body != count) {
    *error = "IDX size mismatch: dimensions imply " + std::to_string(count) + " data bytes, file has " +
             std::to_string(body) + (body < count ? " (truncated)" : " (trailing bytes)");
    return false;
  }
  out->type = static_cast<IdxType>(data[2]);
  out->dims = std::move(dims);
  *header_size = header;
  return true;
}

bool idx_parse(const uint8_t* data, size_t size, IdxArray* out, std::string* error) {
  size_t header;
  if (!idx_check(data, size, out, &header, error)) return false;
  out->values.assign(data + header, data + size);
  return true;
}

bool idx_parse(std::vector<uint8_t>&& bytes, IdxArray* out, std::string* error) {
  size_t header;
  if (!idx_check(bytes.data(), bytes.size(), out, &header, error)) return false;
  bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(header));  // in place
  out->values = std::move(bytes);
  return true;
}

std::vector<float> idx_floats(const IdxArray& array) {
  std::vector<float> out(array.values.size() / 4);
  for (size_t i = 0; i < out.size(); ++i) {
    const uint32_t bits = read_be32(array.values.data() + 4 * i);
    std::memcpy(&out[i], &bits, 4);
  }
  return out;
}

IdxArray idx_from_floats(std::vector<uint32_t> dims, const float* values) {
  IdxArray array;
  array.type = IdxType::f32;
  size_t count = 1;
  for (uint32_t d : dims) count *= d;
  array.dims = std::move(dims);
  for (size_t i = 0; i < count; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &values[i], 4);
    for (int shift = 24; shift >= 0; shift -= 8) array.values.push_back(static_cast<uint8_t>(bits >> shift));
  }
  return array;
}

std::vector<uint8_t> idx_encode(const IdxArray& array) {
  std::vector<uint8_t> bytes = {0, 0, static_cast<uint8_t>(array.type), static_cast<uint8_t>(array.dims.size())};
  for (uint32_t d : array.dims)
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<uint8_t>(d >> shift));
  bytes.insert(bytes.end(), array.values.begin(), array.values.end());
  return bytes;
}

bool dataset_from_idx(IdxArray&& images, IdxArray&& labels, Dataset* out, std::string* error) {
  if (images.type != IdxType::u8 || labels.type != IdxType::u8) {
    *error = "images and labels must be unsigned-byte IDX files";
    return false;
  }
  if (images.dims.size() != 3) {
    *error = "image file must have 3 dimensions (count, rows, cols), has " + std::to_string(images.dims.size());
    return false;
  }
  if (labels.dims.size() != 1) {
    *error = "label file must have 1 dimension, has " + std::to_string(labels.dims.size());
    return false;
  }
  if (images.dims[0] != labels.dims[0]) {
    *error = std::to_string(images.dims[0]) + " images but " + std::to_string(labels.dims[0]) + " labels";
    return false;
  }
  if (images.dims[1] == 0 || images.dims[2] == 0 || images.dims[1] > 4096 || images.dims[2] > 4096) {
    *error = "implausible image size " + std::to_string(images.dims[1]) + "x" + std::to_string(images.dims[2]);
    return false;
  }
  out->rows = static_cast<int>(images.dims[1]);
  out->cols = static_cast<int>(images.dims[2]);
  out->pixels = std::move(images.values);
  out->labels = std::move(labels.values);
  return true;
}

}  // namespace lp
