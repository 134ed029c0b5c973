// latentpad reconstruct: test images above their reconstructions, like the
// tutorial's "Original Images" / "Restructured Image by AE" figures.
#include <cstdio>

#include "figures.h"

namespace lp::cli {
namespace {

struct Options {
  DatasetChoice dataset;
  std::string weights, out;
  int n = 20;
  int first = 0;
};

void run(const Options& o) {
  require_option(o.out, "--out");
  const Dataset test = load_split(o.dataset, Split::test);
  if (o.n < 1 || o.n > 200) throw UsageError("--n must be between 1 and 200");
  if (o.first < 0 || o.first + o.n > test.size()) throw UsageError("--first and --n must select test images that exist");
  const std::string path = weights_or_shipped(o.weights, o.dataset.name);
  const ModelFile file = load_autoencoder_for(path, test);
  const Eigen::MatrixXf images = test.floats(o.first, o.n);
  const Eigen::MatrixXf recon = reconstruct(file.model, images);
  const Eigen::VectorXf errors = reconstruction_errors(file.model, images);

  std::vector<DigitCell> originals, reconstructions;
  double total = 0;
  for (int i = 0; i < o.n; ++i) {
    const double mse = errors(i);
    total += mse;
    std::printf("image %d label %d mse %.6f\n", o.first + i, test.labels[o.first + i], mse);
    originals.push_back({images.col(i).data(), std::to_string(test.labels[o.first + i])});
    char title[32];
    std::snprintf(title, sizeof title, "%.4f", mse);
    reconstructions.push_back({recon.col(i).data(), title});
  }
  std::printf("mean_mse %.6f\n", total / o.n);
  digit_figure_save(o.out, {{"Original images (label)", originals}, {"Reconstructed by the autoencoder (MSE)", reconstructions}},
                    std::min(o.n, 10), test.rows, 3);
}

}  // namespace

void add_reconstruct(CLI::App& app) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("reconstruct", "Test images above their reconstructions (PNG), with per-image MSE");
  add_dataset_options(*cmd, o->dataset);
  cmd->add_option("--weights", o->weights, "Autoencoder [default: the shipped model for --dataset]");
  cmd->add_option("--n", o->n, "How many test images")->capture_default_str();
  cmd->add_option("--first", o->first, "Index of the first test image")->capture_default_str();
  cmd->add_option("--out", o->out, "PNG file to write (required)");
  cmd->callback([o] { run(*o); });
}

}  // namespace lp::cli
