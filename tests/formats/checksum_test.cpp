#include "formats/checksum.h"

#include <catch2/catch.hpp>
#include <string>

using namespace lp;

TEST_CASE("crc32 matches the standard check value", "[checksum]") {
  const std::string check = "123456789";
  CHECK(crc32(reinterpret_cast<const uint8_t*>(check.data()), check.size()) == 0xCBF43926u);
  CHECK(crc32(nullptr, 0) == 0u);
  // Incremental use gives the same answer as one call.
  const auto* p = reinterpret_cast<const uint8_t*>(check.data());
  CHECK(crc32(p + 4, 5, crc32(p, 4)) == 0xCBF43926u);
}
