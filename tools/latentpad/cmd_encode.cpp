// latentpad encode: test-set codes as CSV (index,label,z0,z1,...): a VAE's
// posterior means mu, with --logvar also its log-variances (logvar0,...).
// Also the native side of the wasm parity test.
#include <cstdio>
#include <memory>

#include "cli_common.h"

namespace lp::cli {
namespace {

struct EncodeOptions {
  DatasetChoice dataset;
  std::string weights;
  int count = 0;  // 0: all
  bool logvar = false;
};

void run_encode(const EncodeOptions& o) {
  if (o.count < 0) throw UsageError("--count must be non-negative");
  const std::string path = weights_or_shipped(o.weights, o.dataset.name);
  const ModelFile file = load_model(path, ModelParts::encoder);
  const Mlp& encoder = file.model.encoder;
  if (o.logvar && !file.model.is_vae())
    throw UsageError("--logvar needs a variational autoencoder; " + path + " holds an autoencoder, whose codes have no variance");
  const Dataset test = load_split(o.dataset, Split::test);
  if (test.rows * test.cols != encoder.in_size())
    throw Error(path + " expects " + std::to_string(encoder.in_size()) + "-pixel images");
  const int n = o.count == 0 ? test.size() : std::min(o.count, test.size());
  Eigen::MatrixXf logvar;
  const Eigen::MatrixXf codes = encode_images(file.model, test, 0, n, o.logvar ? &logvar : nullptr);
  std::printf("index,label");
  for (int d = 0; d < codes.rows(); ++d) std::printf(",z%d", d);
  for (int d = 0; d < logvar.rows(); ++d) std::printf(",logvar%d", d);
  std::printf("\n");
  for (int i = 0; i < n; ++i) {
    std::printf("%d,%d", i, test.labels[i]);
    for (int d = 0; d < codes.rows(); ++d) std::printf(",%.9g", codes(d, i));
    for (int d = 0; d < logvar.rows(); ++d) std::printf(",%.9g", logvar(d, i));
    std::printf("\n");
  }
}

}  // namespace

void add_encode(CLI::App& app) {
  auto o = std::make_shared<EncodeOptions>();
  CLI::App* cmd = app.add_subcommand("encode", "Codes of the test images as CSV: index,label,z0,z1 (a VAE's mu)");
  add_dataset_options(*cmd, o->dataset);
  cmd->add_option("--weights", o->weights, "Model file [default: the shipped model for --dataset]");
  cmd->add_option("--count", o->count, "Only the first N test images");
  cmd->add_flag("--logvar", o->logvar, "A VAE's log-variance columns too (logvar0,...)");
  cmd->callback([o] { run_encode(*o); });
}

}  // namespace lp::cli
