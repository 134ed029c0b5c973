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
  const std::string path = weights_or_shipped(o.weights, o.dataset.name);
  const Dataset test = load_split(o.dataset, Split::test);
  const ModelFile file = load_autoencoder_for(path, test);
  std::printf("model %s\n", path.c_str());
  std::printf("images %d\n", test.size());
  std::printf("test_mse %.6f\n", reconstruction_mse(file.model, test, cpu_threads()));
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
