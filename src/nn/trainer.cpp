#include "nn/trainer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <vector>

#include "nn/loss.h"


namespace lp {

std::vector<int> epoch_order(TrainState& state, int n) {
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  for (int i = n - 1; i > 0; --i) std::swap(order[i], order[state.rng.below(static_cast<uint32_t>(i + 1))]);
  return order;
}

double untrained_loss(const Autoencoder& model, const Dataset& data, int batch) {
  const int count = std::min(data.size(), 8 * std::max(1, batch));
  if (count == 0) return 0.0;
  const Eigen::MatrixXf x = data.floats(0, count);
  const Eigen::MatrixXf recon = mlp_infer(model.decoder, mlp_infer(model.encoder, x));
  return mse_loss(recon, x);
}

EpochResult train_epoch(TrainState& state, const TrainConfig& config, const Dataset& data,
                        const BatchCallback& on_batch) {
  EpochResult result;
  result.lr = config.schedule.rate(state.epoch);
  const int n = data.size();
  const int batches = (n + config.batch - 1) / config.batch;
  // Measured before the first step, and without touching the RNG, so a run's
  // results do not depend on it.
  if (state.untrained_loss <= 0.0 && state.epoch == 0 && state.adam.step == 0)
    state.untrained_loss = untrained_loss(state.model, data, config.batch);
  const std::vector<int> order = epoch_order(state, n);

  StepWorkspace workspace(std::max(1, std::min(config.threads, config.batch)));
  Eigen::MatrixXf x;
  double loss_sum = 0.0;  // sum over batches of loss * batch size
  for (int b = 0; b < batches; ++b) {
    const int first = b * config.batch;
    const int size = std::min(config.batch, n - first);
    batch_gather(data, order.data() + first, size, x);
    // Drawn only for denoising runs, so plain runs keep their exact stream.
    const uint64_t noise_seed =
        config.noise.active() ? (uint64_t{state.rng.next_u32()} << 32) | state.rng.next_u32() : 0;
    const double loss = train_step(state, config, x, result.lr, noise_seed, workspace);
    if (!std::isfinite(loss)) {
      result.ok = false;
      result.diverged = true;
      result.error = std::string("training diverged: the loss became ") + (std::isnan(loss) ? "NaN" : "infinite") +
                     " at epoch " + std::to_string(state.epoch + 1) + ", batch " + std::to_string(b + 1);
      return result;
    }
    loss_sum += loss * size;
    if (on_batch && !on_batch({state.epoch, b + 1, batches, loss})) {
      result.ok = false;
      result.cancelled = true;
      result.error = "cancelled";
      return result;
    }
  }
  result.train_loss = loss_sum / n;
  if (state.untrained_loss > 0.0 && result.train_loss > state.untrained_loss) {
    result.ok = false;
    result.diverged = true;
    char text[200];
    std::snprintf(text, sizeof text, "training diverged: epoch %d's mean loss %.4f is above the untrained model's %.4f",
                  state.epoch + 1, result.train_loss, state.untrained_loss);
    result.error = text;
    return result;
  }
  state.epoch += 1;
  return result;
}

}  // namespace lp
