#include "trainer.h"

#include <cmath>
#include <numeric>
#include <thread>
#include <vector>

#include "loss.h"

namespace lp {
namespace {

// Buffers of one thread's share of a batch.
struct ShardWork {
  Eigen::MatrixXf x, drecon;
  AutoencoderCache cache;
  AutoencoderGrad grad;
  double squared_error = 0.0;
};

// Forward and backward over columns order[0..size) of images. `count` is the
// element count of the whole batch, so the shard gradients sum to the batch's.
void shard_step(const Autoencoder& model, const Eigen::MatrixXf& images, const int* order, int size, double count,
                ShardWork& w) {
  w.x.resize(images.rows(), size);
  for (int k = 0; k < size; ++k) w.x.col(k) = images.col(order[k]);
  autoencoder_forward(model, w.x, w.cache);
  w.squared_error = squared_error_sum(w.cache.reconstruction(), w.x);
  mse_loss_backward(w.cache.reconstruction(), w.x, count, w.drecon);
  autoencoder_backward(model, w.cache, w.drecon, w.grad);
}

void grad_accumulate(AutoencoderGrad& into, const AutoencoderGrad& from) {
  for (auto [a, b] : {std::pair{&into.encoder, &from.encoder}, std::pair{&into.decoder, &from.decoder}}) {
    for (size_t k = 0; k < a->size(); ++k) {
      (*a)[k].weight += (*b)[k].weight;
      (*a)[k].bias += (*b)[k].bias;
    }
  }
}

}  // namespace

TrainState train_state_create(const AutoencoderSpec& spec, const TrainConfig& config) {
  TrainState state;
  // Separate streams for initialisation and shuffling, so changing one (say,
  // the architecture) does not change the other.
  Rng init_rng(config.seed, 1);
  state.model = autoencoder_create(spec, init_rng);
  AutoencoderGrad grad = autoencoder_grad_zeros(state.model);
  state.adam = adam_init(autoencoder_param_slots(state.model, grad));
  state.rng = Rng(config.seed, 2);
  return state;
}

EpochResult train_epoch(TrainState& state, const TrainConfig& config, const Eigen::MatrixXf& images,
                        const BatchCallback& on_batch) {
  EpochResult result;
  result.lr = config.schedule.rate(state.epoch);
  const int n = static_cast<int>(images.cols());
  const int batches = (n + config.batch - 1) / config.batch;

  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  for (int i = n - 1; i > 0; --i) std::swap(order[i], order[state.rng.below(static_cast<uint32_t>(i + 1))]);

  const int shards = std::max(1, std::min(config.threads, config.batch));
  std::vector<ShardWork> work(shards);
  for (ShardWork& w : work) w.grad = autoencoder_grad_zeros(state.model);
  const std::vector<ParamSlot> slots = autoencoder_param_slots(state.model, work[0].grad);
  double loss_sum = 0.0;  // sum over batches of loss * batch size

  for (int b = 0; b < batches; ++b) {
    const int first = b * config.batch;
    const int size = std::min(config.batch, n - first);
    const double count = static_cast<double>(size) * images.rows();
    auto run_shard = [&](int s) {
      const int lo = size * s / shards, hi = size * (s + 1) / shards;
      shard_step(state.model, images, order.data() + first + lo, hi - lo, count, work[s]);
    };
    std::vector<std::thread> helpers;
    for (int s = 1; s < shards; ++s) helpers.emplace_back(run_shard, s);
    run_shard(0);
    for (std::thread& t : helpers) t.join();

    double squared_error = 0.0;
    for (int s = 0; s < shards; ++s) squared_error += work[s].squared_error;
    const double loss = squared_error / count;
    if (!std::isfinite(loss)) {
      result.ok = false;
      result.error = "loss became " + std::to_string(loss) + " at epoch " + std::to_string(state.epoch + 1) +
                     ", batch " + std::to_string(b + 1) + " (learning rate too high, or bad input)";
      return result;
    }
    for (int s = 1; s < shards; ++s) grad_accumulate(work[0].grad, work[s].grad);
    adam_step(state.adam, slots, result.lr);

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

Eigen::VectorXf reconstruction_errors(const Autoencoder& model, const Eigen::MatrixXf& images) {
  const Eigen::Index n = images.cols(), d = images.rows();
  Eigen::VectorXf errors(n);
  // Chunks keep the intermediate activations small whatever N is.
  constexpr Eigen::Index kChunk = 1000;
  Eigen::MatrixXf codes, recon;
  for (Eigen::Index first = 0; first < n; first += kChunk) {
    const Eigen::Index size = std::min(kChunk, n - first);
    codes.resize(model.encoder.out_size(), size);
    recon.resize(d, size);
    mlp_infer(model.encoder, images.col(first).data(), static_cast<int>(size), codes.data());
    mlp_infer(model.decoder, codes.data(), static_cast<int>(size), recon.data());
    errors.segment(first, size) =
        (recon - images.middleCols(first, size)).colwise().squaredNorm().transpose() / static_cast<float>(d);
  }
  return errors;
}

double reconstruction_mse(const Autoencoder& model, const Eigen::MatrixXf& images) {
  if (images.cols() == 0) return 0.0;
  return reconstruction_errors(model, images).cast<double>().mean();
}

}  // namespace lp
