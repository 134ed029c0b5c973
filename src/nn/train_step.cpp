#include "nn/train_step.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "base/thread_pool.h"
#include "nn/loss.h"

namespace lp {
namespace {

// Buffers of one thread's share of a batch.
struct ShardWork {
  Eigen::MatrixXf x, noisy, drecon, dcodes;
  AutoencoderCache cache;
  std::vector<Eigen::MatrixXf> dz_encoder, dz_decoder;  // dL/dz per layer
  double squared_error = 0.0;

  const MlpCache& cache_of(LayerRef ref) const { return ref.net == 0 ? cache.encoder : cache.decoder; }
  const Eigen::MatrixXf& dz_of(LayerRef ref) const { return ref.net == 0 ? dz_encoder[ref.index] : dz_decoder[ref.index]; }
};

// Forward, loss and the activation-gradient backward pass over columns
// [first, first + size) of x. `count` is the element count of the whole batch,
// so the shards' gradients add up to the batch's.
void shard_forward_backward(const Autoencoder& model, const Eigen::MatrixXf& x, int first, int size, double count,
                            const NoiseSpec& noise, uint64_t noise_seed, int shard, ShardWork& w) {
  w.x = x.middleCols(first, size);
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
  for_each_layer(state.model, [&](LayerRef ref, Dense& layer) {
    DenseGrad& g = layer_grad(grad, ref);
    DenseGrad& m = state.adam.m[ref.flat];
    DenseGrad& v = state.adam.v[ref.flat];
    const int in = layer.in_size(), out = layer.out_size();
    const int lo = in * part / parts, hi = in * (part + 1) / parts;
    const size_t offset = static_cast<size_t>(lo) * out, length = static_cast<size_t>(hi - lo) * out;
    for (size_t s = 0; s < work.size(); ++s) {
      const Eigen::MatrixXf& dz = work[s].dz_of(ref);
      dense_weight_grad(dz.data(), out, static_cast<int>(dz.cols()), work[s].cache_of(ref).a[ref.index].data(), in, lo,
                        hi, g.weight.data() + offset, s > 0);
    }
    adam_update(layer.weight.data() + offset, g.weight.data() + offset, m.weight.data() + offset,
                v.weight.data() + offset, length, k);

    const int blo = out * part / parts, bhi = out * (part + 1) / parts;
    auto db = g.bias.segment(blo, bhi - blo);
    db.setZero();
    for (const ShardWork& w : work) db += w.dz_of(ref).middleRows(blo, bhi - blo).rowwise().sum();
    adam_update(layer.bias.data() + blo, db.data(), m.bias.data() + blo, v.bias.data() + blo,
                static_cast<size_t>(bhi - blo), k);
  });
}

}  // namespace

struct StepWorkspace::Impl {
  explicit Impl(int threads) : pool(std::max(1, threads)), work(static_cast<size_t>(std::max(1, threads))) {}
  ThreadPool pool;
  std::vector<ShardWork> work;
  AutoencoderGrad grad;
};

StepWorkspace::StepWorkspace(int threads) : impl_(std::make_unique<Impl>(threads)) {}
StepWorkspace::~StepWorkspace() = default;
const AutoencoderGrad& StepWorkspace::grad() const { return impl_->grad; }

TrainState train_state_create(const AutoencoderSpec& spec, const TrainConfig& config) {
  TrainState state;
  // Separate streams for initialisation and shuffling, so changing one (say,
  // the architecture) does not change the other.
  Rng init_rng(config.seed, 1);
  state.model = autoencoder_create(spec, init_rng);
  state.adam = adam_init(state.model);
  state.rng = Rng(config.seed, 2);
  return state;
}

double train_step(TrainState& state, const TrainConfig& config, const Eigen::MatrixXf& x, double lr,
                  uint64_t noise_seed, StepWorkspace& workspace) {
  StepWorkspace::Impl& ws = *workspace.impl_;
  const int shards = ws.pool.size();
  const int size = static_cast<int>(x.cols());
  const double count = static_cast<double>(size) * static_cast<double>(x.rows());

  // Phase 1, split by samples: each thread runs its shard of the batch (a
  // batch smaller than the thread count leaves some shards empty).
  ws.pool.run([&](int s) {
    const int lo = size * s / shards, hi = size * (s + 1) / shards;
    shard_forward_backward(state.model, x, lo, hi - lo, count, config.noise, noise_seed, s, ws.work[s]);
  });
  double squared_error = 0.0;
  for (const ShardWork& w : ws.work) squared_error += w.squared_error;
  const double loss = squared_error / count;
  if (!std::isfinite(loss)) return loss;

  // Phase 2, split by parameters: weight gradients and the Adam update.
  if (ws.grad.encoder.size() != state.model.encoder.layers.size() ||
      ws.grad.decoder.size() != state.model.decoder.layers.size())
    ws.grad = autoencoder_grad_zeros(state.model);
  const AdamScalars k = adam_begin_step(state.adam, lr);
  ws.pool.run([&](int part) { params_update(state, ws.grad, ws.work, k, part, shards); });
  return loss;
}

}  // namespace lp
