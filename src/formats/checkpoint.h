// A training checkpoint is a model file with optimizer state (OPTM) and the
// run's configuration in its metadata, so that a resumed run needs no flags
// and cannot silently differ from the run it continues.
#pragma once
#include <map>
#include <string>

#include "formats/model_file.h"
#include "nn/train_step.h"

namespace lp {

// The META keys the configuration is stored under.
constexpr const char* kCheckpointConfigKeys[] = {"batch", "threads", "lr", "milestones", "gamma", "seed", "noise"};

// `meta` plus the configuration; numbers are written so they read back exactly.
ModelFile checkpoint_from_train_state(const TrainState& state, const TrainConfig& config,
                                      std::map<std::string, std::string> meta);
// The state and configuration of a checkpoint; false with an error when the
// file has no optimizer state or its configuration is missing or malformed.
bool checkpoint_to_train_state(const ModelFile& file, TrainState* state, TrainConfig* config, std::string* error);

// The configuration as META strings (the inverse of what checkpoint_to_train_state reads).
std::map<std::string, std::string> train_config_meta(const TrainConfig& config);

}  // namespace lp
