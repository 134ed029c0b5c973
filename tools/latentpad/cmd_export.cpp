// latentpad export: a model for PyTorch (safetensors with the tutorial's
// parameter names, or pytorch/examples' for a VAE of its shape), for ONNX
// Runtime (an ONNX graph, interop/onnx_export.h), or one half of it as its own
// .lpad file.
#include <cstdio>
#include <memory>

#include "cli_common.h"
#include "interop/model_import.h"
#include "interop/onnx_export.h"

namespace lp::cli {
namespace {

struct ExportOptions {
  std::string weights;
  std::string out;
  std::string format;  // lpad | safetensors | onnx; empty: from --out's extension
  std::string part;    // encoder | decoder; empty: all the file holds
};

bool ends_with(const std::string& s, const char* suffix) {
  const std::string t(suffix);
  return s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
}

void run_export(const ExportOptions& o) {
  require_option(o.out, "--out");
  const std::string format = !o.format.empty()                ? o.format
                             : ends_with(o.out, ".safetensors") ? "safetensors"
                             : ends_with(o.out, ".onnx")        ? "onnx"
                                                                : "lpad";
  if (format != "lpad" && format != "safetensors" && format != "onnx")
    throw UsageError("--format must be lpad, safetensors or onnx");
  if (!o.part.empty() && o.part != "encoder" && o.part != "decoder")
    throw UsageError("--part must be encoder or decoder");
  const std::string path = weights_or_shipped(o.weights, "mnist");
  ModelFile file;
  std::string error;
  if (!model_file_load(path, &file, &error)) throw Error(error);

  if (!o.part.empty()) {
    const bool encoder = o.part == "encoder";
    if (!(encoder ? file.encoder() : file.decoder()))
      throw Error(path + " holds only the " + model_parts_name(file.parts) + "; it has no " + o.part);
    file.parts = encoder ? ModelParts::encoder : ModelParts::decoder;
    (encoder ? file.model.decoder : file.model.encoder) = Mlp();
    file.optimizer.reset();  // a half is no training checkpoint
    file.meta["exported_part"] = o.part + " of " + path;
  }
  file.storage = ParamStorage::f32;
  std::vector<uint8_t> bytes;
  if (format == "onnx") {
    if (!onnx_encode(file, &bytes, &error)) throw Error(error);
  } else {
    bytes = format == "safetensors" ? safetensors_encode(model_to_safetensors(file)) : model_file_encode(file);
  }
  if (!write_file_atomic(o.out, bytes, &error)) throw Error(error);
  const std::string what = !file.model.is_vae()              ? model_parts_name(file.parts)
                           : file.parts == ModelParts::both ? model_kind_name(file.model.kind)
                           : std::string("VAE ") + model_parts_name(file.parts);
  std::printf("wrote %s: the %s of %s as %s (%zu bytes)\n", o.out.c_str(), what.c_str(), path.c_str(),
              format.c_str(), bytes.size());
  if (format == "onnx") {
    std::printf("graph: opset %d, %s\n", kOnnxOpset, onnx_signature(file).c_str());
    return;
  }
  if (format != "safetensors") return;
  // Say which PyTorch module the names fit (an autoencoder's are the tutorial's, as always).
  switch (export_names(file)) {
    case ExportNames::tutorial: break;
    case ExportNames::vae_examples:
      std::printf("names: pytorch/examples' VAE (fc1, fc21 mu, fc22 logvar, fc3, fc4)\n");
      if (!examples_activations(file))
        std::printf("note: its activations are not that VAE's (relu, relu, sigmoid output): its forward() would "
                    "run it differently; they are listed in the file's metadata\n");
      break;
    case ExportNames::vae:
      std::printf("names: %s\n", file.parts == ModelParts::decoder ? "decoder.N (an nn.Sequential)"
                                 : file.parts == ModelParts::encoder
                                     ? "encoder.N (an nn.Sequential trunk), mu, logvar"
                                     : "encoder.N (an nn.Sequential trunk), mu, logvar, decoder.N (an nn.Sequential)");
      break;
  }
}

}  // namespace

void add_export(CLI::App& app) {
  auto o = std::make_shared<ExportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "export",
      "A model as safetensors for PyTorch (the tutorial's parameter names), as an ONNX graph, or one half as .lpad");
  cmd->add_option("--weights", o->weights, "Model file [default: the shipped MNIST model]");
  cmd->add_option("--out", o->out, "File to write");
  cmd->add_option("--format", o->format, "lpad, safetensors or onnx [default: from --out's extension]");
  cmd->add_option("--part", o->part, "encoder or decoder: write only that half");
  cmd->callback([o] { run_export(*o); });
}

}  // namespace lp::cli
