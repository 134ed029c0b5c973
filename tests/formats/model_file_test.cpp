#include "formats/model_file.h"

#include <catch2/catch.hpp>

#include "gradcheck.h"
#include <limits>

#include "formats/checksum.h"

using namespace lp;

namespace {

ModelFile small_model_file(ModelParts kind = ModelParts::both) {
  Rng rng(3);
  ModelFile file;
  file.parts = kind;
  file.model = autoencoder_create({20, {8, 4}, 2}, rng);
  if (kind == ModelParts::encoder) file.model.decoder = {};
  if (kind == ModelParts::decoder) file.model.encoder = {};
  file.meta = {{"dataset", "mnist"}, {"test_mse", "0.0340"}};
  return file;
}

void require_same_mlp(const Mlp& a, const Mlp& b) {
  REQUIRE(a.layers.size() == b.layers.size());
  for (size_t k = 0; k < a.layers.size(); ++k) {
    CHECK(a.layers[k].act == b.layers[k].act);
    CHECK(a.layers[k].weight == b.layers[k].weight);
    CHECK(a.layers[k].bias == b.layers[k].bias);
  }
}

bool decode(const std::vector<uint8_t>& bytes, ModelFile* out, std::string* error) {
  return model_file_decode(bytes.data(), bytes.size(), out, error);
}

// Rewrites the trailing CRC so a deliberate edit reaches the semantic checks.
void reseal(std::vector<uint8_t>& bytes) {
  const uint32_t crc = crc32(bytes.data(), bytes.size() - 4);
  for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + i] = static_cast<uint8_t>(crc >> (8 * i));
}

}  // namespace

TEST_CASE("model files round-trip for every kind", "[model_file]") {
  for (ModelParts kind : {ModelParts::both, ModelParts::encoder, ModelParts::decoder}) {
    DYNAMIC_SECTION(model_parts_name(kind)) {
      const ModelFile file = small_model_file(kind);
      ModelFile back;
      std::string error;
      REQUIRE(decode(model_file_encode(file), &back, &error));
      CHECK(back.parts == kind);
      // The missing half of a one-half file is reported, never handed out empty.
      CHECK((back.encoder() != nullptr) == (kind != ModelParts::decoder));
      CHECK((back.decoder() != nullptr) == (kind != ModelParts::encoder));
      if (back.encoder()) CHECK(back.encoder()->in_size() == 20);
      if (back.decoder()) CHECK(back.decoder()->out_size() == 20);
      require_same_mlp(back.model.encoder, file.model.encoder);
      require_same_mlp(back.model.decoder, file.model.decoder);
      CHECK(back.meta == file.meta);
      CHECK_FALSE(back.optimizer.has_value());
    }
  }
}

TEST_CASE("half-precision model files are half the size and within rounding", "[model_file]") {
  ModelFile file = small_model_file();
  const size_t full = model_file_encode(file).size();
  file.storage = ParamStorage::f16;
  const std::vector<uint8_t> bytes = model_file_encode(file);
  ModelFile back;
  std::string error;
  REQUIRE(decode(bytes, &back, &error));
  CHECK(back.storage == ParamStorage::f16);
  CHECK(bytes.size() < full * 0.6);
  const auto& w = file.model.encoder.layers[0].weight;
  const auto& w16 = back.model.encoder.layers[0].weight;
  CHECK((w - w16).cwiseAbs().maxCoeff() <= w.cwiseAbs().maxCoeff() * 1e-3f);
  CHECK((w - w16).cwiseAbs().maxCoeff() > 0.0f);
}

TEST_CASE("damaged model files are rejected with a precise reason", "[model_file]") {
  const std::vector<uint8_t> good = model_file_encode(small_model_file());
  ModelFile out;
  std::string error;

  SECTION("every truncation fails cleanly") {
    for (size_t len = 0; len < good.size(); ++len) {
      std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<long>(len));
      REQUIRE_FALSE(decode(cut, &out, &error));
    }
  }
  SECTION("a truncated file says so") {
    std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<long>(good.size() / 2));
    CHECK_FALSE(decode(cut, &out, &error));
    CHECK_THAT(error, Catch::Contains("truncated"));
  }
  SECTION("a flipped bit fails the checksum") {
    std::vector<uint8_t> bad = good;
    bad[bad.size() / 2] ^= 0x10;
    CHECK_FALSE(decode(bad, &out, &error));
    CHECK_THAT(error, Catch::Contains("checksum"));
  }
  SECTION("wrong magic and version") {
    std::vector<uint8_t> bad = good;
    bad[0] = 'X';
    CHECK_FALSE(decode(bad, &out, &error));
    CHECK_THAT(error, Catch::Contains("magic"));
    bad = good;
    bad[8] = 9;
    CHECK_FALSE(decode(bad, &out, &error));
    CHECK_THAT(error, Catch::Contains("version 9"));
  }
  SECTION("architecture that disagrees with the parameters") {
    // ARCH payload starts after header (20) + section header (16); +4 skips the
    // net count, +4 the layer count: the next u32 is the encoder input width.
    std::vector<uint8_t> bad = good;
    bad[20 + 16 + 8] = 21;
    reseal(bad);
    CHECK_FALSE(decode(bad, &out, &error));
    CHECK_THAT(error, Catch::Contains("PARM holds"));
  }
  SECTION("absurd sizes are refused before allocation") {
    std::vector<uint8_t> bad = good;
    bad[20 + 16 + 8 + 3] = 0x40;  // width 2^30
    reseal(bad);
    CHECK_FALSE(decode(bad, &out, &error));
    CHECK_THAT(error, Catch::Contains("width"));
  }
  SECTION("mismatched encoder and decoder") {
    ModelFile file = small_model_file();
    Rng rng(1);
    file.model.decoder = autoencoder_create({20, {8, 4}, 3}, rng).decoder;
    CHECK_FALSE(decode(model_file_encode(file), &out, &error));
    CHECK_THAT(error, Catch::Contains("architecture mismatch"));
  }
  SECTION("non-finite parameters") {
    ModelFile file = small_model_file();
    file.model.encoder.layers[0].weight(0, 0) = std::numeric_limits<float>::quiet_NaN();
    CHECK_FALSE(decode(model_file_encode(file), &out, &error));
    CHECK_THAT(error, Catch::Contains("NaN"));
  }
  CHECK(out.model.encoder.layers.empty());  // never half-filled
}
