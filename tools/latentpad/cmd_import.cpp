// latentpad import: a PyTorch model (a torch.save file, zip or legacy, or
// safetensors) to an .lpad file, read without Python and without running
// anything in the file. A training checkpoint dict gives the model it holds;
// the output line says under which key.
// Autoencoders and MLP VAEs (interop/model_import.h says which layouts); what
// was guessed (activations a file does not hold, which layers are a VAE's
// heads) is printed, as the user must be able to check it.
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
  std::string vae_heads;
  bool vae_split = false;
  std::string key;
};

// "variational autoencoder", or "VAE encoder" for one half.
std::string what_was_imported(const ModelFile& model) {
  if (!model.model.is_vae()) return model_parts_name(model.parts);
  if (model.parts == ModelParts::both) return model_kind_name(model.model.kind);
  return std::string("VAE ") + model_parts_name(model.parts);
}

void run_import(const ImportOptionsCli& o) {
  require_option(o.out, "--out");
  if (o.files.empty() || o.files.size() > 2)
    throw UsageError("import takes one model file, or an encoder and a decoder saved apart");
  ImportOptions options;
  if (!o.activations.empty() && !activation_list_parse(o.activations, &options.activations))
    throw UsageError("--activations: '" + o.activations + "' is not a list of identity, tanh, sigmoid or relu");
  if (!o.vae_heads.empty()) {
    const size_t comma = o.vae_heads.find(',');
    if (comma == std::string::npos || comma == 0 || comma + 1 == o.vae_heads.size() ||
        o.vae_heads.find(',', comma + 1) != std::string::npos)
      throw UsageError("--vae-heads: '" + o.vae_heads + "' is not two layer names MU,LOGVAR");
    options.vae_heads = {o.vae_heads.substr(0, comma), o.vae_heads.substr(comma + 1)};
    if (options.vae_heads[0] == options.vae_heads[1]) throw UsageError("--vae-heads names one layer twice");
    if (o.vae_split) throw UsageError("--vae-heads and --vae-split exclude each other");
  }
  options.vae_split = o.vae_split;
  options.key = o.key;

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
  std::printf("imported %s: %s", what_was_imported(model).c_str(), model.meta["source"].c_str());
  if (model.meta.count("vae_heads")) std::printf("; heads %s", model.meta["vae_heads"].c_str());
  // Assumed activations are a guess the user should know about.
  if (model.meta["activations"].find("(the file has none)") != std::string::npos)
    std::printf("; activations: %s; --activations sets others", model.meta["activations"].c_str());
  std::printf("\nwrote %s (", o.out.c_str());
  const Mlp* halves[] = {model.encoder(), model.decoder()};
  bool first = true;
  for (const Mlp* net : halves) {
    if (!net) continue;
    std::printf("%s%d", first ? "" : " | ", net->in_size());
    for (const Dense& layer : net->layers) {
      if (model.model.is_vae() && net == model.encoder() && &layer == &net->layers.back())
        std::printf("-(mu %d, logvar %d)", layer.out_size() / 2, layer.out_size() / 2);
      else
        std::printf("-%d %s", layer.out_size(), activation_name(layer.act));
    }
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
                  "[default: the tutorial's, tanh with a sigmoid output; for a VAE pytorch/examples', relu with a "
                  "sigmoid output]. A VAE's mu and logvar heads count as one layer, identity");
  cmd->add_option("--vae-heads", o->vae_heads,
                  "MU,LOGVAR: the layer names of a VAE's two heads as the file has them (e.g. enc.mean,enc.logvar), "
                  "for names LatentPad does not recognise");
  cmd->add_flag("--vae-split", o->vae_split,
                "The encoder's last layer is a VAE's mu and logvar heads in one, twice the code width: mu's rows first");
  cmd->add_option("--key", o->key,
                  "For a checkpoint dict holding several models (e.g. model and ema_model): the key of the one to "
                  "import, as the refusal lists them (nested dicts: outer.inner)");
  cmd->callback([o] { run_import(*o); });
}

}  // namespace lp::cli
