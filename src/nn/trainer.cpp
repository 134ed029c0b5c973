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

double untrained_loss(const Autoencoder& model, const Dataset& data, int batch) {
  const int count = std::min(data.size(), 8 * std::max(1, batch));
  if (count == 0) return 0.0;
  const Eigen::MatrixXf x = data.floats(0, count);
  const Eigen::MatrixXf recon = mlp_infer(model.decoder, mlp_infer(model.encoder, x));
  return mse_loss(recon, x);
}

EpochRun::EpochRun(TrainState& state, const TrainConfig& config, const Dataset& data)
    : state_(state), config_(config), data_(data),
      workspace_(std::max(1, std::min(config.threads, config.batch))) {
  result_.lr = config.schedule.rate(state.epoch);
  batches_ = (data.size() + config.batch - 1) / config.batch;
  // Measured before the first step, and without touching the RNG, so a run's
  // results do not depend on it.
  if (state.untrained_loss <= 0.0 && state.epoch == 0 && state.adam.step == 0)
    state.untrained_loss = untrained_loss(state.model, data, config.batch);
  order_ = epoch_order(state, data.size());
}

double EpochRun::step() {
  const int first = batch_ * config_.batch;
  const int size = std::min(config_.batch, data_.size() - first);
  batch_gather(data_, order_.data() + first, size, x_);
  // Drawn only for denoising runs, so plain runs keep their exact stream.
  const uint64_t noise_seed =
      config_.noise.active() ? (uint64_t{state_.rng.next_u32()} << 32) | state_.rng.next_u32() : 0;
  const double loss = train_step(state_, config_, x_, result_.lr, noise_seed, workspace_);
  ++batch_;
  if (!std::isfinite(loss)) {
    result_.ok = false;
    result_.diverged = true;
    result_.error = std::string("training diverged: the loss became ") + (std::isnan(loss) ? "NaN" : "infinite") +
                    " at epoch " + std::to_string(state_.epoch + 1) + ", batch " + std::to_string(batch_);
    return loss;
  }
  loss_sum_ += loss * size;
  return loss;
}

EpochResult EpochRun::finish() {
  if (!result_.ok) return result_;
  result_.train_loss = loss_sum_ / data_.size();
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
