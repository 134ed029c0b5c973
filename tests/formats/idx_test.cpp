#include "formats/idx.h"

#include <catch2/catch.hpp>

using namespace lp;

namespace {

IdxArray images3x2x2() {
  IdxArray a;
  a.dims = {3, 2, 2};
  for (int i = 0; i < 12; ++i) a.values.push_back(static_cast<uint8_t>(i * 20));
  return a;
}

bool parse(const std::vector<uint8_t>& bytes, IdxArray* out, std::string* error) {
  return idx_parse(bytes.data(), bytes.size(), out, error);
}

}  // namespace

TEST_CASE("idx files round-trip and scale to [0,1]", "[idx]") {
  const std::vector<uint8_t> bytes = idx_encode(images3x2x2());
  REQUIRE(bytes.size() == 4 + 12 + 12);
  CHECK(bytes[2] == 0x08);
  CHECK(bytes[3] == 3);
  CHECK(bytes[7] == 3);  // big-endian count
  IdxArray images;
  std::string error;
  REQUIRE(parse(bytes, &images, &error));
  CHECK(images.dims == std::vector<uint32_t>{3, 2, 2});
  IdxArray labels;
  labels.dims = {3};
  labels.values = {7, 0, 9};
  Dataset data;
  REQUIRE(dataset_from_idx(std::move(images), std::move(labels), &data, &error));
  CHECK(data.size() == 3);
  CHECK(data.rows == 2);
  CHECK(data.pixel_count() == 4);
  CHECK(data.pixels.size() == 12);  // kept as the file's bytes
  const Eigen::MatrixXf x = data.floats();
  CHECK(x.rows() == 4);
  CHECK(x(0, 0) == 0.0f);
  CHECK(x(1, 0) == 20.0f / 255.0f);
  CHECK(x(3, 2) == 220.0f / 255.0f);  // image 2, pixel 3 = value 11*20
  CHECK(data.floats(2, 1)(3, 0) == 220.0f / 255.0f);
  CHECK(data.labels[2] == 9);
}

TEST_CASE("broken idx files are rejected with a precise reason", "[idx]") {
  const std::vector<uint8_t> good = idx_encode(images3x2x2());
  IdxArray out;
  std::string error;

  SECTION("every truncation") {
    for (size_t len = 0; len < good.size(); ++len) {
      std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<long>(len));
      CHECK_FALSE(parse(cut, &out, &error));
    }
    CHECK_THAT(error, Catch::Contains("truncated"));
  }
  SECTION("trailing bytes") {
    std::vector<uint8_t> longer = good;
    longer.push_back(0);
    CHECK_FALSE(parse(longer, &out, &error));
    CHECK_THAT(error, Catch::Contains("trailing"));
  }
  SECTION("wrong magic") {
    std::vector<uint8_t> bad = good;
    bad[0] = 0x1f;
    CHECK_FALSE(parse(bad, &out, &error));
    CHECK_THAT(error, Catch::Contains("not an IDX file"));
    bad = good;
    bad[2] = 0x0B;  // int16 data
    CHECK_FALSE(parse(bad, &out, &error));
    CHECK_THAT(error, Catch::Contains("element type"));
    bad = good;
    bad[2] = 0x0D;  // float data: 4 bytes per element, so the size no longer fits
    CHECK_FALSE(parse(bad, &out, &error));
    CHECK_THAT(error, Catch::Contains("size mismatch"));
    bad = good;
    bad[3] = 0;
    CHECK_FALSE(parse(bad, &out, &error));
  }
  SECTION("inconsistent header") {
    std::vector<uint8_t> bad = good;
    bad[7] = 4;  // claims 4 images, holds 3
    CHECK_FALSE(parse(bad, &out, &error));
    CHECK_THAT(error, Catch::Contains("size mismatch"));
    bad = good;
    bad[4] = 0xFF;  // absurd count: rejected without allocating
    CHECK_FALSE(parse(bad, &out, &error));
  }
  SECTION("images and labels that disagree") {
    IdxArray images, labels;
    REQUIRE(parse(good, &images, &error));
    labels.dims = {2};
    labels.values = {1, 2};
    Dataset data;
    CHECK_FALSE(dataset_from_idx(IdxArray(images), IdxArray(labels), &data, &error));
    CHECK_THAT(error, Catch::Contains("3 images but 2 labels"));
    CHECK_FALSE(dataset_from_idx(IdxArray(labels), IdxArray(labels), &data, &error));
  }
}

TEST_CASE("float idx arrays round-trip exactly", "[idx]") {
  const float values[] = {0.5f, -1.25f, 3.0e-8f, 1e30f, -0.0f, 7.0f};
  const std::vector<uint8_t> bytes = idx_encode(idx_from_floats({3, 2}, values));
  REQUIRE(bytes.size() == 4 + 8 + 24);
  CHECK(bytes[2] == 0x0D);
  CHECK(bytes[12] == 0x3F);  // 0.5f = 0x3F000000, big-endian
  IdxArray back;
  std::string error;
  REQUIRE(parse(bytes, &back, &error));
  CHECK(back.type == IdxType::f32);
  const std::vector<float> floats = idx_floats(back);
  REQUIRE(floats.size() == 6);
  for (int i = 0; i < 6; ++i) CHECK(floats[i] == values[i]);
  Dataset data;
  IdxArray labels;
  labels.dims = {3};
  labels.values = {0, 1, 2};
  CHECK_FALSE(dataset_from_idx(IdxArray(back), IdxArray(labels), &data, &error));
}
