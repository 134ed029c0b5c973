// The trainer as a plain WebAssembly module (latentpad_trainer.wasm, no
// Emscripten glue): the page's training worker (page/train_worker.js) runs it,
// and so does the Node parity test (tests/web/trainer_parity.mjs).
// page/trainer_module.js is its JavaScript side.
//
// It is src/'s trainer, step for step: the same initialisation, shuffling,
// Adam, schedule and divergence rule as `latentpad train`, for any model the
// library trains (autoencoder or VAE, any code width, hidden sizes,
// activation and loss: lpt_configure), driven one batch
// at a time (EpochRun::step, which is train_step) so the worker can pause or
// stop between batches. The data sets are kept as their IDX bytes in wasm
// memory.
//
// Built twice more: latentpad_trainer_mt.wasm (and its relaxed-SIMD twin),
// compiled with -pthread and linked on shared memory, trains on several
// threads (lpt_threads) whose workers the embedder starts as Web Workers
// (src/base/thread_pool_wasm.cpp; page/trainer_threads.js). Each batch is then
// split into as many shards as the native trainer's --threads makes, with the
// same results.
#include <emscripten.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/thread_pool.h"
#include "eval/reconstruction.h"
#include "formats/checkpoint.h"
#include "formats/idx.h"
#include "formats/model_file.h"
#include "nn/trainer.h"

