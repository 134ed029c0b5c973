#include "formats/checkpoint.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace lp {
namespace {

// The shortest decimal that reads back as the same double: "0.001", not
// "0.0010000000000000000208".
std::string exact_decimal(double v) {
  char buf[40];
  for (int digits = 6; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

bool parse_double(const std::string& text, double* out) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  *out = std::strtod(text.c_str(), &end);
  return *end == '\0' && errno == 0 && std::isfinite(*out);
}

bool parse_u64(const std::string& text, uint64_t* out) {
  if (text.empty() || text[0] < '0' || text[0] > '9') return false;
  char* end = nullptr;
  errno = 0;
  *out = std::strtoull(text.c_str(), &end, 10);
  return *end == '\0' && errno == 0;
}

bool parse_int(const std::string& text, int lo, int hi, int* out) {
  uint64_t v;
  if (!parse_u64(text, &v) || v < static_cast<uint64_t>(lo) || v > static_cast<uint64_t>(hi)) return false;
  *out = static_cast<int>(v);
  return true;
}

bool fail(std::string* error, const std::string& message) {
  *error = message;
  return false;
}

}  // namespace

std::map<std::string, std::string> train_config_meta(const TrainConfig& config) {
  std::string milestones;
  for (size_t i = 0; i < config.schedule.milestones.size(); ++i)
    milestones += (i ? "," : "") + std::to_string(config.schedule.milestones[i]);
  return {{"batch", std::to_string(config.batch)},
          {"threads", std::to_string(config.threads)},
          {"lr", exact_decimal(config.schedule.base_lr)},
          {"milestones", milestones},
          {"gamma", exact_decimal(config.schedule.gamma)},
          {"seed", std::to_string(config.seed)},
          {"noise", noise_name(config.noise)},
          {"loss", recon_loss_name(config.loss)},
          {"beta", exact_decimal(config.beta)}};
}

ModelFile checkpoint_from_train_state(const TrainState& state, const TrainConfig& config,
                                      std::map<std::string, std::string> meta) {
  for (auto& [key, value] : train_config_meta(config)) meta[key] = value;
  meta["untrained_loss"] = exact_decimal(state.untrained_loss);
  ModelFile file;
  file.parts = ModelParts::both;
  file.model = state.model;
  file.meta = std::move(meta);
  file.optimizer = OptimizerSnapshot{state.adam, state.rng.state(), state.rng.increment(), state.epoch};
  return file;
}

bool checkpoint_to_train_state(const ModelFile& file, TrainState* state, TrainConfig* config, std::string* error) {
  if (file.parts != ModelParts::both || !file.optimizer)
    return fail(error, "not a training checkpoint (no optimizer state)");
  for (const char* key : kCheckpointConfigKeys)
    if (!file.meta.count(key)) return fail(error, std::string("checkpoint has no training configuration ('") + key + "')");
  const auto& meta = file.meta;
  TrainConfig c;
  c.schedule.milestones.clear();
  bool ok = parse_int(meta.at("batch"), 1, 1 << 16, &c.batch) && parse_int(meta.at("threads"), 1, 256, &c.threads) &&
            parse_double(meta.at("lr"), &c.schedule.base_lr) && parse_double(meta.at("gamma"), &c.schedule.gamma) &&
            parse_u64(meta.at("seed"), &c.seed);
  const std::string& milestones = meta.at("milestones");
  for (size_t start = 0; ok && !milestones.empty();) {
    const size_t comma = milestones.find(',', start);
    int m;
    ok = parse_int(milestones.substr(start, comma == std::string::npos ? std::string::npos : comma - start), 0,
                   1000000, &m);
    c.schedule.milestones.push_back(m);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  std::string noise_error;
  ok = ok && noise_parse(meta.at("noise"), &c.noise, &noise_error);
  // Checkpoints from before VAEs lack these: they trained with MSE.
  if (meta.count("loss")) ok = ok && recon_loss_parse(meta.at("loss"), &c.loss);
  if (meta.count("beta")) ok = ok && parse_double(meta.at("beta"), &c.beta) && c.beta >= 0.0;
  if (!ok) return fail(error, "checkpoint's training configuration is malformed");
  // Older checkpoints lack it: their runs resume without the divergence rule.
  double untrained = 0.0;
  const auto found = meta.find("untrained_loss");
  if (found != meta.end() && (!parse_double(found->second, &untrained) || untrained < 0.0))
    return fail(error, "checkpoint's untrained_loss is malformed");
  state->model = file.model;
  state->adam = file.optimizer->adam;
  state->rng.restore(file.optimizer->rng_state, file.optimizer->rng_increment);
  state->epoch = file.optimizer->epoch;
  state->untrained_loss = untrained;
  *config = std::move(c);
  return true;
}

}  // namespace lp
