// latentpad eval: mean per-pixel reconstruction MSE over the test set.
#include <cstdio>
#include <memory>

#include "cli_common.h"

namespace lp::cli {
namespace {

struct EvalOptions {
  DatasetChoice dataset;
  std::string weights;
};

void run_eval(const EvalOptions& o) {
  const std::string path = o.weights.empty() ? default_weights(o.dataset.name) : o.weights;
  const ModelFile file = load_model(path, ModelKind::autoencoder);
  if (file.kind != ModelKind::autoencoder) throw Error(path + " is not a full autoencoder");
  const Dataset test = load_split(o.dataset, Split::test);
  if (test.rows * test.cols != file.model.encoder.in_size())
    throw Error(path + " expects " + std::to_string(file.model.encoder.in_size()) + "-pixel images, " +
                o.dataset.name + " has " + std::to_string(test.rows * test.cols));
  std::printf("model %s\n", path.c_str());
  std::printf("images %d\n", test.size());
  std::printf("test_mse %.6f\n", reconstruction_mse(file.model, test.images));
}

}  // namespace

void add_eval(CLI::App& app) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand("eval", "Reconstruction MSE on the test set; last line: test_mse <value>");
  add_dataset_options(*cmd, o->dataset);
  cmd->add_option("--weights", o->weights, "Model file [default: the shipped model for --dataset]");
  cmd->callback([o] { run_eval(*o); });
}

}  // namespace lp::cli
