#include "nn/trainer.h"

#include "eval/reconstruction.h"

#include <catch2/catch.hpp>

using namespace lp;

namespace {

// A few hundred 8x8 "images": one of four bright bars plus noise, so there is
// real structure for a 2-D code to capture.
Eigen::MatrixXf bar_images(int n, uint64_t seed) {
  Rng rng(seed);
  Eigen::MatrixXf images(64, n);
  for (int i = 0; i < n; ++i) {
    const int kind = static_cast<int>(rng.below(4));
    for (int p = 0; p < 64; ++p) {
      const int r = p / 8, c = p % 8;
      const bool on = kind == 0 ? r == 2 : kind == 1 ? r == 5 : kind == 2 ? c == 2 : c == 5;
      images(p, i) = on ? 0.9f : 0.05f * rng.uniform();
    }
  }
  return images;
}

}  // namespace

TEST_CASE("a short training run really lowers the loss", "[trainer]") {
  const Eigen::MatrixXf images = bar_images(300, 1);
  TrainConfig config;
  config.batch = 16;
  config.schedule = {3e-3, {}, 0.5};
  TrainState state = train_state_create({64, {32, 16}, 2}, config);
  const double before = reconstruction_mse(state.model, images);
  int batches_seen = 0;
  EpochResult last;
  for (int e = 0; e < 15; ++e) {
    last = train_epoch(state, config, images, [&](const BatchProgress& p) {
      batches_seen++;
      CHECK(p.batches == 19);  // ceil(300 / 16)
      return true;
    });
    REQUIRE(last.ok);
  }
  const double after = reconstruction_mse(state.model, images);
  CHECK(state.epoch == 15);
  CHECK(batches_seen == 15 * 19);
  CHECK(after < 0.5 * before);
  CHECK(last.train_loss == Approx(after).epsilon(0.3));
}

TEST_CASE("training is reproducible for a seed and thread count", "[trainer][threads]") {
  const Eigen::MatrixXf images = bar_images(100, 2);
  for (int threads : {1, 2}) {
    TrainConfig config;
    config.batch = 10;
    config.threads = threads;
    TrainState a = train_state_create({64, {16}, 2}, config), b = train_state_create({64, {16}, 2}, config);
    for (int e = 0; e < 2; ++e) {
      REQUIRE(train_epoch(a, config, images).ok);
      REQUIRE(train_epoch(b, config, images).ok);
    }
    CHECK(a.model.decoder.layers.back().weight == b.model.decoder.layers.back().weight);
    config.seed = 1;
    TrainState c = train_state_create({64, {16}, 2}, config);
    CHECK(c.model.encoder.layers[0].weight != a.model.encoder.layers[0].weight);
  }
}

TEST_CASE("splitting a batch over threads gives the same gradient step", "[trainer][threads]") {
  const Eigen::MatrixXf images = bar_images(64, 3);
  TrainConfig one, two;
  one.batch = two.batch = 64;  // one batch: shuffling order does not matter
  two.threads = 2;
  TrainState a = train_state_create({64, {16}, 2}, one), b = train_state_create({64, {16}, 2}, two);
  REQUIRE(train_epoch(a, one, images).ok);
  REQUIRE(train_epoch(b, two, images).ok);
  const float diff = (a.model.encoder.layers[0].weight - b.model.encoder.layers[0].weight).cwiseAbs().maxCoeff();
  CHECK(diff < 1e-6f);
}

TEST_CASE("a diverging run stops with the epoch and batch named", "[trainer]") {
  Eigen::MatrixXf images = bar_images(40, 4);
  images(0, 7) = std::numeric_limits<float>::quiet_NaN();
  TrainConfig config;
  config.batch = 40;
  TrainState state = train_state_create({64, {8}, 2}, config);
  const Eigen::MatrixXf before = state.model.encoder.layers[0].weight;
  const EpochResult result = train_epoch(state, config, images);
  CHECK_FALSE(result.ok);
  CHECK_THAT(result.error, Catch::StartsWith("loss became NaN at epoch 1, batch 1"));
  CHECK(state.model.encoder.layers[0].weight == before);  // the bad step never applied
}

TEST_CASE("a batch callback can cancel an epoch", "[trainer]") {
  const Eigen::MatrixXf images = bar_images(50, 5);
  TrainConfig config;
  config.batch = 10;
  TrainState state = train_state_create({64, {8}, 2}, config);
  const EpochResult result = train_epoch(state, config, images, [](const BatchProgress& p) { return p.batch < 2; });
  CHECK(result.cancelled);
  CHECK(state.epoch == 0);
}
