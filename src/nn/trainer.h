// Minibatch training of an autoencoder on images held in memory: epochs of
// train_step (nn/train_step.h) over a freshly shuffled order.
//
// No file I/O here: the CLI loads data and writes checkpoints; this file only
// turns images into gradient steps.
#pragma once
#include <functional>
#include <string>

#include "nn/train_step.h"

namespace lp {

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

// Called after every batch; returning false cancels the epoch.
using BatchCallback = std::function<bool(const BatchProgress&)>;

// The shuffled order of an epoch's n images, drawn from state.rng.
std::vector<int> epoch_order(TrainState& state, int n);

// One pass over images [input, N] in a freshly shuffled order (the last batch
// may be short, like a DataLoader without drop_last), at the rate the schedule
// gives for state.epoch. on_batch may be empty. Stops at the first non-finite
// loss, before the bad step reaches the weights. A cancelled or failed epoch
// leaves the state mid-epoch: resume from the last checkpoint, not from it.
EpochResult train_epoch(TrainState& state, const TrainConfig& config, const Eigen::MatrixXf& images,
                        const BatchCallback& on_batch = {});

}  // namespace lp
