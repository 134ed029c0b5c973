// Minibatch training of an autoencoder on images held in memory: epochs of
// train_step (nn/train_step.h) over a freshly shuffled order.
//
// No file I/O here: the CLI loads data and writes checkpoints; this file only
// turns images into gradient steps.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "data/dataset.h"
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
  bool diverged = false;    // the loss became NaN or infinite, or the epoch's mean loss
                            // ended above the untrained model's (then ok is false too)
  std::string error;        // set when !ok, e.g. a non-finite loss
  double train_loss = 0.0;  // the epoch's mean loss (StepLoss::loss, weighted by batch size)
  double train_recon = 0.0;  // its reconstruction term
  double train_kl = 0.0;     // its KL term (VAE; 0 for an autoencoder)
  double lr = 0.0;          // rate used in this epoch
};

// Called after every batch; returning false cancels the epoch.
using BatchCallback = std::function<bool(const BatchProgress&)>;

// The training objective of `model` on the first images of `data` (up to
// eight batches' worth, in file order; a VAE's eps from a fixed stream of its
// own, not the run's): the baseline of the divergence rule.
double untrained_loss(const Autoencoder& model, const TrainConfig& config, const Dataset& data);

// An epoch in progress, advanced a batch at a time: train_epoch drives it in a
// loop; the browser's training worker calls step() one batch at a time, so it
// can pause or stop between batches. Every step is train_step.
class EpochRun {
 public:
  // Draws the epoch's order from state.rng (and, for a fresh run, measures
  // state.untrained_loss first). The state, config and data must outlive it.
  EpochRun(TrainState& state, const TrainConfig& config, const Dataset& data);
  EpochRun(const EpochRun&) = delete;
  EpochRun& operator=(const EpochRun&) = delete;

  bool done() const { return batch_ >= batches_ || failed(); }
  bool failed() const { return !result_.ok; }
  int batch() const { return batch_; }  // batches done
  int batches() const { return batches_; }
  double lr() const { return result_.lr; }
  // The last step's loss and its two terms (zeros before the first step): the
  // page's progress reports show a VAE's KL term as it trains.
  const StepLoss& last_step() const { return last_step_; }
  // Trains the next batch and returns its loss. A non-finite loss fails the
  // epoch (the step was not applied).
  double step();
  // After the last step (or a failure): the epoch's result. Applies the
  // divergence rule and, when the epoch is good, counts it in state.epoch.
  EpochResult finish();

 private:
  TrainState& state_;
  const TrainConfig& config_;
  const Dataset& data_;
  StepWorkspace workspace_;
  std::vector<int> order_;
  Eigen::MatrixXf x_;
  EpochResult result_;
  StepLoss last_step_;
  int batch_ = 0, batches_ = 0;
  // Sums over batches of each term times the batch size.
  double loss_sum_ = 0.0, recon_sum_ = 0.0, kl_sum_ = 0.0;
};

// One pass over the data set in a freshly shuffled order (the last batch may
// be short, like a DataLoader without drop_last), at the rate the schedule
// gives for state.epoch; each batch is turned into floats as it is assembled.
// Divergence stops the run: a non-finite batch loss (before the bad step
// reaches the weights), or an epoch whose mean loss is above
// state.untrained_loss, which the first epoch of a fresh run measures. on_batch may be empty. Stops at the first non-finite
// loss, before the bad step reaches the weights. A cancelled or failed epoch
// leaves the state mid-epoch: resume from the last checkpoint, not from it.
EpochResult train_epoch(TrainState& state, const TrainConfig& config, const Dataset& data,
                        const BatchCallback& on_batch = {});

}  // namespace lp
