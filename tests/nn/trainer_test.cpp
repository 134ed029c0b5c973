#include "nn/trainer.h"

#include "eval/reconstruction.h"

#include <catch2/catch.hpp>
#include <cmath>

using namespace lp;

namespace {

// A few hundred 8x8 "images": one of four bright bars plus noise, so there is
// real structure for a 2-D code to capture.
Dataset bar_images(int n, uint64_t seed) {
  Rng rng(seed);
  Dataset data;
  data.rows = data.cols = 8;
  for (int i = 0; i < n; ++i) {
    const int kind = static_cast<int>(rng.below(4));
    for (int p = 0; p < 64; ++p) {
      const int r = p / 8, c = p % 8;
      const bool on = kind == 0 ? r == 2 : kind == 1 ? r == 5 : kind == 2 ? c == 2 : c == 5;
      data.pixels.push_back(static_cast<uint8_t>(on ? 230 : rng.below(13)));
    }
    data.labels.push_back(static_cast<uint8_t>(kind));
  }
  return data;
}

// Noise: uniform bytes. The untrained model's constant grey scores about 1/12;
// a model whose outputs have saturated to 0 or 1 scores about 1/3.
Dataset noise_images(int n, uint64_t seed) {
  Rng rng(seed);
  Dataset data;
  data.rows = data.cols = 8;
  for (int i = 0; i < 64 * n; ++i) data.pixels.push_back(static_cast<uint8_t>(rng.below(256)));
  data.labels.assign(static_cast<size_t>(n), 0);
  return data;
}

}  // namespace

TEST_CASE("a short training run really lowers the loss", "[trainer]") {
  const Dataset images = bar_images(300, 1);
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
  const Dataset images = bar_images(100, 2);
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
  const Dataset images = bar_images(64, 3);
  TrainConfig one, two;
  one.batch = two.batch = 64;  // one batch: shuffling order does not matter
  two.threads = 2;
  TrainState a = train_state_create({64, {16}, 2}, one), b = train_state_create({64, {16}, 2}, two);
  REQUIRE(train_epoch(a, one, images).ok);
  REQUIRE(train_epoch(b, two, images).ok);
  const float diff = (a.model.encoder.layers[0].weight - b.model.encoder.layers[0].weight).cwiseAbs().maxCoeff();
  CHECK(diff < 1e-6f);
}

// Tasks go to whichever thread claims them first, so a shard may run on any
// thread, or all on the caller's when a worker is late: the numbers must
// depend on the shard count alone. Two shards on one thread (the caller runs
// both) against two shards on two threads, step after step, noise and all.
TEST_CASE("a step's numbers depend on the shard count, not on which thread runs a shard", "[trainer][threads]") {
  const Dataset images = bar_images(48, 5);
  std::vector<int> order(48);
  for (int i = 0; i < 48; ++i) order[i] = i;
  Eigen::MatrixXf x;
  batch_gather(images, order.data(), 48, x);
  TrainConfig config;
  config.threads = 2;
  config.noise = {NoiseSpec::Kind::gaussian, 0.2f};
  TrainState a = train_state_create({64, {16, 8}, 2}, config), b = train_state_create({64, {16, 8}, 2}, config);
  StepWorkspace one_thread(1, 2), two_threads(2, 2);
  for (int step = 0; step < 20; ++step) {
    const StepRandom random{static_cast<uint64_t>(step) + 11};
    const StepLoss la = train_step(a, config, x, 1e-2, random, one_thread);
    const StepLoss lb = train_step(b, config, x, 1e-2, random, two_threads);
    REQUIRE(la.loss == lb.loss);
  }
  for (size_t k = 0; k < a.model.encoder.layers.size(); ++k)
    CHECK(a.model.encoder.layers[k].weight == b.model.encoder.layers[k].weight);
  for (size_t k = 0; k < a.model.decoder.layers.size(); ++k) {
    CHECK(a.model.decoder.layers[k].weight == b.model.decoder.layers[k].weight);
    CHECK(a.model.decoder.layers[k].bias == b.model.decoder.layers[k].bias);
  }
  // And the two shards are a real split: one shard gives other numbers.
  TrainState c = train_state_create({64, {16, 8}, 2}, config);
  StepWorkspace single(1, 1);
  for (int step = 0; step < 20; ++step) train_step(c, config, x, 1e-2, StepRandom{static_cast<uint64_t>(step) + 11}, single);
  CHECK(c.model.encoder.layers[0].weight != a.model.encoder.layers[0].weight);
}

TEST_CASE("a run whose loss overflows stops with the epoch and batch named", "[trainer]") {
  const Dataset images = bar_images(80, 4);
  TrainConfig config;
  config.batch = 40;
  config.schedule = {1e38, {}, 0.5};
  TrainState state = train_state_create({64, {8}, 2}, config);
  const EpochResult result = train_epoch(state, config, images);
  CHECK_FALSE(result.ok);
  CHECK(result.diverged);
  // Batch 1's step blows the weights up; batch 2's loss is the first that is not finite.
  CHECK_THAT(result.error, Catch::Matches("training diverged: the loss became (NaN|infinite) at epoch 1, batch 2"));
  CHECK(state.epoch == 0);
}

