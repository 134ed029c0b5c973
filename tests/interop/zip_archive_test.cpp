// The zip reader: stored entries come back byte for byte; anything that could
// reach outside the archive, the buffer or a sane size is refused by name.
#include <catch2/catch.hpp>

#include "interop/zip_archive.h"
#include "interop/zip_builder.h"

using namespace lp;
using lp::test::ZipBuilder;

namespace {

std::string refusal(const std::vector<uint8_t>& bytes) {
  ZipArchive zip;
  std::string error;
  CHECK_FALSE(zip_open(bytes.data(), bytes.size(), &zip, &error));
  return error;
}

}  // namespace

TEST_CASE("stored entries are found by name with their bytes", "[interop][zip]") {
  const std::vector<uint8_t> bytes =
      ZipBuilder().add("model/data.pkl", std::string("pickle")).add("model/data/0", std::string("1234")).bytes();
  REQUIRE(zip_signature(bytes.data(), bytes.size()));
  ZipArchive zip;
  std::string error;
  REQUIRE(zip_open(bytes.data(), bytes.size(), &zip, &error));
  REQUIRE(zip.entries.size() == 2);
  const ZipEntry* entry = zip.find("model/data/0");
  REQUIRE(entry);
  CHECK(std::string(reinterpret_cast<const char*>(entry->data), entry->size) == "1234");
  CHECK(entry->data >= bytes.data());
  CHECK(entry->data + entry->size <= bytes.data() + bytes.size());
  CHECK(zip.find("model/data/1") == nullptr);
}

TEST_CASE("entry names that leave the archive are refused", "[interop][zip][hostile]") {
  for (const char* name : {"../model/data.pkl", "/tmp/model/data.pkl", "model/../../etc/passwd", "model\\data.pkl",
                           "C:/model/data.pkl", "model/.."}) {
    INFO(name);
    CHECK(refusal(ZipBuilder().add(name, std::string("x")).bytes()) ==
          std::string("entry ") + name + " has a path outside the archive");
  }
  // Dots inside a name are fine.
  ZipArchive zip;
  std::string error;
  const auto ok = ZipBuilder().add("model/..data/x", std::string("x")).bytes();
  CHECK(zip_open(ok.data(), ok.size(), &zip, &error));
}

TEST_CASE("deflated entries inflate, and their CRC is that of the inflated bytes", "[interop][zip]") {
  // zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_FIXED) of "hello hello hello hello"
  const std::vector<uint8_t> hello = {0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x57, 0xc8, 0x40, 0x27, 0x01};
  ZipBuilder builder;
  builder.add("m/data.pkl", std::string("hello hello hello hello"));
  builder.entries[0].method = 8;
  builder.entries[0].written = hello;
  const std::vector<uint8_t> bytes = builder.bytes();
  ZipArchive zip;
  std::string error;
  INFO(error);
  REQUIRE(zip_open(bytes.data(), bytes.size(), &zip, &error));
  const ZipEntry* entry = zip.find("m/data.pkl");
  REQUIRE(entry);
  CHECK(std::string(reinterpret_cast<const char*>(entry->data), entry->size) == "hello hello hello hello");
  builder.entries[0].bad_crc = true;
  CHECK(refusal(builder.bytes()) == "entry m/data.pkl fails its CRC-32 check");
}

TEST_CASE("sizes, compression and checksums are checked before any use", "[interop][zip][hostile]") {
  ZipBuilder big;
  big.add("m/data/0", std::string("tiny"));
  big.entries[0].claimed_size = 0xF0000000;
  CHECK(refusal(big.bytes()) == "entry m/data/0 claims 4026531840 bytes, over the limit of 1073741824");

  ZipBuilder bomb;
  bomb.add("m/data/0", std::vector<uint8_t>(100, 0));
  bomb.entries[0].method = 8;
  bomb.entries[0].claimed_size = 1 << 29;
  CHECK(refusal(bomb.bytes()) == "entry m/data/0 is compressed beyond a sane ratio (536870912 bytes from 100)");

  ZipBuilder deflated;
  deflated.add("m/data.pkl", std::vector<uint8_t>(100, 0));
  deflated.entries[0].method = 8;
  deflated.entries[0].claimed_size = 300;
  CHECK(refusal(deflated.bytes()) ==
        "entry m/data.pkl: its compressed data is invalid (a stored block's length check fails)");
  ZipBuilder bzip2;
  bzip2.add("m/data.pkl", std::string("pickle"));
  bzip2.entries[0].method = 12;
  CHECK(refusal(bzip2.bytes()) == "entry m/data.pkl is compressed with method 12, which this reader does not support "
                                  "(only stored and deflated entries)");

  ZipBuilder crc;
  crc.add("m/data.pkl", std::string("pickle"));
  crc.entries[0].bad_crc = true;
  CHECK(refusal(crc.bytes()) == "entry m/data.pkl fails its CRC-32 check");

  CHECK(refusal(ZipBuilder().add("a", std::string("1")).add("a", std::string("2")).bytes()) == "entry a appears twice");
}

TEST_CASE("a truncated or foreign file is not taken for an archive", "[interop][zip][hostile]") {
  std::vector<uint8_t> bytes = ZipBuilder().add("m/data.pkl", std::string("pickle")).bytes();
  for (size_t cut : {bytes.size() - 1, bytes.size() / 2, size_t{10}, size_t{0}}) {
    const std::vector<uint8_t> part(bytes.begin(), bytes.begin() + cut);
    INFO(cut);
    CHECK_FALSE(refusal(part).empty());
  }
  // A directory offset pointing past the end.
  bytes[bytes.size() - 6] = 0xFF;
  CHECK(refusal(bytes) == "its central directory is out of range");
}
