// CRC-32 (the zlib/PNG polynomial), written out here because the model library
// also builds for wasm, where zlib is not available.
#pragma once
#include <cstddef>
#include <cstdint>

namespace lp {

uint32_t crc32(const uint8_t* data, size_t size, uint32_t crc = 0);

}  // namespace lp
