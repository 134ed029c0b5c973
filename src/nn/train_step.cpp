#include "nn/train_step.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "base/thread_pool.h"
#include "nn/loss.h"
#include "nn/vae.h"

namespace lp {
namespace {

// Buffers of one thread's share of a batch.
struct ShardWork {
  Eigen::MatrixXf x, noisy, drecon, dcodes, eps, z, dheads;
  AutoencoderCache cache;
  std::vector<Eigen::MatrixXf> dz_encoder, dz_decoder;  // dL/dz per layer
  double recon_sum = 0.0, kl_sum = 0.0;

  const MlpCache& cache_of(LayerRef ref) const { return ref.net == 0 ? cache.encoder : cache.decoder; }
  const Eigen::MatrixXf& dz_of(LayerRef ref) const { return ref.net == 0 ? dz_encoder[ref.index] : dz_decoder[ref.index]; }
};

// Forward, loss and the activation-gradient backward pass over columns
// [first, first + size) of x. `count` is what the whole batch's loss sum is
// divided by (its elements for an autoencoder, its images for a VAE), so the
// shards' gradients add up to the batch's. eps [L, B] is the whole batch's.
void shard_forward_backward(const Autoencoder& model, const TrainConfig& config, const Eigen::MatrixXf& x,
                            const Eigen::MatrixXf& eps, int first, int size, double count, uint64_t noise_seed,
                            int shard, ShardWork& w) {
  w.x = x.middleCols(first, size);
  if (config.noise.active()) {
    // A stream per (batch, shard): reproducible for a seed and thread count.
    Rng rng(noise_seed, 3 + static_cast<uint64_t>(shard));
    w.noisy = w.x;
    noise_apply(config.noise, w.noisy.data(), static_cast<size_t>(w.noisy.size()), rng);
  }
  mlp_forward(model.encoder, config.noise.active() ? w.noisy : w.x, w.cache.encoder);
  const Eigen::MatrixXf* codes = &w.cache.encoder.output();  // [L, b]; a VAE's heads [2L, b]
  w.kl_sum = 0.0;
  if (model.is_vae()) {
    w.eps = eps.middleCols(first, size);
    vae_reparameterise(w.cache.encoder.output(), w.eps, w.z);
    w.kl_sum = vae_kl_sum(w.cache.encoder.output());
    codes = &w.z;
  }
  mlp_forward(model.decoder, *codes, w.cache.decoder);

  const Eigen::MatrixXf& recon = w.cache.reconstruction();
  const bool bce = config.loss == ReconLoss::bce;
  if (bce) {
    w.recon_sum = bce_sum(recon, w.x);
    bce_logit_backward(recon, w.x, count, w.drecon);
  } else {
    w.recon_sum = squared_error_sum(recon, w.x);
    mse_loss_backward(recon, w.x, count, w.drecon);
  }
  mlp_backward_dz(model.decoder, w.cache.decoder, w.drecon, w.dz_decoder, &w.dcodes, bce);
  if (model.is_vae()) {
    vae_heads_backward(w.cache.encoder.output(), w.eps, w.dcodes, config.beta / count, w.dheads);
    mlp_backward_dz(model.encoder, w.cache.encoder, w.dheads, w.dz_encoder, nullptr);
  } else {
    mlp_backward_dz(model.encoder, w.cache.encoder, w.dcodes, w.dz_encoder, nullptr);
  }
}

// What a batch's summed loss is divided by: every element of x [input, B]
// for an autoencoder (the mean, as nn.MSELoss), the images for a VAE (per
// image, as pytorch/examples reports it).
double loss_divisor(const Autoencoder& model, const Eigen::MatrixXf& x) {
  const double images = static_cast<double>(x.cols());
  return model.is_vae() ? images : images * static_cast<double>(x.rows());
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
  Impl(int threads, int shards) : pool(std::max(1, threads)), work(static_cast<size_t>(std::max(1, shards))) {}
  ThreadPool pool;
  std::vector<ShardWork> work;
  AutoencoderGrad grad;
  Eigen::MatrixXf eps;  // VAE: the batch's [L, B]
};

StepWorkspace::StepWorkspace(int threads, int shards)
    : impl_(std::make_unique<Impl>(threads, shards > 0 ? shards : threads)) {}
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

std::string train_config_check(const Autoencoder& model, const TrainConfig& config) {
  if (!std::isfinite(config.beta) || config.beta < 0.0) return "beta must be a finite number >= 0";
  if (config.loss == ReconLoss::bce && (model.decoder.empty() || model.decoder.layers.back().act != Activation::sigmoid))
    return std::string("binary cross-entropy needs a sigmoid output, and this model's output layer is ") +
           (model.decoder.empty() ? "missing" : activation_name(model.decoder.layers.back().act));
  return {};
}

StepLoss objective_evaluate(const Autoencoder& model, const TrainConfig& config, const Eigen::MatrixXf& x,
                            Rng& eps_rng) {
  StepLoss loss;
  const int size = static_cast<int>(x.cols());
  if (size == 0) return loss;
  Eigen::MatrixXf codes = mlp_infer(model.encoder, x);
  if (model.is_vae()) {
    Eigen::MatrixXf eps, z;
    vae_draw_eps(eps_rng, model.latent(), size, eps);
    vae_reparameterise(codes, eps, z);
    loss.kl = vae_kl_sum(codes);
    codes = std::move(z);
  }
  const Eigen::MatrixXf recon = mlp_infer(model.decoder, codes);
  loss.reconstruction = config.loss == ReconLoss::bce ? bce_sum(recon, x) : squared_error_sum(recon, x);
  const double count = loss_divisor(model, x);
  loss.reconstruction /= count;
  loss.kl /= count;
  loss.loss = loss.reconstruction + (model.is_vae() ? config.beta * loss.kl : 0.0);
  return loss;
}

StepLoss train_step(TrainState& state, const TrainConfig& config, const Eigen::MatrixXf& x, double lr,
                    const StepRandom& random, StepWorkspace& workspace) {
  StepWorkspace::Impl& ws = *workspace.impl_;
  const Autoencoder& model = state.model;
  const int shards = static_cast<int>(ws.work.size());
  const int size = static_cast<int>(x.cols());
  const double count = loss_divisor(model, x);

  // The whole batch's eps, before the split, so it is the same at any thread count.
  if (model.is_vae() && random.eps) {
    ws.eps = *random.eps;
  } else if (model.is_vae()) {
    Rng eps_rng(random.eps_seed, 5);
    vae_draw_eps(eps_rng, model.latent(), size, ws.eps);
  }

  // Phase 1, split by samples: a task per shard of the batch (a batch smaller
  // than the shard count leaves some shards empty), run by whichever thread
  // claims it, so a thread that is late to start does not hold up the step.
  ws.pool.run(shards, [&](int s) {
    const int lo = size * s / shards, hi = size * (s + 1) / shards;
    shard_forward_backward(model, config, x, ws.eps, lo, hi - lo, count, random.noise_seed, s, ws.work[s]);
  });
  StepLoss loss;
  for (const ShardWork& w : ws.work) {
    loss.reconstruction += w.recon_sum;
    loss.kl += w.kl_sum;
  }
  loss.reconstruction /= count;
  loss.kl /= count;
  loss.loss = loss.reconstruction + (model.is_vae() ? config.beta * loss.kl : 0.0);
  if (!std::isfinite(loss.loss)) return loss;

  // Phase 2, split by parameters: weight gradients and the Adam update.
  if (ws.grad.encoder.size() != state.model.encoder.layers.size() ||
      ws.grad.decoder.size() != state.model.decoder.layers.size())
    ws.grad = autoencoder_grad_zeros(state.model);
  const AdamScalars k = adam_begin_step(state.adam, lr);
  ws.pool.run(shards, [&](int part) { params_update(state, ws.grad, ws.work, k, part, shards); });
  return loss;
}

}  // namespace lp
