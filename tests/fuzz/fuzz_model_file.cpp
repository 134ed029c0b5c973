// fuzz_model_file: model_file_decode on raw bytes, and again with the trailing
// CRC-32 recomputed (almost every mutation breaks the checksum, which would
// otherwise keep the fuzzer out of everything behind it). When a file decodes,
// it is encoded again and the result decoded: both decodes must agree on
// everything (kind, storage, architecture, parameter bits, metadata, optimizer
// state), and encoding is a fixed point from then on.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "formats/checksum.h"
#include "fuzz_check.h"
#include "formats/model_file.h"

namespace {

bool same_bits(const float* a, const float* b, Eigen::Index n) {
  return n == 0 || std::memcmp(a, b, sizeof(float) * static_cast<size_t>(n)) == 0;
}

bool same_mlp(const lp::Mlp& a, const lp::Mlp& b) {
  if (a.layers.size() != b.layers.size()) return false;
  for (size_t k = 0; k < a.layers.size(); ++k) {
    const lp::Dense &x = a.layers[k], &y = b.layers[k];
    if (x.act != y.act || x.weight.rows() != y.weight.rows() || x.weight.cols() != y.weight.cols() ||
        x.bias.size() != y.bias.size())
      return false;
    if (!same_bits(x.weight.data(), y.weight.data(), x.weight.size()) ||
        !same_bits(x.bias.data(), y.bias.data(), x.bias.size()))
      return false;
  }
  return true;
}

bool same_moments(const std::vector<lp::DenseGrad>& a, const std::vector<lp::DenseGrad>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].weight.rows() != b[i].weight.rows() || a[i].weight.cols() != b[i].weight.cols() ||
        a[i].bias.size() != b[i].bias.size())
      return false;
    if (!same_bits(a[i].weight.data(), b[i].weight.data(), a[i].weight.size()) ||
        !same_bits(a[i].bias.data(), b[i].bias.data(), a[i].bias.size()))
      return false;
  }
  return true;
}

void check_model_file(const uint8_t* data, size_t size) {
  lp::ModelFile first;
  std::string error;
  if (!lp::model_file_decode(data, size, &first, &error)) {
    FUZZ_CHECK(!error.empty());
    return;
  }
  const std::vector<uint8_t> bytes = lp::model_file_encode(first);
  lp::ModelFile second;
  if (!lp::model_file_decode(bytes.data(), bytes.size(), &second, &error)) {
    std::fprintf(stderr, "re-encoded file does not decode: %s\n", error.c_str());
    FUZZ_CHECK(false);
  }
  FUZZ_CHECK(second.parts == first.parts && second.model.kind == first.model.kind);
  FUZZ_CHECK(second.storage == first.storage);
  FUZZ_CHECK(same_mlp(second.model.encoder, first.model.encoder));
  FUZZ_CHECK(same_mlp(second.model.decoder, first.model.decoder));
  FUZZ_CHECK(second.meta == first.meta);
  FUZZ_CHECK(second.optimizer.has_value() == first.optimizer.has_value());
  if (first.optimizer) {
    const lp::OptimizerSnapshot &a = *first.optimizer, &b = *second.optimizer;
    FUZZ_CHECK(a.adam.step == b.adam.step && a.epoch == b.epoch);
    FUZZ_CHECK(a.rng_state == b.rng_state && a.rng_increment == b.rng_increment);
    FUZZ_CHECK(same_moments(a.adam.m, b.adam.m) && same_moments(a.adam.v, b.adam.v));
  }
  FUZZ_CHECK(lp::model_file_encode(second) == bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  check_model_file(data, size);
  if (size >= 4) {
    std::vector<uint8_t> sealed(data, data + size);
    const uint32_t crc = lp::crc32(sealed.data(), size - 4);
    for (int i = 0; i < 4; ++i) sealed[size - 4 + i] = static_cast<uint8_t>(crc >> (8 * i));
    if (!std::equal(sealed.begin(), sealed.end(), data)) check_model_file(sealed.data(), sealed.size());
  }
  return 0;
}
