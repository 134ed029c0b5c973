// latentpad info: what a model file holds.
#include <cstdio>
#include <memory>

#include "cli_common.h"

namespace lp::cli {
namespace {

void print_net(const char* name, const Mlp& mlp) {
  if (mlp.layers.empty()) return;
  std::printf("%-8s %d", name, mlp.in_size());
  for (const Dense& layer : mlp.layers) std::printf(" -> %d %s", layer.out_size(), activation_name(layer.act));
  std::printf("  (%zu parameters)\n", mlp.parameter_count());
}

void run_info(const std::string& weights) {
  const std::string path = weights_or_shipped(weights, "mnist");
  ModelFile file;
  std::string error;
  if (!model_file_load(path, &file, &error)) throw Error(error);
  std::printf("file     %s\n", path.c_str());
  // Both halves: the model's kind; one half: which, and of what kind of model.
  std::string kind = file.parts == ModelParts::both ? model_kind_name(file.model.kind) : model_parts_name(file.parts);
  if (file.parts != ModelParts::both && file.model.is_vae()) kind += " of a variational autoencoder";
  std::printf("kind     %s%s\n", kind.c_str(), file.optimizer ? " (training checkpoint)" : "");
  std::printf("latent   %d%s\n", file.model.latent(), file.model.is_vae() ? " (heads mu and logvar)" : "");
  std::printf("storage  %s\n", file.storage == ParamStorage::f16 ? "float16" : "float32");
  print_net("encoder", file.model.encoder);
  print_net("decoder", file.model.decoder);
  std::printf("params   %zu\n", file.model.parameter_count());
  for (const auto& [key, value] : file.meta) std::printf("meta     %s = %s\n", key.c_str(), value.c_str());
}

}  // namespace

void add_info(CLI::App& app) {
  auto weights = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("info", "Architecture, parameter count and training metadata of a model");
  cmd->add_option("--weights", *weights, "Model file [default: the shipped MNIST model]");
  cmd->callback([weights] { run_info(*weights); });
}

}  // namespace lp::cli
