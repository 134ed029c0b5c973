// Minibatch training of an autoencoder on images held in memory.
//
// No file I/O here: the CLI loads data and writes checkpoints; this file only
// turns images into gradient steps. Everything that decides the next step (the
// model, Adam's moments, the shuffling RNG and the epoch counter) lives in
// TrainState, so a checkpoint of it resumes a run exactly.
#pragma once
#include <functional>
#include <string>

#include "adam.h"
#include "autoencoder.h"
#include "lr_schedule.h"
#include "noise.h"
#include "rng.h"

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
};

struct BatchProgress {
  int epoch;    // 0-based epoch being trained
  int batch;    // batches done in this epoch
  int batches;  // batches in this epoch
  double loss;  // this batch's loss
};

struct EpochResult {
  bool ok = true;
  bool cancelled = false;   // on_batch asked to stop (then ok is false too)
  std::string error;        // set when !ok, e.g. a non-finite loss
  double train_loss = 0.0;  // mean per-pixel MSE over the epoch's images
  double lr = 0.0;          // rate used in this epoch
};

// A fresh model initialised from config.seed, with zeroed Adam moments.
TrainState train_state_create(const AutoencoderSpec& spec, const TrainConfig& config);

// Called after every batch; returning false cancels the epoch.
using BatchCallback = std::function<bool(const BatchProgress&)>;

// One pass over images [input, N] in a freshly shuffled order (the last batch
// may be short, like a DataLoader without drop_last). on_batch may be empty.
// Stops at the first non-finite loss, before the bad step reaches the weights.
// A cancelled or failed epoch leaves the state mid-epoch: resume from the last
// checkpoint, not from it.
EpochResult train_epoch(TrainState& state, const TrainConfig& config, const Eigen::MatrixXf& images,
                        const BatchCallback& on_batch = {});

// Per-image mean squared reconstruction error, images [input, N] -> [N].
Eigen::VectorXf reconstruction_errors(const Autoencoder& model, const Eigen::MatrixXf& images);
// Mean per-pixel MSE over all images (the tutorial's test metric).
double reconstruction_mse(const Autoencoder& model, const Eigen::MatrixXf& images);

}  // namespace lp
