#include "data/noise.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

using namespace lp;

TEST_CASE("noise specs parse and name themselves", "[noise]") {
  NoiseSpec spec;
  std::string error;
  REQUIRE(noise_parse("gaussian:0.3", &spec, &error));
  CHECK(spec.kind == NoiseSpec::Kind::gaussian);
  CHECK(spec.amount == 0.3f);
  CHECK(noise_name(spec) == "gaussian:0.3");
  REQUIRE(noise_parse("saltpepper:0.2", &spec, &error));
  CHECK(noise_name(spec) == "saltpepper:0.2");
  REQUIRE(noise_parse("none", &spec, &error));
  CHECK_FALSE(spec.active());
  for (const char* bad : {"gaussian", "gaussian:", "gaussian:x", "gaussian:-1", "saltpepper:2", "blur:1", "gaussian:nan"})
    CHECK_FALSE(noise_parse(bad, &spec, &error));
}

TEST_CASE("gaussian noise has the requested spread", "[noise]") {
  std::vector<float> pixels(200000, 0.5f);  // far from the clipping bounds for sigma 0.1
  Rng rng(3);
  noise_apply({NoiseSpec::Kind::gaussian, 0.1f}, pixels.data(), pixels.size(), rng);
  double sum = 0, sq = 0;
  for (float p : pixels) {
    sum += p - 0.5;
    sq += (p - 0.5) * (p - 0.5);
  }
  const double mean = sum / pixels.size(), sd = std::sqrt(sq / pixels.size() - mean * mean);
  CHECK(std::fabs(mean) < 0.002);
  CHECK(sd == Approx(0.1).epsilon(0.02));
  std::vector<float> clipped(1000, 1.0f);
  noise_apply({NoiseSpec::Kind::gaussian, 2.0f}, clipped.data(), clipped.size(), rng);
  for (float p : clipped) REQUIRE((p >= 0.0f && p <= 1.0f));
}

TEST_CASE("salt and pepper flips the requested fraction to black or white", "[noise]") {
  std::vector<float> pixels(100000, 0.5f);
  Rng rng(4);
  noise_apply({NoiseSpec::Kind::saltpepper, 0.2f}, pixels.data(), pixels.size(), rng);
  int salt = 0, pepper = 0, kept = 0;
  for (float p : pixels) (p == 1.0f ? salt : p == 0.0f ? pepper : kept)++;
  CHECK(kept + salt + pepper == 100000);
  CHECK((salt + pepper) / 100000.0 == Approx(0.2).margin(0.005));
  CHECK(salt / static_cast<double>(salt + pepper) == Approx(0.5).margin(0.02));
}
