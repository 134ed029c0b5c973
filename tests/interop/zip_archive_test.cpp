// The zip reader: stored entries come back byte for byte, deflated ones inflate
// to exactly the size their directory states; anything that could reach
// outside the archive, the buffer or a sane size is refused by name.
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

// Python: zlib.compressobj(level, zlib.DEFLATED, -15[, strategy]) of each text.
const std::vector<uint8_t> kStored = {0x01, 0x07, 0x00, 0xf8, 0xff, 0x73, 0x74, 0x6f, 0x72, 0x65, 0x64, 0x21};
const std::vector<uint8_t> kFixed = {0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x57, 0xc8, 0x40, 0x27, 0x01};
const std::vector<uint8_t> kDynamic = {
    0xad, 0xcb, 0xdd, 0x15, 0x82, 0x30, 0x0c, 0x06, 0xd0, 0x55, 0x32, 0x80, 0x87, 0x23, 0x8a, 0xa2, 0x3b, 0xf0, 0xe0, 0x0a,
    0x91, 0x46, 0x1a, 0x7f, 0x52, 0x4d, 0xbf, 0x52, 0x74, 0x7a, 0x87, 0xd0, 0xf7, 0x7b, 0x07, 0x86, 0x18, 0x4e, 0x1c, 0xc8,
    0x85, 0x43, 0xa6, 0x1a, 0x19, 0x84, 0xe4, 0x63, 0x6c, 0x32, 0xcf, 0x42, 0xd5, 0x15, 0x92, 0x57, 0x54, 0x15, 0x31, 0x15,
    0x90, 0x17, 0x33, 0xb5, 0x89, 0x14, 0x0d, 0x0d, 0x3f, 0x5c, 0x3e, 0x8f, 0x41, 0x2e, 0x53, 0xd4, 0xeb, 0xed, 0xfe, 0xb0,
    0xf4, 0x7c, 0x79, 0x46, 0x99, 0xeb, 0xf2, 0xfe, 0xac, 0xdb, 0xcd, 0xb6, 0xdb, 0xed, 0xfb, 0xc3, 0xf1, 0x5f, 0xe6, 0x0b};
const std::string kDynamicText =
    "LatentPad reads what torch.save writes, without running it. LatentPad reads what torch.save writes, without "
    "running it. abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"
    "0123456789";

// An archive whose one entry, m/data.pkl, holds `stream` deflated; its CRC is
// that of `text` and its directory states `claimed` bytes (-1: text's size).
std::vector<uint8_t> deflated_zip(const std::vector<uint8_t>& stream, const std::string& text, int64_t claimed = -1) {
  ZipBuilder builder;
  builder.add("m/data.pkl", text);
  builder.entries[0].method = 8;
  builder.entries[0].written = stream;
  builder.entries[0].claimed_size = claimed;
  return builder.bytes();
}

std::string inflated_text(const std::vector<uint8_t>& stream, const std::string& text) {
  const std::vector<uint8_t> bytes = deflated_zip(stream, text);
  ZipArchive zip;
  std::string error;
  INFO(error);
  REQUIRE(zip_open(bytes.data(), bytes.size(), &zip, &error));
  REQUIRE(zip.entries.size() == 1);
  return std::string(reinterpret_cast<const char*>(zip.entries[0].data), zip.entries[0].size);
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

TEST_CASE("zlib's stored, fixed and dynamic blocks inflate to their text", "[interop][zip][inflate]") {
  CHECK(inflated_text(kStored, "stored!") == "stored!");
  CHECK(inflated_text(kFixed, "hello hello hello hello") == "hello hello hello hello");  // back-references
  CHECK(inflated_text(kDynamic, kDynamicText) == kDynamicText);
}

TEST_CASE("inflating stops at the size the directory gives, and corrupt streams are refused",
          "[interop][zip][inflate][hostile]") {
  const std::string hello = "hello hello hello hello";
  CHECK(refusal(deflated_zip(kFixed, hello, 22)) ==
        "entry m/data.pkl: its compressed data is invalid (it inflates past the 22 bytes its directory says)");
  CHECK(refusal(deflated_zip(kFixed, hello, 24)) ==
        "entry m/data.pkl: its compressed data is invalid (it inflates to 23 bytes, not the 24 its directory says)");
  CHECK(refusal(deflated_zip(kStored, "stored!", 6)) ==
        "entry m/data.pkl: its compressed data is invalid (it inflates past the 6 bytes its directory says)");
  const std::vector<uint8_t> truncated(kDynamic.begin(), kDynamic.begin() + 50);
  CHECK(refusal(deflated_zip(truncated, kDynamicText)) == "entry m/data.pkl: its compressed data is invalid (truncated)");
  std::vector<uint8_t> bad_stored = kStored;
  bad_stored[3] ^= 1;  // NLEN no longer the complement of LEN
  CHECK(refusal(deflated_zip(bad_stored, "stored!")) ==
        "entry m/data.pkl: its compressed data is invalid (a stored block's length check fails)");
  CHECK(refusal(deflated_zip({0x07}, "x")) ==
        "entry m/data.pkl: its compressed data is invalid (a block of reserved type 3)");
  // Every single-bit flip of the dynamic stream is refused (as corrupt, or by the CRC of what it inflates to),
  // or, when it only touches the padding after the last block, inflates to the very same text.
  for (size_t bit = 0; bit < kDynamic.size() * 8; ++bit) {
    std::vector<uint8_t> flipped = kDynamic;
    flipped[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
    const std::vector<uint8_t> bytes = deflated_zip(flipped, kDynamicText);
    ZipArchive zip;
    std::string error;
    INFO("bit " << bit);
    if (zip_open(bytes.data(), bytes.size(), &zip, &error))
      CHECK(std::string(reinterpret_cast<const char*>(zip.entries[0].data), zip.entries[0].size) == kDynamicText);
    else if (error != "entry m/data.pkl fails its CRC-32 check")
      CHECK_THAT(error, Catch::StartsWith("entry m/data.pkl: its compressed data is invalid ("));
  }
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
