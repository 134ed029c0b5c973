// latentpad denoise: clean, corrupted and denoised test digits, and the mean
// PSNR over the test set before and after the (denoising) autoencoder.
#include <cstdio>

#include "figures.h"
#include "eval/metrics.h"
#include "data/noise.h"

namespace lp::cli {
namespace {

struct Options {
  DatasetChoice dataset;
  std::string weights, out, noise = "gaussian:0.3";
  int n = 10;
  uint64_t seed = 0;
};

void run(const Options& o) {
  require_option(o.out, "--out");
  NoiseSpec noise;
  std::string error;
  if (!noise_parse(o.noise, &noise, &error)) throw UsageError("--noise: " + error);
  if (o.n < 1 || o.n > 100) throw UsageError("--n must be between 1 and 100");
  const Dataset test = load_split(o.dataset, Split::test);
  const std::string path = weights_or_shipped(o.weights, o.dataset.name, Shipped::denoiser);
  const ModelFile file = load_autoencoder_for(path, test);

  const Eigen::MatrixXf images = test.floats();
  Eigen::MatrixXf noisy = images;
  Rng rng(o.seed, 7);
  noise_apply(noise, noisy.data(), static_cast<size_t>(noisy.size()), rng);
  const Eigen::MatrixXf clean_out = reconstruct(file.model, noisy);
  double before = 0, after = 0;
  const size_t pixels = static_cast<size_t>(images.rows());
  for (int i = 0; i < test.size(); ++i) {
    before += psnr(images.col(i).data(), noisy.col(i).data(), pixels);
    after += psnr(images.col(i).data(), clean_out.col(i).data(), pixels);
  }
  before /= test.size();
  after /= test.size();
  std::printf("noise %s, %d test images\n", noise_name(noise).c_str(), test.size());
  std::printf("psnr_noisy_db %.2f\npsnr_denoised_db %.2f\npsnr_gain_db %.2f\n", before, after, after - before);

  std::vector<DigitCell> clean, corrupted, restored;
  for (int i = 0; i < o.n; ++i) {
    clean.push_back({images.col(i).data(), ""});
    char title[32];
    std::snprintf(title, sizeof title, "%.1f dB", psnr(images.col(i).data(), noisy.col(i).data(), pixels));
    corrupted.push_back({noisy.col(i).data(), title});
    std::snprintf(title, sizeof title, "%.1f dB", psnr(images.col(i).data(), clean_out.col(i).data(), pixels));
    restored.push_back({clean_out.col(i).data(), title});
  }
  digit_figure_save(o.out,
                    {{"Clean", clean},
                     {"Corrupted (" + noise_name(noise) + ", PSNR)", corrupted},
                     {"Denoised by the autoencoder (PSNR)", restored}},
                    std::min(o.n, 10), test.rows, 3);
}

}  // namespace

void add_denoise(CLI::App& app) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("denoise", "Clean, noisy and denoised digits (PNG) and mean PSNR before and after");
  add_dataset_options(*cmd, o->dataset);
  cmd->add_option("--weights", o->weights, "Autoencoder [default: the shipped denoising model for --dataset]");
  cmd->add_option("--noise", o->noise, "gaussian:S or saltpepper:P")->capture_default_str();
  cmd->add_option("--n", o->n, "Digits in the figure")->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of the noise")->capture_default_str();
  cmd->add_option("--out", o->out, "PNG file to write (required)");
  cmd->callback([o] { run(*o); });
}

}  // namespace lp::cli