namespace {

enum Part { kTrainImages = 0, kTrainLabels = 1, kTestImages = 2, kTestLabels = 3 };

// What lpt_steps reports.
enum Status { kRunning = 0, kEpochDone = 1, kFinished = 2, kDiverged = 3, kFailed = 4 };

struct Trainer {
  // Files handed over by lpt_set_data, until their partner arrives.
  lp::IdxArray parts[4];
  bool have[4] = {false, false, false, false};
  lp::Dataset full_train, full_test;  // the bytes, kept across runs
  lp::Dataset limited;                // a run's first `limit` training images
  const lp::Dataset* train = nullptr; // what the run trains on
  const lp::Dataset& test = full_test;
  lp::TrainConfig config;
  lp::AutoencoderSpec spec;  // the run's architecture (spec.input: the data's pixels)
  lp::TrainState state;
  std::unique_ptr<lp::EpochRun> epoch;
  std::map<std::string, std::string> meta;
  int epochs = 0;
  bool started = false, finished = false;
  double last_loss = 0.0, train_loss = 0.0, test_mse = 0.0;
  double train_recon = 0.0, train_kl = 0.0;  // the last epoch's terms
  lp::StepLoss last_step;                     // the last batch's
  std::vector<uint8_t> model_bytes;
  std::vector<float> parameters;
};

Trainer g;
std::string g_error;
int g_threads = 1;  // lpt_threads: the next run's threads (= the batch's shards)
lp::ModelFile g_start_model;  // lpt_set_model: a model to fine-tune
bool g_have_start_model = false;

// The next run's model and loss (lpt_configure); the tutorial's recipe until set.
struct Architecture {
  lp::AutoencoderSpec spec;  // spec.input is set from the data at lpt_start
  lp::ReconLoss loss = lp::ReconLoss::mse;
  double beta = 1.0;
};
Architecture g_arch;

constexpr int kMaxHiddenLayers = 8;
constexpr int kMaxHiddenWidth = 4096;

// The threads a run of `threads` shards has: all of them in the threaded
// build; one in the single-thread build, whose thread pool must not start
// std::threads (there are none without -pthread).
int pool_threads(int threads) {
#ifdef __wasm_atomics__
  return threads;
#else
  (void)threads;
  return 1;
#endif
}

int fail(const std::string& message) {
  g_error = message;
  return 0;
}

std::string join(const std::vector<int>& sizes, const char* separator) {
  std::string text;
  for (size_t i = 0; i < sizes.size(); ++i) text += (i ? separator : "") + std::to_string(sizes[i]);
  return text;
}

// "a 784-256-128-64-2 tanh autoencoder": what an error names.
std::string describe(lp::ModelKind kind, int input, const std::vector<int>& hidden, int latent, lp::Activation act) {
  std::vector<int> sizes{input};
  sizes.insert(sizes.end(), hidden.begin(), hidden.end());
  sizes.push_back(latent);
  const std::string what = kind == lp::ModelKind::vae ? "variational autoencoder" : "autoencoder";
  return "a " + join(sizes, "-") + (hidden.empty() ? " " : std::string(" ") + lp::activation_name(act) + " ") + what;
}

// Empty when the model set with lpt_set_model has the configured
// architecture (a fine-tuning run continues that model, so it must be the
// model the settings describe), otherwise why not.
std::string start_model_mismatch() {
  if (!g_have_start_model) return {};
  const lp::Autoencoder& m = g_start_model.model;
  lp::AutoencoderSpec want = g_arch.spec;
  want.input = m.encoder.in_size();
  const lp::MlpSpec enc = m.encoder.spec(), dec = m.decoder.spec();
  const lp::MlpSpec want_enc = lp::encoder_spec(want), want_dec = lp::decoder_spec(want);
  if (m.kind == want.kind && enc.sizes == want_enc.sizes && enc.acts == want_enc.acts && dec.sizes == want_dec.sizes &&
      dec.acts == want_dec.acts)
    return {};
  const std::vector<int> hidden(enc.sizes.begin() + 1, enc.sizes.end() - 1);
  const lp::Activation act = enc.acts.size() > 1 ? enc.acts.front() : lp::Activation::tanh;
  return "the loaded model is " + describe(m.kind, m.encoder.in_size(), hidden, m.latent(), act) +
         ", but the settings ask for " + describe(want.kind, want.input, want.hidden, want.latent, want.hidden_act) +
         ": fine-tuning needs the same architecture (choose the loaded model's, or start a fresh model)";
}

// Once both files of a split are there, they become its Dataset (moved, not copied).
bool build_dataset(Part images, Part labels, lp::Dataset* out) {
  if (!g.have[images] || !g.have[labels]) return true;
  g.have[images] = g.have[labels] = false;
  std::string error;
  if (!lp::dataset_from_idx(std::move(g.parts[images]), std::move(g.parts[labels]), out, &error)) {
    *out = lp::Dataset();
    return fail((images == kTrainImages ? "training data: " : "test data: ") + error);
  }
  return true;
}

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE const char* lpt_error() { return g_error.c_str(); }

// One of the four IDX files (0 train images, 1 train labels, 2 test images,
// 3 test labels), already decompressed. Returns 1, or 0 and an error.
EMSCRIPTEN_KEEPALIVE int lpt_set_data(int part, const uint8_t* bytes, int size) {
  if (part < 0 || part > 3 || size < 0) return fail("bad data part");
  lp::IdxArray array;
  std::string error;
  if (!lp::idx_parse(bytes, static_cast<size_t>(size), &array, &error)) return fail(error);
  g.parts[part] = std::move(array);
  g.have[part] = true;
  // A new file replaces its split: stop any run that trains on the old one.
  g.started = false;
  g.epoch.reset();
  g.train = nullptr;
  return part < kTestImages ? build_dataset(kTrainImages, kTrainLabels, &g.full_train)
                            : build_dataset(kTestImages, kTestLabels, &g.full_test);
}

// A model to start from (fine-tuning) instead of a fresh one; size 0 clears it.
EMSCRIPTEN_KEEPALIVE int lpt_set_model(const uint8_t* bytes, int size) {
  g_have_start_model = false;
  if (size == 0) return 1;
  lp::ModelFile file;
  if (!lp::model_file_decode(bytes, static_cast<size_t>(size), &file, &g_error)) return 0;
  if (file.parts != lp::ModelParts::both) return fail("training needs a full autoencoder, not one half");
  g_start_model = std::move(file);
  g_have_start_model = true;
  return 1;
}

// The next runs' model and loss: kind 1 autoencoder or 2 VAE (ModelKind's
// numbers), beta the KL term's weight (finite, >= 0; used by a VAE), latent
// the code width (1..256), hidden[count] the encoder's hidden sizes (up to 8,
// each 1..4096; the decoder mirrors them), activation 0 tanh or 1 relu for
// the hidden layers, loss 0 mse or 1 bce (binary cross-entropy). Checked
// against the model to fine-tune, if one is set. Returns 1, or 0 and an error
// (the settings are then unchanged).
EMSCRIPTEN_KEEPALIVE int lpt_configure(int kind, double beta, int latent, const int32_t* hidden, int count,
                                       int activation, int loss) {
  if (kind != 1 && kind != 2) return fail("the model must be 'ae' (autoencoder) or 'vae' (variational autoencoder)");
  if (!std::isfinite(beta) || beta < 0.0) return fail("beta must be a finite number >= 0");
  if (latent < 1 || latent > lp::kMaxLatent)
    return fail("latent (the code width) must be a whole number from 1 to " + std::to_string(lp::kMaxLatent));
  if (count < 0 || count > kMaxHiddenLayers)
    return fail("hidden may list at most " + std::to_string(kMaxHiddenLayers) + " layer sizes");
  for (int i = 0; i < count; ++i)
    if (hidden[i] < 1 || hidden[i] > kMaxHiddenWidth)
      return fail("hidden layer sizes must be whole numbers from 1 to " + std::to_string(kMaxHiddenWidth) + ", not " +
                  std::to_string(hidden[i]));
  if (activation != 0 && activation != 1) return fail("the activation must be 'tanh' or 'relu'");
  if (loss != 0 && loss != 1) return fail("the loss must be 'mse' or 'bce'");
  const Architecture before = g_arch;
  g_arch.spec.kind = kind == 2 ? lp::ModelKind::vae : lp::ModelKind::autoencoder;
  g_arch.spec.latent = latent;
  g_arch.spec.hidden.assign(hidden, hidden + count);
  g_arch.spec.hidden_act = activation == 1 ? lp::Activation::relu : lp::Activation::tanh;
  g_arch.loss = loss == 1 ? lp::ReconLoss::bce : lp::ReconLoss::mse;
  g_arch.beta = beta;
  const std::string mismatch = start_model_mismatch();
  if (!mismatch.empty()) {
    g_arch = before;
    return fail(mismatch);
  }
  return 1;
}

// The next runs' thread count, 1 to 64, which is also the number of shards
// each batch is split into (TrainConfig::threads): results depend on it
// exactly as the native trainer's do on --threads. The threaded build (built
// with atomics) runs them on the worker threads the embedder has started (with
// fewer, the training thread runs the rest); the single-thread build runs
// every shard on its one thread, with the same results (what the tests
// compare the threaded build with; the page gives it 1). Returns 1, or 0 and
// an error.
EMSCRIPTEN_KEEPALIVE int lpt_threads(int threads) {
  if (threads < 1 || threads > 64) return fail("threads must be a whole number from 1 to 64");
  g_threads = threads;
  return 1;
}

// One META pair for the trained model (the page adds the data set's name and
// the date, which a standalone module cannot know).
EMSCRIPTEN_KEEPALIVE void lpt_set_meta(const char* key, const char* value) { g.meta[key] = value; }

// Starts a run: a fresh model of lpt_configure's architecture (by default the
// tutorial's) or the model set with lpt_set_model, which must have that
// architecture; Adam at `lr` halved at epochs 10 and 40, on the first `limit`
// training images (0: all). Returns 1, or 0 and an error.
EMSCRIPTEN_KEEPALIVE int lpt_start(int epochs, double lr, int batch, double seed, int limit) {
  if (epochs < 1 || epochs > 1000) return fail("epochs must be between 1 and 1000");
  if (!(lr > 0.0) || lr > 10.0) return fail("the learning rate must be above 0 and at most 10");
  if (batch < 1 || batch > 4096) return fail("the batch size must be between 1 and 4096");
  if (!(seed >= 0.0) || seed > 9007199254740991.0) return fail("the seed must be a whole number from 0");
  if (limit < 0) return fail("limit must not be negative");
  if (g.full_train.size() == 0) return fail("the training data is not loaded");
  if (g.full_test.size() == 0) return fail("the test data is not loaded");
  if (g.full_test.pixel_count() != g.full_train.pixel_count()) return fail("training and test images differ in size");
  if (g_have_start_model && g_start_model.model.encoder.in_size() != g.full_train.pixel_count())
    return fail("the loaded model expects " + std::to_string(g_start_model.model.encoder.in_size()) +
                "-pixel images, the data has " + std::to_string(g.full_train.pixel_count()));
  const std::string mismatch = start_model_mismatch();
  if (!mismatch.empty()) return fail(mismatch);
  lp::AutoencoderSpec spec = g_arch.spec;
  spec.input = g.full_train.pixel_count();
  const std::string spec_error = lp::mlp_spec_check(lp::encoder_spec(spec));
  if (!spec_error.empty()) return fail("bad architecture: " + spec_error);
  // Everything is checked: the old run (whose epoch refers to the data) goes now.
  g.started = false;
  g.epoch.reset();
  const lp::Dataset* train = &g.full_train;
  if (limit > 0 && limit < g.full_train.size()) {
    std::vector<int> first(static_cast<size_t>(limit));
    for (int i = 0; i < limit; ++i) first[static_cast<size_t>(i)] = i;
    g.limited = lp::dataset_subset(g.full_train, first);
    train = &g.limited;
  }

  lp::TrainConfig config;
  config.batch = batch;
  config.threads = g_threads;  // lpt_threads: 1 unless asked for more
  config.step_threads = pool_threads(g_threads);
  config.schedule = {lr, {10, 40}, 0.5};
  config.seed = static_cast<uint64_t>(seed);
  config.loss = g_arch.loss;
  config.beta = g_arch.beta;
  lp::TrainState state = lp::train_state_create(spec, config);
  const std::string config_error = lp::train_config_check(state.model, config);
  if (!config_error.empty()) return fail(config_error);
  if (g_have_start_model) {
    // Fine-tuning: the divergence rule's baseline is still an untrained
    // model's loss (the seed's), not the loaded model's, which a first epoch
    // with fresh Adam moments may well exceed.
    state.untrained_loss = lp::untrained_loss(state.model, config, *train);
    state.model = g_start_model.model;
    state.adam = lp::adam_init(state.model);
  }
  g.train = train;
  g.config = config;
  g.spec = spec;
  g.state = std::move(state);
  g.epoch.reset();
  g.epochs = epochs;
  g.started = true;
  g.finished = false;
  g.last_loss = g.train_loss = g.test_mse = g.train_recon = g.train_kl = 0.0;
  g.last_step = lp::StepLoss();
  return 1;
}

// Trains up to `count` batches, stopping early at the end of an epoch (then
// the test MSE is measured). Returns a Status.
EMSCRIPTEN_KEEPALIVE int lpt_steps(int count) {
  if (!g.started) return fail("no run was started"), kFailed;
  if (g.finished) return kFinished;
  if (!g.epoch) g.epoch = std::make_unique<lp::EpochRun>(g.state, g.config, *g.train);
  for (int i = 0; i < count && !g.epoch->done(); ++i) {
    g.last_loss = g.epoch->step();
    g.last_step = g.epoch->last_step();
  }
  if (!g.epoch->done()) return kRunning;
  const lp::EpochResult result = g.epoch->finish();
  g.epoch.reset();
  if (!result.ok) {
    g_error = result.error;
    return result.diverged ? kDiverged : kFailed;
  }
  g.train_loss = result.train_loss;
  g.train_recon = result.train_recon;
  g.train_kl = result.train_kl;
  // On the run's threads, as `latentpad train` measures it (each image's error
  // does not depend on the thread count, so neither does the mean).
  g.test_mse = lp::reconstruction_mse(g.state.model, g.test, pool_threads(g.config.threads));
  if (g.state.epoch >= g.epochs) {
    g.finished = true;
    return kFinished;
  }
  return kEpochDone;
}

// 0 epochs done, 1 batch within the current epoch, 2 batches per epoch,
// 3 last batch loss, 4 last epoch's mean loss, 5 last test MSE, 6 Adam steps,
// 7 training images, 8 the untrained model's loss, 9 the current rate,
// 10 the code width, 11 1 for a VAE (else 0), 12 and 13 the last batch's
// reconstruction and KL terms, 14 and 15 the last epoch's (a VAE's loss is
// reconstruction + beta * KL, per image; an autoencoder's KL is 0), 16 the
// run's threads (shards per batch).
EMSCRIPTEN_KEEPALIVE double lpt_progress(int what) {
  switch (what) {
    case 0: return g.state.epoch;
    case 1: return g.epoch ? g.epoch->batch() : 0;
    case 2: return g.started ? (g.train->size() + g.config.batch - 1) / g.config.batch : 0;
    case 3: return g.last_loss;
    case 4: return g.train_loss;
    case 5: return g.test_mse;
    case 6: return static_cast<double>(g.state.adam.step);
    case 7: return g.started ? g.train->size() : 0;
    case 8: return g.state.untrained_loss;
    case 9: return g.config.schedule.rate(g.state.epoch);
    case 10: return g.started ? g.state.model.latent() : 0;
    case 11: return g.started && g.state.model.is_vae() ? 1 : 0;
    case 12: return g.last_step.reconstruction;
    case 13: return g.last_step.kl;
    case 14: return g.train_recon;
    case 15: return g.train_kl;
    case 16: return g.started ? g.config.threads : g_threads;
    default: return 0;
  }
}

// The current model as an .lpad file (float32, with the run's metadata);
// *size receives its length. The bytes stay valid until the next call.
EMSCRIPTEN_KEEPALIVE const uint8_t* lpt_model(int* size) {
  if (!g.started) return fail("no run was started"), nullptr;
  lp::ModelFile file;
  file.model = g.state.model;
  file.meta = g.meta;
  for (auto& [key, value] : lp::train_config_meta(g.config)) file.meta[key] = value;
  if (g.config.threads == 1) file.meta.erase("threads");  // a single-thread run says nothing, as before
  file.meta["epochs"] = std::to_string(g.epochs);
  file.meta["epochs_done"] = std::to_string(g.state.epoch);
  file.meta["train_images"] = std::to_string(g.train->size());
  // The architecture, as `latentpad train` records it (the kind is the model's own).
  file.meta["hidden"] = join(g.spec.hidden, ",");
  file.meta["latent"] = std::to_string(g.spec.latent);
  file.meta["activation"] = lp::activation_name(g.spec.hidden_act);
  if (g.state.epoch > 0) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6f", g.test_mse);
    file.meta["test_mse"] = text;
    std::snprintf(text, sizeof text, "%.6f", g.train_loss);
    file.meta["train_loss"] = text;
  }
  g.model_bytes = lp::model_file_encode(file);
  *size = static_cast<int>(g.model_bytes.size());
  return g.model_bytes.data();
}

