#include "nn/trainer.h"

#include <cmath>
#include <numeric>
#include <vector>

#include "data/dataset.h"

namespace lp {

std::vector<int> epoch_order(TrainState& state, int n) {
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  for (int i = n - 1; i > 0; --i) std::swap(order[i], order[state.rng.below(static_cast<uint32_t>(i + 1))]);
  return order;
}

EpochResult train_epoch(TrainState& state, const TrainConfig& config, const Eigen::MatrixXf& images,
                        const BatchCallback& on_batch) {
  EpochResult result;
  result.lr = config.schedule.rate(state.epoch);
  const int n = static_cast<int>(images.cols());
  const int batches = (n + config.batch - 1) / config.batch;
  const std::vector<int> order = epoch_order(state, n);

  StepWorkspace workspace(std::max(1, std::min(config.threads, config.batch)));
  Eigen::MatrixXf x;
  double loss_sum = 0.0;  // sum over batches of loss * batch size
  for (int b = 0; b < batches; ++b) {
    const int first = b * config.batch;
    const int size = std::min(config.batch, n - first);
    batch_gather(images, order.data() + first, size, x);
    // Drawn only for denoising runs, so plain runs keep their exact stream.
    const uint64_t noise_seed =
        config.noise.active() ? (uint64_t{state.rng.next_u32()} << 32) | state.rng.next_u32() : 0;
    const double loss = train_step(state, config, x, result.lr, noise_seed, workspace);
    if (!std::isfinite(loss)) {
      result.ok = false;
      result.error = std::string("loss became ") + (std::isnan(loss) ? "NaN" : "infinite") + " at epoch " +
                     std::to_string(state.epoch + 1) + ", batch " + std::to_string(b + 1) +
                     " (learning rate too high, or bad input)";
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
  state.epoch += 1;
  return result;
}

}  // namespace lp
