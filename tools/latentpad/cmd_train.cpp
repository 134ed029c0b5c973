// latentpad train: the tutorial's training loop, with a progress line, a CSV
// log and a checkpoint after every epoch.
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>
#include <sstream>
#include <set>
#include <thread>

#include "cli_common.h"
#include "formats/checkpoint.h"
#include "nn/trainer.h"

namespace lp::cli {
namespace {

struct TrainOptions {
  DatasetChoice dataset;
  int epochs = 20;
  int batch = 64;
  double lr = 1e-3;
  std::string milestones = "10,40";
  double gamma = 0.5;
  int latent = 2;
  std::string hidden = "256,128,64";
  std::string model = "ae";
  std::string activation = "tanh";
  std::string loss = "mse";
  double beta = 1.0;
  uint64_t seed = 0;
  int threads = 0;  // 0: every core
  int limit = 0;    // 0: all training images
  std::string out;
  std::string resume;
  std::string noise = "none";
  bool force = false;
  std::set<std::string> given;  // the options on the command line, e.g. "--lr"
};

std::atomic<bool> g_interrupted{false};
extern "C" void on_sigint(int) { g_interrupted.store(true); }

std::string strip_extension(const std::string& path) {
  const size_t dot = path.find_last_of('.'), slash = path.find_last_of('/');
  return dot != std::string::npos && (slash == std::string::npos || dot > slash) ? path.substr(0, dot) : path;
}

bool file_exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

std::string join(const std::vector<int>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s;
}

std::string now_utc() {
  char buf[32];
  const std::time_t t = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// A test-only hook, so the resume test stops a run at an exact point instead
// of racing a timer: LATENTPAD_TEST_SIGNAL=EPOCH:BATCH:KILL|INT raises that
// signal in this process right after batch BATCH of epoch EPOCH (1-based).
struct TestSignal {
  int epoch = 0, batch = 0, signal = 0;
  static TestSignal from_env() {
    TestSignal t;
    const char* text = std::getenv("LATENTPAD_TEST_SIGNAL");
    char name[8] = {};
    if (text && std::sscanf(text, "%d:%d:%7s", &t.epoch, &t.batch, name) == 3)
      t.signal = !std::strcmp(name, "KILL") ? SIGKILL : !std::strcmp(name, "INT") ? SIGINT : 0;
    return t;
  }
  void maybe_raise(const BatchProgress& p) const {
    if (signal && p.epoch + 1 == epoch && p.batch == batch) std::raise(signal);
  }
};

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

void validate(const TrainOptions& o) {
  if (o.epochs < 1 || o.epochs > 100000) throw UsageError("--epochs must be between 1 and 100000");
  if (o.batch < 1 || o.batch > 65536) throw UsageError("--batch must be between 1 and 65536");
  if (!(o.lr > 0.0) || !std::isfinite(o.lr)) throw UsageError("--lr must be a positive number");
  if (!(o.gamma > 0.0) || !std::isfinite(o.gamma)) throw UsageError("--gamma must be a positive number");
  if (o.latent < 1 || o.latent > kMaxLatent)
    throw UsageError("--latent must be between 1 and " + std::to_string(kMaxLatent));
  if (!std::isfinite(o.beta) || o.beta < 0.0) throw UsageError("--beta must be a finite number >= 0");
  if (o.threads < 0 || o.threads > 256) throw UsageError("--threads must be between 0 and 256");
  if (o.limit < 0) throw UsageError("--limit must be non-negative");
}

void run_train(const TrainOptions& o) {
  require_option(o.out, "--out");
  validate(o);
  const std::string checkpoint = strip_extension(o.out) + ".ckpt";
  const std::string log_path = strip_extension(o.out) + ".csv";
  if (file_exists(o.out) && !o.force && o.resume.empty())
    throw Error(o.out + " already exists; pass --force to overwrite it");
  // Fail now, not after the first epoch's work, if the outputs cannot be written.
  const size_t slash = o.out.find_last_of('/');
  const std::string out_dir = slash == std::string::npos ? "." : o.out.substr(0, slash + 1);
  if (::access(out_dir.c_str(), W_OK) != 0) throw Error("cannot write to " + out_dir + ": " + std::strerror(errno));

  TrainConfig config;
  config.batch = o.batch;
  config.schedule = {o.lr, parse_int_list(o.milestones, "milestones"), o.gamma};
  config.seed = o.seed;
  std::string noise_error;
  if (!noise_parse(o.noise, &config.noise, &noise_error)) throw UsageError("--noise: " + noise_error);
  if (!recon_loss_parse(o.loss, &config.loss)) throw UsageError("--loss must be mse or bce");
  config.beta = o.beta;
  AutoencoderSpec spec;
  spec.hidden = parse_int_list(o.hidden, "hidden");
  spec.latent = o.latent;
  if (!model_kind_parse(o.model, &spec.kind)) throw UsageError("--model must be ae or vae");
  if (!activation_parse(o.activation, &spec.hidden_act) ||
      (spec.hidden_act != Activation::tanh && spec.hidden_act != Activation::relu))
    throw UsageError("--activation must be tanh or relu");
  for (int h : spec.hidden)
    if (h < 1) throw UsageError("--hidden sizes must be positive");
  config.threads = o.threads > 0 ? o.threads : cpu_threads();

  std::map<std::string, std::string> meta;
  DatasetChoice dataset = o.dataset;
  int limit = o.limit;
  int epochs = o.epochs;
  std::optional<TrainState> resumed;
  if (!o.resume.empty()) {
    // The run continues exactly as it was configured: its settings come from
    // the checkpoint, and flags that say otherwise are refused.
    const ModelFile file = load_model(o.resume, ModelParts::both);
    // Refused before anything else, with the kinds named: the rest of the
    // comparison would only list the symptoms (widths, flags).
    if (o.given.count("--model") && file.model.kind != spec.kind)
      throw UsageError(o.resume + " is a checkpoint of " + (file.model.is_vae() ? "a " : "an ") +
                       model_kind_name(file.model.kind) + "; --model " + o.model +
                       " cannot continue it (leave --model out to continue the same run)");
    TrainState state;
    TrainConfig saved;
    std::string error;
    if (!checkpoint_to_train_state(file, &state, &saved, &error)) throw Error(o.resume + ": " + error);
    meta = file.meta;
    const MlpSpec enc = state.model.encoder.spec();
    const std::vector<int> saved_hidden(enc.sizes.begin() + 1, enc.sizes.end() - 1);
    const Activation saved_act = enc.acts.size() > 1 ? enc.acts.front() : Activation::tanh;
    const auto value = [&](const char* key) { return meta.count(key) ? meta.at(key) : std::string(); };
    const std::map<std::string, std::string> saved_config = train_config_meta(saved);
    const std::map<std::string, std::string> asked = train_config_meta(config);
    std::vector<std::string> conflicts;
    auto compare = [&](const char* flag, const std::string& wanted, const std::string& have) {
      if (o.given.count(flag) && wanted != have) conflicts.push_back(std::string(flag) + " " + wanted + " (checkpoint: " + have + ")");
    };
    for (const char* key : {"batch", "lr", "milestones", "gamma", "seed", "threads", "noise", "loss", "beta"})
      compare((std::string("--") + key).c_str(), asked.at(key), saved_config.at(key));
    compare("--hidden", join(spec.hidden), join(saved_hidden));
    compare("--latent", std::to_string(spec.latent), std::to_string(state.model.latent()));
    compare("--activation", activation_name(spec.hidden_act), activation_name(saved_act));
    compare("--dataset", o.dataset.name, value("dataset"));
    compare("--limit", std::to_string(o.limit), value("limit"));
    if (!conflicts.empty()) {
      std::string list;
      for (const std::string& c : conflicts) list += (list.empty() ? "" : ", ") + c;
      throw UsageError(o.resume + " was trained with other settings: " + list +
                  "; leave these options out to continue the same run");
    }
    config = saved;
    spec.hidden = saved_hidden;
    spec.latent = state.model.latent();
    spec.kind = state.model.kind;
    spec.hidden_act = saved_act;
    if (value("dataset") == "mnist" || value("dataset") == "fashion") dataset.name = value("dataset");
    limit = std::atoi(value("limit").c_str());
    if (!o.given.count("--epochs") && std::atoi(value("epochs").c_str()) > 0) epochs = std::atoi(value("epochs").c_str());
    resumed = std::move(state);
  }

  Dataset train = load_split(dataset, Split::train);
  Dataset test = load_split(dataset, Split::test);
  if (limit > 0 && limit < train.size()) train.truncate(limit);
  spec.input = train.rows * train.cols;
  const std::string spec_error = mlp_spec_check(encoder_spec(spec));
  if (!spec_error.empty()) throw UsageError("bad architecture: " + spec_error);

  TrainState state = resumed ? std::move(*resumed) : train_state_create(spec, config);
  const std::string config_error = train_config_check(state.model, config);
  if (!config_error.empty()) throw UsageError(config_error);
  std::string error;
  if (resumed) {
    if (state.model.encoder.in_size() != spec.input)
      throw Error(o.resume + ": checkpoint expects " + std::to_string(state.model.encoder.in_size()) +
                  "-pixel images, the data set has " + std::to_string(spec.input));
    std::fprintf(stderr, "resuming from %s after epoch %d\n", o.resume.c_str(), state.epoch);
  }
  const int threads = config.threads;

  for (auto& [key, v] : std::map<std::string, std::string>{
           {"dataset", dataset.name}, {"epochs", std::to_string(epochs)}, {"limit", std::to_string(limit)},
           {"train_images", std::to_string(train.size())}, {"hidden", join(spec.hidden)},
           {"latent", std::to_string(spec.latent)}, {"activation", activation_name(spec.hidden_act)},
           {"latentpad_version", LATENTPAD_VERSION}})
    meta[key] = v;
  if (!meta.count("created")) meta["created"] = now_utc();
  for (auto& [key, v] : train_config_meta(config)) meta[key] = v;
  const TestSignal test_signal = TestSignal::from_env();

  std::signal(SIGINT, on_sigint);
  const bool tty = ::isatty(STDERR_FILENO);
  // train_loss is the objective (per pixel for an autoencoder, per image for a
  // VAE); train_recon and train_kl are its two terms; test_mse is per pixel with
  // z = mu for either kind, so the two kinds compare on one figure.
  std::string log = "epoch,train_loss,test_mse,lr,seconds,train_recon,train_kl\n";
  if (!o.resume.empty()) {
    std::vector<uint8_t> old;
    if (read_file(log_path, &old, &error)) log.assign(old.begin(), old.end());
  }
  const MlpSpec arch = encoder_spec(spec);
  std::string what = join(std::vector<int>(arch.sizes.begin(), arch.sizes.end() - 1)) + "," + std::to_string(spec.latent);
  if (spec.hidden_act != Activation::tanh) what += std::string(" ") + activation_name(spec.hidden_act);
  if (state.model.is_vae())
    what = "a variational autoencoder " + what + " (mu and logvar heads), " + recon_loss_name(config.loss) +
           " + " + fmt_rate(config.beta) + " KL,";
  else if (config.loss != ReconLoss::mse)
    what += std::string(" with ") + recon_loss_name(config.loss) + ",";
  std::fprintf(stderr, "training %s on %d %s images, %zu parameters, %d thread%s\n", what.c_str(), train.size(),
               dataset.name.c_str(), state.model.parameter_count(), threads, threads == 1 ? "" : "s");

  double test_mse = 0.0;
  while (state.epoch < epochs) {
    const auto start = std::chrono::steady_clock::now();
    auto seconds_since_start = [&] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    const EpochResult epoch = train_epoch(state, config, train, [&](const BatchProgress& p) {
      test_signal.maybe_raise(p);
      if (g_interrupted.load()) return false;
      if (!tty || (p.batch % 20 != 0 && p.batch != p.batches)) return true;
      const double elapsed = seconds_since_start();
      const double rate = p.batch * double(config.batch) / elapsed;
      const double eta = (p.batches - p.batch) * double(config.batch) / rate +
                         (epochs - p.epoch - 1) * train.size() / rate;
      std::fprintf(stderr, "\r  epoch %d/%d  batch %d/%d  loss %.5f  %.0f img/s  ETA %.0f s   ", p.epoch + 1,
                   epochs, p.batch, p.batches, p.loss, rate, eta);
      return true;
    });
    if (tty) std::fprintf(stderr, "\r%80s\r", "");
    if (epoch.cancelled) {
      std::fprintf(stderr, "interrupted during epoch %d; ", state.epoch + 1);
      if (file_exists(checkpoint))
        std::fprintf(stderr, "the checkpoint of the last finished epoch is %s (continue with --resume %s)\n",
                     checkpoint.c_str(), checkpoint.c_str());
      else
        std::fprintf(stderr, "no epoch had finished, nothing was saved\n");
      std::exit(130);
    }
    if (!epoch.ok) {
      const std::string kept = file_exists(checkpoint) ? "; the last good checkpoint is kept at " + checkpoint
                                                       : "; no checkpoint was written";
      if (!epoch.diverged) throw Error(epoch.error + kept);
      throw Error(epoch.error + " at learning rate " + fmt_rate(epoch.lr) + "; try a lower --lr, such as " +
                  fmt_rate(epoch.lr / 10) + kept);
    }
    const double seconds = seconds_since_start();
    test_mse = reconstruction_mse(state.model, test, threads);
    if (state.model.is_vae())
      std::printf("epoch %2d/%d  train_loss %.3f (recon %.3f, kl %.3f)  test_mse %.5f  lr %.2e  %.2f s  %.0f img/s\n",
                  state.epoch, epochs, epoch.train_loss, epoch.train_recon, epoch.train_kl, test_mse, epoch.lr, seconds,
                  train.size() / seconds);
    else
      std::printf("epoch %2d/%d  train_loss %.5f  test_mse %.5f  lr %.2e  %.2f s  %.0f img/s\n", state.epoch, epochs,
                  epoch.train_loss, test_mse, epoch.lr, seconds, train.size() / seconds);
    std::fflush(stdout);
    log += std::to_string(state.epoch) + "," + fmt("%.6f", epoch.train_loss) + "," + fmt("%.6f", test_mse) + "," +
           fmt("%g", epoch.lr) + "," + fmt("%.3f", seconds) + "," + fmt("%.6f", epoch.train_recon) + "," +
           fmt("%.6f", epoch.train_kl) + "\n";
    meta["epochs_done"] = std::to_string(state.epoch);
    meta["test_mse"] = fmt("%.6f", test_mse);
    meta["train_loss"] = fmt("%.6f", epoch.train_loss);
    if (!model_file_save(checkpoint, checkpoint_from_train_state(state, config, meta), &error) ||
        !write_file_atomic(log_path, log.data(), log.size(), &error))
      throw Error(error);
  }

  ModelFile final_file;
  final_file.model = state.model;  // its kind too
  final_file.meta = meta;
  if (!model_file_save(o.out, final_file, &error)) throw Error(error);
  struct rusage usage;
  ::getrusage(RUSAGE_SELF, &usage);  // ru_maxrss is in KiB on Linux
  std::printf("saved %s (test_mse %.6f), log %s, checkpoint %s, peak memory %.0f MB\n", o.out.c_str(), test_mse,
              log_path.c_str(), checkpoint.c_str(), usage.ru_maxrss / 1024.0);
}

}  // namespace

void add_train(CLI::App& app) {
  auto o = std::make_shared<TrainOptions>();
  CLI::App* cmd = app.add_subcommand("train", "Train the autoencoder (the tutorial's recipe by default)");
  add_dataset_options(*cmd, o->dataset);
  cmd->add_option("--epochs", o->epochs, "Epochs in total")->capture_default_str();
  cmd->add_option("--batch", o->batch, "Minibatch size")->capture_default_str();
  cmd->add_option("--lr", o->lr, "Adam learning rate")->capture_default_str();
  cmd->add_option("--milestones", o->milestones, "Epochs at which the rate is multiplied by --gamma")->capture_default_str();
  cmd->add_option("--gamma", o->gamma, "Learning-rate decay factor")->capture_default_str();
  cmd->add_option("--model", o->model, "ae (autoencoder) or vae (variational autoencoder)")->capture_default_str();
  cmd->add_option("--latent", o->latent, "Code size (1 to 256)")->capture_default_str();
  cmd->add_option("--hidden", o->hidden, "Encoder hidden sizes (the decoder mirrors them)")->capture_default_str();
  cmd->add_option("--activation", o->activation, "Hidden layers' activation: tanh or relu (the output stays sigmoid)")
      ->capture_default_str();
  cmd->add_option("--loss", o->loss, "Reconstruction loss: mse or bce (binary cross-entropy)")->capture_default_str();
  cmd->add_option("--beta", o->beta, "Weight of the VAE's KL term")->capture_default_str();
  cmd->add_option("--seed", o->seed, "Random seed (initialisation and shuffling)")->capture_default_str();
  cmd->add_option("--threads", o->threads, "Threads for the matrix products [default: all cores]");
  cmd->add_option("--limit", o->limit, "Train on the first N training images only");
  cmd->add_option("--out", o->out, "Weights file to write (also writes <out>.csv and <out>.ckpt) (required)");
  cmd->add_option("--resume", o->resume, "Continue from a checkpoint (.ckpt) written by an earlier run");
  cmd->add_option("--noise", o->noise, "Denoising: corrupt the inputs with gaussian:S or saltpepper:P")
      ->capture_default_str();
  cmd->add_flag("--force", o->force, "Overwrite --out if it exists");
  cmd->callback([o, cmd] {
    for (const CLI::Option* option : cmd->get_options())
      if (option->count() > 0) o->given.insert(option->get_name());
    run_train(*o);
  });
}

}  // namespace lp::cli