// The current model's parameters as one flat array (autoencoder_parameters_get's
// order); *count receives how many floats. Valid until the next call. What the
// page's snapshots carry: the page sets them into the model it already has
// (lp_train_weights) instead of decoding a model file.
EMSCRIPTEN_KEEPALIVE const float* lpt_parameters(int* count) {
  if (!g.started) return fail("no run was started"), nullptr;
  g.parameters.resize(g.state.model.parameter_count());
  lp::autoencoder_parameters_get(g.state.model, g.parameters.data());
  *count = static_cast<int>(g.parameters.size());
  return g.parameters.data();
}

// The codes of the first `count` test images under the current model (the
// scatter while training; mu for a VAE): count x width floats, image after
// image, width being the code width (lpt_progress(10)). Returns how many
// images were encoded.
EMSCRIPTEN_KEEPALIVE int lpt_test_codes(int count, float* codes) {
  if (!g.started) return 0;
  count = std::max(0, std::min(count, g.test.size()));
  // In blocks of 256 images (encode_images' own chunks, so each code is what
  // one call would give), spread over the run's threads.
  constexpr int kBlock = 256;
  const int blocks = (count + kBlock - 1) / kBlock, width = g.state.model.latent();
  lp::ThreadPool pool(std::max(1, std::min(pool_threads(g.config.threads), blocks)));
  pool.run(blocks, [&](int block) {
    const int first = block * kBlock, size = std::min(kBlock, count - first);
    const Eigen::MatrixXf out = lp::encode_images(g.state.model, g.test, first, size);
    std::copy(out.data(), out.data() + out.size(), codes + static_cast<size_t>(first) * width);
  });
  return count;
}

// The labels of the test set, for the scatter's colours.
EMSCRIPTEN_KEEPALIVE const uint8_t* lpt_test_labels() { return g.test.labels.data(); }

}  // extern "C"
