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

#include "base/rng.h"
#include "data/noise.h"
#include "nn/adam.h"
#include "nn/autoencoder.h"
#include "nn/lr_schedule.h"

namespace lp {

struct TrainConfig {
  int batch = 64;
  // Each batch is split into this many column shards, run on their own threads,
  // whose gradients are summed in a fixed order: results depend on the thread
  // count (float sums reassociate) but are otherwise bit-reproducible.
  int threads = 1;
  MultiStepLr schedule;
  uint64_t seed = 0;
  // Denoising: the encoder sees corrupted images, the loss compares the
  // reconstruction with the clean ones.
  NoiseSpec noise;
};

struct TrainState {
  Autoencoder model;
  AdamState adam;
  Rng rng;
  int epoch = 0;  // epochs completed
  // The untrained model's loss on the first batches of the data (0: not yet
  // measured): an epoch whose mean loss is above it has diverged.
  double untrained_loss = 0.0;
};

// A fresh model initialised from config.seed, with zeroed Adam moments.
TrainState train_state_create(const AutoencoderSpec& spec, const TrainConfig& config);

// The threads and buffers of train_step, kept from one step to the next so a
// step allocates nothing once the batch size has been seen.
class StepWorkspace {
 public:
  explicit StepWorkspace(int threads);
  ~StepWorkspace();
  StepWorkspace(const StepWorkspace&) = delete;
  StepWorkspace& operator=(const StepWorkspace&) = delete;

  // The full batch gradient of the last successful step, per layer.
  const AutoencoderGrad& grad() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  friend double train_step(TrainState&, const TrainConfig&, const Eigen::MatrixXf&, double, uint64_t, StepWorkspace&);
};

// One step on the batch x [input, B]: forward, MSE loss against x, backward,
// then Adam at rate lr. The batch is split over the workspace's threads by
// samples for the forward and activation gradients, then by parameter columns
// for the weight gradients and Adam (each block updated while still in cache).
// With config.noise active, the encoder sees x corrupted by streams seeded
// with noise_seed (ignored otherwise). Returns the batch's mean per-pixel loss;
// when it is not finite, the state is left exactly as it was.
double train_step(TrainState& state, const TrainConfig& config, const Eigen::MatrixXf& x, double lr,
                  uint64_t noise_seed, StepWorkspace& workspace);

}  // namespace lp
