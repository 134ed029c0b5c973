// safetensors: what LatentPad writes it reads back exactly; foreign headers
// are parsed strictly; bad ranges, sizes and values are refused by name.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "interop/safetensors.h"

using namespace lp;

namespace {

// A file from a header written by hand and raw data bytes.
std::vector<uint8_t> file_of(const std::string& header, const std::vector<uint8_t>& data) {
  std::string head(8, '\0');
  for (int i = 0; i < 8; ++i) head[i] = static_cast<char>(static_cast<uint64_t>(header.size()) >> (8 * i));
  head += header;
  std::vector<uint8_t> out(head.begin(), head.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

template <class T>
std::vector<uint8_t> raw(std::initializer_list<T> values) {
  std::vector<uint8_t> out(values.size() * sizeof(T));
  std::memcpy(out.data(), values.begin(), out.size());
  return out;
}

std::string refusal(const std::vector<uint8_t>& bytes) {
  Safetensors st;
  std::string error;
  CHECK_FALSE(safetensors_read(bytes.data(), bytes.size(), &st, &error));
  return error;
}

}  // namespace

TEST_CASE("safetensors round trip: names, shapes, values and metadata", "[interop][safetensors]") {
  Safetensors st;
  st.tensors.push_back({"encoder.0.weight", {2, 3}, {1, -2, 3.5f, 1e-30f, -0.0f, 7}});
  st.tensors.push_back({"encoder.0.bias", {2}, {0.25f, -8}});
  st.metadata["latentpad.kind"] = "encoder";
  st.metadata["quote\"and\\slash"] = "line\nbreak";
  const std::vector<uint8_t> bytes = safetensors_encode(st);
  REQUIRE(safetensors_signature(bytes.data(), bytes.size()));
  uint64_t header = 0;
  std::memcpy(&header, bytes.data(), 8);
  CHECK((8 + header) % 8 == 0);  // the data starts aligned
  Safetensors back;
  std::string error;
  REQUIRE(safetensors_read(bytes.data(), bytes.size(), &back, &error));
  REQUIRE(back.tensors.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK(back.tensors[i].name == st.tensors[i].name);
    CHECK(back.tensors[i].shape == st.tensors[i].shape);
    CHECK(std::memcmp(back.tensors[i].values.data(), st.tensors[i].values.data(), 4 * st.tensors[i].values.size()) == 0);
  }
  CHECK(back.metadata == st.metadata);
}

TEST_CASE("float16, bfloat16 and float64 tensors are read as float32", "[interop][safetensors]") {
  const std::vector<uint8_t> f64 = raw<double>({0.5, -3.25});
  const std::vector<uint8_t> f16 = raw<uint16_t>({0x3C00, 0xC000});  // 1, -2
  const std::vector<uint8_t> bf16 = raw<uint16_t>({0x3F80, 0x4040});  // 1, 3
  std::vector<uint8_t> data = f64;
  data.insert(data.end(), f16.begin(), f16.end());
  data.insert(data.end(), bf16.begin(), bf16.end());
  const auto bytes = file_of(
      R"({"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"b":{"dtype":"F16","shape":[2,1],)"
      R"("data_offsets":[16,20]}, "c" : {"shape":[2],"dtype":"BF16","data_offsets":[20,24]}})", data);
  Safetensors st;
  std::string error;
  REQUIRE(safetensors_read(bytes.data(), bytes.size(), &st, &error));
  CHECK(st.tensors[0].values == std::vector<float>{0.5f, -3.25f});
  CHECK(st.tensors[1].values == std::vector<float>{1.0f, -2.0f});
  CHECK(st.tensors[1].shape == std::vector<int64_t>{2, 1});
  CHECK(st.tensors[2].values == std::vector<float>{1.0f, 3.0f});
}

TEST_CASE("bad safetensors files are refused by name", "[interop][safetensors][hostile]") {
  const auto two = raw<float>({1, 2});
  CHECK(refusal(file_of(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,12]}})", two)) ==
        "tensor w has a byte range outside the file");
  CHECK(refusal(file_of(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", two)) ==
        "tensor w has 8 bytes for a shape of 3 values");
  CHECK(refusal(file_of(R"({"w":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})", two)) ==
        "tensor w has dtype I64; only float tensors are read");
  CHECK(refusal(file_of(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", raw<float>({1, NAN}))) ==
        "tensor w holds NaN");
  CHECK(refusal(file_of(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", raw<float>({1, INFINITY}))) ==
        "tensor w holds an infinite value");
  CHECK(refusal(file_of(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,8]}})", two)) ==
        "tensor w has an impossible shape");
  CHECK(refusal(file_of(R"({"w":{"dtype":"F32"}})", two)) == "its header entry for w lacks a dtype, shape or data_offsets");
  CHECK(refusal(file_of(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                        R"("w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", two)) == "its header names w twice");
  CHECK_THAT(refusal(file_of(R"({"w":{"dtype":"F32",)", two)), Catch::Contains("not valid JSON"));
  CHECK_THAT(refusal(file_of(std::string(100, '[') + std::string(100, ']'), two)), Catch::Contains("nested too deeply"));
  std::vector<uint8_t> huge = file_of("{}", two);
  huge[7] = 0x10;  // a header length of 2^60
  CHECK_THAT(refusal(huge), Catch::Contains("its safetensors header claims"));
}