TEST_CASE("an epoch whose mean loss ends above the untrained model's has diverged", "[trainer]") {
  const Dataset images = noise_images(300, 6);
  TrainConfig config;
  config.batch = 16;
  config.schedule = {100.0, {}, 0.5};  // finite but absurd: every output saturates
  TrainState state = train_state_create({64, {32, 16}, 2}, config);
  const EpochResult result = train_epoch(state, config, images);
  INFO(result.error);
  CHECK(result.diverged);
  CHECK_FALSE(result.ok);
  CHECK(std::isfinite(result.train_loss));
  CHECK(result.train_loss > state.untrained_loss);
  CHECK_THAT(result.error, Catch::StartsWith("training diverged: epoch 1's mean loss"));
  CHECK(state.epoch == 0);
  // The baseline: the untrained model's loss on the first eight batches.
  TrainState fresh = train_state_create({64, {32, 16}, 2}, config);
  CHECK(state.untrained_loss == untrained_loss(fresh.model, config, images));
}

TEST_CASE("the divergence rule does not fire on a run that learns", "[trainer]") {
  const Dataset images = bar_images(300, 7);
  TrainConfig config;
  config.batch = 16;
  config.schedule = {3e-3, {}, 0.5};
  TrainState state = train_state_create({64, {32, 16}, 2}, config);
  for (int e = 0; e < 3; ++e) {
    const EpochResult result = train_epoch(state, config, images);
    INFO(result.error);
    REQUIRE(result.ok);
    CHECK(result.train_loss < state.untrained_loss);
  }
  CHECK(state.untrained_loss > 0.0);
}

TEST_CASE("a batch callback can cancel an epoch", "[trainer]") {
  const Dataset images = bar_images(50, 5);
  TrainConfig config;
  config.batch = 10;
  TrainState state = train_state_create({64, {8}, 2}, config);
  const EpochResult result = train_epoch(state, config, images, [](const BatchProgress& p) { return p.batch < 2; });
  CHECK(result.cancelled);
  CHECK(state.epoch == 0);
}

namespace {

// The divergence rule at its boundary: the same epoch, from the same state,
// against a baseline a hair above and a hair below the epoch's mean loss. A
// rule with a margin (say, twice the untrained loss) passes the first and
// fails the second; tests that diverge far past any threshold cannot tell.
void check_divergence_boundary(const AutoencoderSpec& spec, const TrainConfig& config, const Dataset& images) {
  TrainState base = train_state_create(spec, config);
  base.untrained_loss = 1e30;  // measured already: the epoch never touches it
  TrainState probe = base;
  const EpochResult reference = train_epoch(probe, config, images);
  REQUIRE(reference.ok);
  const double mean = reference.train_loss;
  REQUIRE(mean > 0.0);

  TrainState under = base;
  under.untrained_loss = mean * (1 + 1e-9);
  const EpochResult kept = train_epoch(under, config, images);
  INFO(kept.error);
  CHECK(kept.ok);
  CHECK(kept.train_loss == mean);  // the same epoch, bit for bit
  CHECK(under.epoch == 1);

  TrainState over = base;
  over.untrained_loss = mean * (1 - 1e-9);
  const EpochResult stopped = train_epoch(over, config, images);
  CHECK(stopped.diverged);
  CHECK_FALSE(stopped.ok);
  CHECK(over.epoch == 0);
}

}  // namespace

TEST_CASE("the divergence rule fires just above the untrained loss and not just below it", "[trainer]") {
  TrainConfig config;
  config.batch = 16;
  check_divergence_boundary({64, {32, 16}, 2}, config, bar_images(200, 8));
}

TEST_CASE("a VAE's divergence rule fires just above its untrained loss and not just below it", "[trainer][vae]") {
  TrainConfig config;
  config.batch = 16;
  config.loss = ReconLoss::bce;
  check_divergence_boundary({64, {32}, 3, ModelKind::vae}, config, bar_images(200, 9));
}

TEST_CASE("a VAE's baseline is its own objective per image, eps apart from the run's", "[trainer][vae]") {
  const Dataset images = bar_images(200, 10);
  TrainConfig config;
  config.batch = 16;
  config.loss = ReconLoss::bce;
  TrainState state = train_state_create({64, {32}, 3, ModelKind::vae}, config);
  const Rng before = state.rng;
  const double baseline = untrained_loss(state.model, config, images);
  // BCE summed over 64 pixels of an untrained sigmoid is about 64 ln 2 per
  // image, not the per-pixel ln 2 of a mean: the rule compares like with like.
  CHECK(baseline > 30.0);
  CHECK(baseline < 120.0);
  CHECK(state.rng.state() == before.state());  // measuring draws nothing from the run's stream
  CHECK(baseline == untrained_loss(state.model, config, images));  // and is the same each time
}

TEST_CASE("a VAE whose logvar overflows is stopped by the divergence rule", "[trainer][vae]") {
  const Dataset images = bar_images(64, 11);
  TrainConfig config;
  config.batch = 16;
  TrainState state = train_state_create({64, {32}, 2, ModelKind::vae}, config);
  state.untrained_loss = 1.0;
  state.model.encoder.layers.back().bias.tail(2).setConstant(120.0f);  // sigma = exp(60): sigma^2 overflows float
  const EpochResult result = train_epoch(state, config, images);
  CHECK(result.diverged);
  CHECK_THAT(result.error, Catch::StartsWith("training diverged: the loss became"));
  CHECK(state.epoch == 0);
  CHECK(state.adam.step == 0);
}
