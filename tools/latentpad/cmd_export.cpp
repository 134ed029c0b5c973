// latentpad export: a model for PyTorch (safetensors with the tutorial's
// parameter names) or one half of it as its own .lpad file.
#include <cstdio>
#include <memory>

#include "cli_common.h"
#include "interop/model_import.h"

namespace lp::cli {
namespace {

struct ExportOptions {
  std::string weights;
  std::string out;
  std::string format;  // lpad | safetensors; empty: from --out's extension
  std::string part;    // encoder | decoder; empty: all the file holds
};

bool ends_with(const std::string& s, const char* suffix) {
  const std::string t(suffix);
  return s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
}

void run_export(const ExportOptions& o) {
  require_option(o.out, "--out");
  const std::string format = !o.format.empty() ? o.format : ends_with(o.out, ".safetensors") ? "safetensors" : "lpad";
  if (format != "lpad" && format != "safetensors") throw UsageError("--format must be lpad or safetensors");
  if (!o.part.empty() && o.part != "encoder" && o.part != "decoder")
    throw UsageError("--part must be encoder or decoder");
  const std::string path = weights_or_shipped(o.weights, "mnist");
  ModelFile file;
  std::string error;
  if (!model_file_load(path, &file, &error)) throw Error(error);

  if (!o.part.empty()) {
    const bool encoder = o.part == "encoder";
    if (!(encoder ? file.encoder() : file.decoder()))
      throw Error(path + " holds only the " + model_kind_name(file.kind) + "; it has no " + o.part);
    file.kind = encoder ? ModelKind::encoder : ModelKind::decoder;
    (encoder ? file.model.decoder : file.model.encoder) = Mlp();
    file.optimizer.reset();  // a half is no training checkpoint
    file.meta["exported_part"] = o.part + " of " + path;
  }
  file.storage = ParamStorage::f32;
  const std::vector<uint8_t> bytes =
      format == "safetensors" ? safetensors_encode(model_to_safetensors(file)) : model_file_encode(file);
  if (!write_file_atomic(o.out, bytes, &error)) throw Error(error);
  std::printf("wrote %s: the %s of %s as %s (%zu bytes)\n", o.out.c_str(), model_kind_name(file.kind), path.c_str(),
              format.c_str(), bytes.size());
}

}  // namespace

void add_export(CLI::App& app) {
  auto o = std::make_shared<ExportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "export", "A model as safetensors for PyTorch (the tutorial's parameter names), or one half as .lpad");
  cmd->add_option("--weights", o->weights, "Model file [default: the shipped MNIST model]");
  cmd->add_option("--out", o->out, "File to write");
  cmd->add_option("--format", o->format, "lpad or safetensors [default: from --out's extension]");
  cmd->add_option("--part", o->part, "encoder or decoder: write only that half");
  cmd->callback([o] { run_export(*o); });
}

}  // namespace lp::cli
