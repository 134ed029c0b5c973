#include "formats/checkpoint.h"

#include <catch2/catch.hpp>

#include "gradcheck.h"
#include "nn/trainer.h"

using namespace lp;

TEST_CASE("training checkpoints round-trip the whole train state and configuration", "[checkpoint]") {
  TrainConfig config;
  config.batch = 7;
  config.schedule = {3e-4, {3, 9}, 0.3};
  config.seed = 12345678901234ULL;
  std::string noise_error;
  REQUIRE(noise_parse("gaussian:0.25", &config.noise, &noise_error));
  TrainState state = train_state_create({20, {8}, 2}, config);
  Dataset images;
  images.rows = 4;
  images.cols = 5;
  Rng pixels(101);
  for (int i = 0; i < 50 * 20; ++i) images.pixels.push_back(static_cast<uint8_t>(pixels.below(256)));
  images.labels.assign(50, 0);
  REQUIRE(train_epoch(state, config, images).ok);

  ModelFile back;
  std::string error;
  const std::vector<uint8_t> bytes = model_file_encode(checkpoint_from_train_state(state, config, {{"k", "v"}}));
  REQUIRE(model_file_decode(bytes.data(), bytes.size(), &back, &error));
  CHECK(back.meta.at("k") == "v");
  TrainState restored;
  TrainConfig restored_config;
  REQUIRE(checkpoint_to_train_state(back, &restored, &restored_config, &error));
  CHECK(restored.epoch == 1);
  CHECK(restored.untrained_loss == state.untrained_loss);  // exact: the divergence rule's baseline
  CHECK(restored.untrained_loss > 0.0);
  CHECK(restored.adam.step == state.adam.step);
  REQUIRE(restored.adam.m.size() == state.adam.m.size());
  for (size_t i = 0; i < state.adam.m.size(); ++i) {
    CHECK(restored.adam.m[i].weight == state.adam.m[i].weight);
    CHECK(restored.adam.m[i].bias == state.adam.m[i].bias);
    CHECK(restored.adam.v[i].weight == state.adam.v[i].weight);
    CHECK(restored.adam.v[i].bias == state.adam.v[i].bias);
  }
  CHECK(restored.adam.m[0].weight.cwiseAbs().maxCoeff() > 0.0f);  // a real state, not zeros
  CHECK(restored.rng.next_u32() == state.rng.next_u32());
  CHECK(restored_config.batch == 7);
  CHECK(restored_config.schedule.base_lr == 3e-4);  // exact, not rounded to 6 digits
  CHECK(restored_config.schedule.gamma == 0.3);
  CHECK(restored_config.schedule.milestones == std::vector<int>{3, 9});
  CHECK(restored_config.seed == 12345678901234ULL);
  CHECK(noise_name(restored_config.noise) == "gaussian:0.25");
}

TEST_CASE("a model file without optimizer state or configuration is not a checkpoint", "[checkpoint]") {
  TrainConfig config;
  TrainState state = train_state_create({20, {8}, 2}, config), restored;
  TrainConfig restored_config;
  std::string error;
  ModelFile plain;
  plain.model = state.model;
  CHECK_FALSE(checkpoint_to_train_state(plain, &restored, &restored_config, &error));
  CHECK_THAT(error, Catch::Contains("no optimizer state"));

  ModelFile file = checkpoint_from_train_state(state, config, {});
  file.meta.erase("lr");
  CHECK_FALSE(checkpoint_to_train_state(file, &restored, &restored_config, &error));
  CHECK_THAT(error, Catch::Contains("'lr'"));
  file = checkpoint_from_train_state(state, config, {});
  file.meta["batch"] = "sixty-four";
  CHECK_FALSE(checkpoint_to_train_state(file, &restored, &restored_config, &error));
  CHECK_THAT(error, Catch::Contains("malformed"));
}
