// latentpad eval: mean per-pixel reconstruction MSE over the test set; for a
// VAE also its training objective per test image (z sampled) and its KL term.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "cli_common.h"

namespace lp::cli {
namespace {

struct EvalOptions {
  DatasetChoice dataset;
  std::string weights;
  std::string loss;  // empty: as the model was trained (its metadata), else mse
  double beta = -1;  // < 0: as the model was trained, else 1
  uint64_t seed = 0;
};

void run_eval(const EvalOptions& o) {
  const std::string path = weights_or_shipped(o.weights, o.dataset.name);
  const Dataset test = load_split(o.dataset, Split::test);
  const ModelFile file = load_autoencoder_for(path, test);
  std::printf("model %s\n", path.c_str());
  std::printf("images %d\n", test.size());
  if (file.model.is_vae()) {
    // The loss as pytorch/examples reports it: the reconstruction term summed
    // over pixels plus beta KL, z sampled, averaged over the test images.
    TrainConfig config;
    const auto meta = [&](const char* key) { return file.meta.count(key) ? file.meta.at(key) : std::string(); };
    const std::string loss = !o.loss.empty() ? o.loss : !meta("loss").empty() ? meta("loss") : "mse";
    if (!recon_loss_parse(loss, &config.loss)) throw UsageError("--loss must be mse or bce");
    config.beta = o.beta >= 0 ? o.beta : !meta("beta").empty() ? std::strtod(meta("beta").c_str(), nullptr) : 1.0;
    const std::string check = train_config_check(file.model, config);
    if (!check.empty()) throw UsageError(check);
    const StepLoss objective = objective_on_data(file.model, config, test, o.seed);
    std::printf("loss %s + %g KL\n", recon_loss_name(config.loss), config.beta);
    std::printf("test_loss_per_image %.4f\n", objective.loss);
    std::printf("test_kl_per_image %.4f\n", objective.kl);
  }
  std::printf("test_mse %.6f\n", reconstruction_mse(file.model, test, cpu_threads()));
}

}  // namespace

void add_eval(CLI::App& app) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand("eval", "Reconstruction MSE on the test set; last line: test_mse <value>");
  add_dataset_options(*cmd, o->dataset);
  cmd->add_option("--weights", o->weights, "Model file [default: the shipped model for --dataset]");
  cmd->add_option("--loss", o->loss, "A VAE's reconstruction term, mse or bce [default: as it was trained]");
  cmd->add_option("--beta", o->beta, "A VAE's KL weight [default: as it was trained]")
      ->check(CLI::Validator(
          [](std::string& text) {
            char* end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            return *end == '\0' && std::isfinite(v) && v >= 0 ? std::string() : "must be a finite number >= 0";
          },
          "BETA"));
  cmd->add_option("--seed", o->seed, "Seed of a VAE's sampled codes")->capture_default_str();
  cmd->callback([o] { run_eval(*o); });
}

}  // namespace lp::cli
