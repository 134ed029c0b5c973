#include "nn/trainer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <vector>

#include "nn/loss.h"

namespace lp {
namespace {

// The shuffled order of an epoch's n images, drawn from state.rng.
std::vector<int> epoch_order(TrainState& state, int n) {
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  for (int i = n - 1; i > 0; --i) std::swap(order[i], order[state.rng.below(static_cast<uint32_t>(i + 1))]);
  return order;
}

}  // namespace

double untrained_loss(const Autoencoder& model, const TrainConfig& config, const Dataset& data) {
  const int count = std::min(data.size(), 8 * std::max(1, config.batch));
  if (count == 0) return 0.0;
  const Eigen::MatrixXf x = data.floats(0, count);
  Rng eps_rng(config.seed, 6);
  return objective_evaluate(model, config, x, eps_rng).loss;
}

EpochRun::EpochRun(TrainState& state, const TrainConfig& config, const Dataset& data)
    : state_(state), config_(config), data_(data),
      workspace_(std::max(1, std::min(config.step_threads > 0 ? std::min(config.step_threads, config.threads)
                                                                : config.threads,
                                       config.batch)),
                 std::max(1, std::min(config.threads, config.batch))) {
  result_.lr = config.schedule.rate(state.epoch);
  batches_ = (data.size() + config.batch - 1) / config.batch;
  // Measured before the first step, and without touching the RNG, so a run's
  // results do not depend on it.
  if (state.untrained_loss <= 0.0 && state.epoch == 0 && state.adam.step == 0)
    state.untrained_loss = untrained_loss(state.model, config, data);
  order_ = epoch_order(state, data.size());
}

double EpochRun::step() {
  const int first = batch_ * config_.batch;
  const int size = std::min(config_.batch, data_.size() - first);
  batch_gather(data_, order_.data() + first, size, x_);
  // Each drawn only when used, so runs without noise or eps keep their exact stream.
  const auto draw_seed = [&] { return (uint64_t{state_.rng.next_u32()} << 32) | state_.rng.next_u32(); };
  StepRandom random;
  if (config_.noise.active()) random.noise_seed = draw_seed();
  if (state_.model.is_vae()) random.eps_seed = draw_seed();
  const StepLoss step = train_step(state_, config_, x_, result_.lr, random, workspace_);
  last_step_ = step;
  const double loss = step.loss;
  ++batch_;
  if (!std::isfinite(loss)) {
    result_.ok = false;
    result_.diverged = true;
    result_.error = std::string("training diverged: the loss became ") + (std::isnan(loss) ? "NaN" : "infinite") +
                    " at epoch " + std::to_string(state_.epoch + 1) + ", batch " + std::to_string(batch_);
    return loss;
  }
  loss_sum_ += loss * size;
  recon_sum_ += step.reconstruction * size;
  kl_sum_ += step.kl * size;
  return loss;
}

EpochResult EpochRun::finish() {
  if (!result_.ok) return result_;
  result_.train_loss = loss_sum_ / data_.size();
  result_.train_recon = recon_sum_ / data_.size();
  result_.train_kl = kl_sum_ / data_.size();
  if (state_.untrained_loss > 0.0 && result_.train_loss > state_.untrained_loss) {
    result_.ok = false;
    result_.diverged = true;
    char text[200];
    std::snprintf(text, sizeof text, "training diverged: epoch %d's mean loss %.4f is above the untrained model's %.4f",
                  state_.epoch + 1, result_.train_loss, state_.untrained_loss);
    result_.error = text;
    return result_;
  }
  state_.epoch += 1;
  return result_;
}

EpochResult train_epoch(TrainState& state, const TrainConfig& config, const Dataset& data,
                        const BatchCallback& on_batch) {
  EpochRun run(state, config, data);
  while (!run.done()) {
    const double loss = run.step();
    if (run.failed()) return run.finish();
    if (on_batch && !on_batch({state.epoch, run.batch(), run.batches(), loss})) {
      EpochResult cancelled;
      cancelled.ok = false;
      cancelled.cancelled = true;
      cancelled.error = "cancelled";
      return cancelled;
    }
  }
  return run.finish();
}

}  // namespace lp
