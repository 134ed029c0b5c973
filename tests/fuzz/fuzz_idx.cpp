// fuzz_idx: idx_parse on raw bytes, and gunzip + idx_parse when the input
// starts with the gzip magic (what idx_load does with a .gz data set).
// Invariants: a parsed array re-encodes to exactly the input bytes, a failure
// always says why, and a parsed 3-D array goes through dataset_from_idx.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "io/file_io.h"
#include "fuzz_check.h"
#include "formats/idx.h"

namespace {

void check_idx(const uint8_t* data, size_t size) {
  lp::IdxArray array, moved;
  std::string error, moved_error;
  const bool parsed = lp::idx_parse(data, size, &array, &error);
  // The overload that takes over a buffer (what file loading uses) agrees.
  FUZZ_CHECK(lp::idx_parse(std::vector<uint8_t>(data, data + size), &moved, &moved_error) == parsed);
  if (!parsed) {
    FUZZ_CHECK(!error.empty() && moved_error == error);
    return;
  }
  FUZZ_CHECK(moved.values == array.values && moved.dims == array.dims && moved.type == array.type);
  const std::vector<uint8_t> again = lp::idx_encode(array);
  FUZZ_CHECK(again == std::vector<uint8_t>(data, data + size));
  if (array.type == lp::IdxType::f32) FUZZ_CHECK(lp::idx_floats(array).size() * 4 == array.values.size());

  // As an image file, with a matching label file (kept small: labels are
  // allocated from the header's count, which need not be backed by data).
  if (array.dims.size() == 3 && array.dims[0] <= (1u << 16)) {
    lp::IdxArray labels;
    labels.dims = {array.dims[0]};
    labels.values.assign(array.dims[0], 3);
    lp::Dataset dataset;
    const uint32_t count = array.dims[0];
    if (lp::dataset_from_idx(std::move(array), std::move(labels), &dataset, &error)) {
      FUZZ_CHECK(dataset.size() == static_cast<int>(count));
      FUZZ_CHECK(dataset.pixels.size() == size_t{count} * dataset.rows * dataset.cols);
    } else {
      FUZZ_CHECK(!error.empty());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  check_idx(data, size);
  if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
    const std::vector<uint8_t> in(data, data + size);
    std::vector<uint8_t> out;
    std::string error;
    // A small cap keeps the fuzzer under its memory limit and exercises the
    // zip-bomb guard; idx_load uses 1 GiB.
    constexpr uint64_t kCap = uint64_t{1} << 24;
    if (lp::gunzip(in, &out, &error, kCap)) {
      FUZZ_CHECK(out.size() <= kCap);
      check_idx(out.data(), out.size());
    } else {
      FUZZ_CHECK(!error.empty());
    }
  }
  return 0;
}
