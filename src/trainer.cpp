#include "trainer.h"

#include <cmath>
#include <numeric>
#include <vector>

#include "loss.h"
#include "thread_pool.h"

namespace lp {
namespace {

// Buffers of one thread's share of a batch.
struct ShardWork {
  Eigen::MatrixXf x, noisy, drecon, dcodes;
  AutoencoderCache cache;
  std::vector<Eigen::MatrixXf> dz_encoder, dz_decoder;  // dL/dz per layer
  double squared_error = 0.0;
};

// Forward, loss and the activation-gradient backward pass over columns
// order[0..size) of images. `count` is the element count of the whole batch, so
// the shards' gradients add up to the batch's.
void shard_forward_backward(const Autoencoder& model, const Eigen::MatrixXf& images, const int* order, int size,
                            double count, const NoiseSpec& noise, uint64_t noise_seed, int shard, ShardWork& w) {
  w.x.resize(images.rows(), size);
  for (int k = 0; k < size; ++k) w.x.col(k) = images.col(order[k]);
  if (noise.active()) {
    // A stream per (batch, shard): reproducible for a seed and thread count.
    Rng rng(noise_seed, 3 + static_cast<uint64_t>(shard));
    w.noisy = w.x;
    noise_apply(noise, w.noisy.data(), static_cast<size_t>(w.noisy.size()), rng);
  }
  autoencoder_forward(model, noise.active() ? w.noisy : w.x, w.cache);
  w.squared_error = squared_error_sum(w.cache.reconstruction(), w.x);
  mse_loss_backward(w.cache.reconstruction(), w.x, count, w.drecon);
  mlp_backward_dz(model.decoder, w.cache.decoder, w.drecon, w.dz_decoder, &w.dcodes);
  mlp_backward_dz(model.encoder, w.cache.encoder, w.dcodes, w.dz_encoder, nullptr);
}

// Thread `part` of `parts`: for every layer, the weight gradient of its block of
// input columns, dW[:, lo:hi] = sum over shards of dz a[lo:hi]^T (shard order is
// fixed, so sums are reproducible), then Adam on that block while it is still in
// this core's cache; likewise for a block of the bias. Column blocks of a
// column-major matrix are contiguous, so Adam sees plain arrays.
void params_update(TrainState& state, AutoencoderGrad& grad, const std::vector<ShardWork>& work, const AdamScalars& k,
                   int part, int parts) {
  int slot = 0;
  for (int net = 0; net < 2; ++net) {
    Mlp& mlp = net == 0 ? state.model.encoder : state.model.decoder;
    MlpGrad& g = net == 0 ? grad.encoder : grad.decoder;
    for (size_t l = 0; l < mlp.layers.size(); ++l, slot += 2) {
      Dense& layer = mlp.layers[l];
      const Eigen::Index in = layer.in_size(), out = layer.out_size();
      const Eigen::Index lo = in * part / parts, hi = in * (part + 1) / parts;
      auto dw = g[l].weight.middleCols(lo, hi - lo);
      for (size_t s = 0; s < work.size(); ++s) {
        const MlpCache& cache = net == 0 ? work[s].cache.encoder : work[s].cache.decoder;
        const Eigen::MatrixXf& dz = net == 0 ? work[s].dz_encoder[l] : work[s].dz_decoder[l];
        if (s == 0)
          dw.noalias() = dz * cache.a[l].middleRows(lo, hi - lo).transpose();  // [out, B] x [B, cols]
        else
          dw.noalias() += dz * cache.a[l].middleRows(lo, hi - lo).transpose();
      }
      adam_update(layer.weight.data() + lo * out, dw.data(), state.adam.m[slot].data() + lo * out,
                  state.adam.v[slot].data() + lo * out, static_cast<size_t>((hi - lo) * out), k);

      const Eigen::Index blo = out * part / parts, bhi = out * (part + 1) / parts;
      auto db = g[l].bias.segment(blo, bhi - blo);
      db.setZero();
      for (const ShardWork& w : work)
        db += (net == 0 ? w.dz_encoder[l] : w.dz_decoder[l]).middleRows(blo, bhi - blo).rowwise().sum();
      adam_update(layer.bias.data() + blo, db.data(), state.adam.m[slot + 1].data() + blo,
                  state.adam.v[slot + 1].data() + blo, static_cast<size_t>(bhi - blo), k);
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
  ThreadPool pool(shards);
  std::vector<ShardWork> work(shards);
  AutoencoderGrad grad = autoencoder_grad_zeros(state.model);
  double loss_sum = 0.0;  // sum over batches of loss * batch size

  for (int b = 0; b < batches; ++b) {
    const int first = b * config.batch;
    const int size = std::min(config.batch, n - first);
    const double count = static_cast<double>(size) * images.rows();
    // Drawn only for denoising runs, so plain runs keep their exact stream.
    const uint64_t noise_seed =
        config.noise.active() ? (uint64_t{state.rng.next_u32()} << 32) | state.rng.next_u32() : 0;
    // Phase 1, split by samples: each thread runs its shard of the batch.
    pool.run([&](int s) {
      const int lo = size * s / shards, hi = size * (s + 1) / shards;
      shard_forward_backward(state.model, images, order.data() + first + lo, hi - lo, count, config.noise, noise_seed,
                             s, work[s]);
    });

    double squared_error = 0.0;
    for (const ShardWork& w : work) squared_error += w.squared_error;
    const double loss = squared_error / count;
    if (!std::isfinite(loss)) {
      result.ok = false;
      result.error = std::string("loss became ") + (std::isnan(loss) ? "NaN" : "infinite") + " at epoch " + std::to_string(state.epoch + 1) +
                     ", batch " + std::to_string(b + 1) + " (learning rate too high, or bad input)";
      return result;
    }
    // Phase 2, split by parameters: weight gradients and the Adam update.
    const AdamScalars k = adam_begin_step(state.adam, result.lr);
    pool.run([&](int part) { params_update(state, grad, work, k, part, shards); });

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
