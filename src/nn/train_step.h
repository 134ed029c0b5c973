// One optimisation step of the autoencoder: the unit of training that the
// native epoch loop, the PyTorch parity test and (in a Web Worker) the browser
// trainer all drive.
//
// Everything that decides the next step (the model, Adam's moments, the
// shuffling RNG and the epoch counter) lives in TrainState, so a checkpoint of
// it resumes a run exactly.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "base/rng.h"
#include "data/noise.h"
#include "nn/adam.h"
#include "nn/autoencoder.h"
#include "nn/loss.h"
#include "nn/lr_schedule.h"

namespace lp {

struct TrainConfig {
  int batch = 64;
  // Each batch is split into this many column shards, run on this many
  // threads, whose gradients are summed in a fixed order: results depend on the
  // thread count (float sums reassociate) but are otherwise bit-reproducible,
  // whichever thread happens to run which shard.
  int threads = 1;
  // The threads that run those shards, if fewer (0: as many as shards). The
  // numbers are the same either way (StepWorkspace); the single-thread wasm
  // trainer steps N shards on its one thread, which is what its tests compare
  // the threaded one with.
  int step_threads = 0;
  MultiStepLr schedule;
  uint64_t seed = 0;
  // Denoising: the encoder sees corrupted images, the loss compares the
  // reconstruction with the clean ones.
  NoiseSpec noise;
  // The reconstruction term. An autoencoder's loss is its mean over every
  // pixel (nn.MSELoss, the tutorial's); a VAE's is summed over the pixels and
  // averaged over the batch, plus beta times the KL term summed over the code
  // (pytorch/examples' loss_function, per image rather than per batch).
  ReconLoss loss = ReconLoss::mse;
  double beta = 1.0;  // the KL term's weight (VAE only): finite, >= 0
};

// Empty when config can train model, otherwise why not (binary cross-entropy
// needs a sigmoid output; beta must be finite and non-negative).
std::string train_config_check(const Autoencoder& model, const TrainConfig& config);

struct TrainState {
  Autoencoder model;
  AdamState adam;
  Rng rng;
  int epoch = 0;  // epochs completed
  // The untrained model's loss on the first batches of the data (0: not yet
  // measured): an epoch whose mean loss is above it has diverged.
  double untrained_loss = 0.0;
};

// A fresh model (an autoencoder or a VAE, as spec.kind says) initialised from
// config.seed, with zeroed Adam moments.
TrainState train_state_create(const AutoencoderSpec& spec, const TrainConfig& config);

// The threads and buffers of train_step, kept from one step to the next so a
// step allocates nothing once the batch size has been seen.
// The randomness of one step, drawn by the caller from the run's RNG so the
// step itself is a pure function of its inputs.
struct StepRandom {
  uint64_t noise_seed = 0;  // denoising: the corruption streams (ignored otherwise)
  uint64_t eps_seed = 0;    // VAE: seeds the reparameterisation's eps [L, B]
  // VAE: eps [L, B] given outright instead of drawn (the PyTorch parity test).
  const Eigen::MatrixXf* eps = nullptr;
};

// One step's loss: loss = reconstruction + beta * kl, each per pixel for an
// autoencoder (kl = 0) and per image for a VAE, averaged over the batch.
struct StepLoss {
  double loss = 0.0;
  double reconstruction = 0.0;
  double kl = 0.0;
};

class StepWorkspace {
 public:
  // threads >= 1 threads for steps of config.threads == shards shards (0:
  // shards = threads). The shards decide the numbers; the threads only how
  // fast they come: a workspace of 1 thread and 2 shards steps exactly as one
  // of 2 and 2 does (the tests check this; the trainer uses threads == shards).
  explicit StepWorkspace(int threads, int shards = 0);
  ~StepWorkspace();
  StepWorkspace(const StepWorkspace&) = delete;
  StepWorkspace& operator=(const StepWorkspace&) = delete;

  // The full batch gradient of the last successful step, per layer.
  const AutoencoderGrad& grad() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  friend StepLoss train_step(TrainState&, const TrainConfig&, const Eigen::MatrixXf&, double, const StepRandom&,
                             StepWorkspace&);
};

// One step on the batch x [input, B]: forward (for a VAE, through z = mu +
// sigma * eps), the loss against x, backward, then Adam at rate lr. The batch
// is split into the workspace's shards by samples for the forward and
// activation gradients, then by parameter columns for the weight gradients and
// Adam (each block updated while still in cache). eps is drawn for the whole
// batch before the split, so it does not depend on the thread count. With
// config.noise active, the encoder sees x corrupted by streams seeded with
// random.noise_seed. When the loss is not finite, the state is left exactly as
// it was. config must pass train_config_check.
StepLoss train_step(TrainState& state, const TrainConfig& config, const Eigen::MatrixXf& x, double lr,
                    const StepRandom& random, StepWorkspace& workspace);

// The training objective of model on the batch x [input, B] as train_step
// computes it (clean inputs, eps drawn from eps_rng for a VAE), without a
// backward pass: the divergence rule's baseline and `latentpad eval`'s VAE loss.
StepLoss objective_evaluate(const Autoencoder& model, const TrainConfig& config, const Eigen::MatrixXf& x, Rng& eps_rng);

}  // namespace lp
