// DEFLATE: streams zlib wrote (stored, fixed and dynamic Huffman blocks)
// inflate to their text; corrupt streams and wrong sizes are refused.
#include <catch2/catch.hpp>

#include "interop/inflate.h"

using namespace lp;

namespace {

std::string inflate_text(const std::vector<uint8_t>& stream, size_t expected) {
  std::vector<uint8_t> out;
  std::string error;
  INFO(error);
  REQUIRE(inflate_raw(stream.data(), stream.size(), expected, &out, &error));
  return std::string(out.begin(), out.end());
}

std::string refusal(const std::vector<uint8_t>& stream, size_t expected) {
  std::vector<uint8_t> out;
  std::string error;
  CHECK_FALSE(inflate_raw(stream.data(), stream.size(), expected, &out, &error));
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

}  // namespace

TEST_CASE("zlib's stored, fixed and dynamic blocks inflate to their text", "[interop][inflate]") {
  CHECK(inflate_text(kStored, 7) == "stored!");
  CHECK(inflate_text(kFixed, 23) == "hello hello hello hello");  // back-references over the output
  CHECK(inflate_text(kDynamic, kDynamicText.size()) == kDynamicText);
}

TEST_CASE("inflate stops at the size the directory gave, and refuses corrupt streams", "[interop][inflate][hostile]") {
  CHECK(refusal(kFixed, 22) == "its compressed data is invalid (it inflates past the 22 bytes its directory says)");
  CHECK(refusal(kFixed, 24) == "its compressed data is invalid (it inflates to 23 bytes, not the 24 its directory says)");
  CHECK(refusal(kStored, 6) == "its compressed data is invalid (it inflates past the 6 bytes its directory says)");
  std::vector<uint8_t> truncated(kDynamic.begin(), kDynamic.begin() + 50);
  CHECK(refusal(truncated, kDynamicText.size()) == "its compressed data is invalid (truncated)");
  std::vector<uint8_t> bad_stored = kStored;
  bad_stored[3] ^= 1;  // NLEN no longer the complement of LEN
  CHECK(refusal(bad_stored, 7) == "its compressed data is invalid (a stored block's length check fails)");
  CHECK(refusal({0x07}, 1) == "its compressed data is invalid (a block of reserved type 3)");
  // Every single-bit flip of the dynamic stream is refused or inflates to exactly the size asked: never more.
  for (size_t bit = 0; bit < kDynamic.size() * 8; ++bit) {
    std::vector<uint8_t> flipped = kDynamic;
    flipped[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
    std::vector<uint8_t> out;
    std::string error;
    if (inflate_raw(flipped.data(), flipped.size(), kDynamicText.size(), &out, &error))
      CHECK(out.size() == kDynamicText.size());
    else
      CHECK_THAT(error, Catch::StartsWith("its compressed data is invalid ("));
  }
}
