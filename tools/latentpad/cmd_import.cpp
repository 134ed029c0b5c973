// latentpad import: a PyTorch model (torch.save archive or safetensors) to an
// .lpad file, read without Python and without running anything in the file.
#include <cstdio>
#include <memory>

#include "cli_common.h"
#include "interop/model_import.h"

namespace lp::cli {
namespace {

struct ImportOptionsCli {
  std::vector<std::string> files;
  std::string out;
  std::string activations;
};

void run_import(const ImportOptionsCli& o) {
  require_option(o.out, "--out");
  if (o.files.empty() || o.files.size() > 2)
    throw UsageError("import takes one model file, or an encoder and a decoder saved apart");
  ImportOptions options;
  if (!o.activations.empty() && !activation_list_parse(o.activations, &options.activations))
    throw UsageError("--activations: '" + o.activations + "' is not a list of identity, tanh, sigmoid or relu");

  std::vector<std::vector<uint8_t>> bytes(o.files.size());
  std::vector<ImportFile> files;
  std::string error;
  for (size_t i = 0; i < o.files.size(); ++i) {
    if (!read_file(o.files[i], &bytes[i], &error)) throw Error(error);
    files.push_back({o.files[i], bytes[i].data(), bytes[i].size()});
  }
  ModelFile model;
  if (!model_import(files, options, &model, &error)) throw Error(error);
  if (!model_file_save(o.out, model, &error)) throw Error(error);
  std::printf("imported %s: %s", model_kind_name(model.kind), model.meta["source"].c_str());
  std::printf("\nwrote %s (", o.out.c_str());
  const Mlp* halves[] = {model.encoder(), model.decoder()};
  bool first = true;
  for (const Mlp* net : halves) {
    if (!net) continue;
    std::printf("%s%d", first ? "" : " | ", net->in_size());
    for (const Dense& layer : net->layers) std::printf("-%d %s", layer.out_size(), activation_name(layer.act));
    first = false;
  }
  std::printf(")\n");
}

}  // namespace

void add_import(CLI::App& app) {
  auto o = std::make_shared<ImportOptionsCli>();
  CLI::App* cmd = app.add_subcommand(
      "import", "A PyTorch model (.pth from torch.save, or .safetensors) as a LatentPad model file");
  cmd->add_option("files", o->files, "One file, or an encoder and a decoder saved apart")->required();
  cmd->add_option("--out", o->out, "Model file to write (.lpad)");
  cmd->add_option("--activations", o->activations,
                  "For state_dicts: one activation per Linear layer, encoder first, e.g. relu,tanh,relu,sigmoid "
                  "[default: the tutorial's, tanh with a sigmoid output]");
  cmd->callback([o] { run_import(*o); });
}

}  // namespace lp::cli
