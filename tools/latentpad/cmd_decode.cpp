// latentpad decode: the decoder at one latent point, as 28 lines of 28 numbers.
// The native twin of the demo's window.latentpad.decode(x, y).
#include <cstdio>
#include <memory>

#include "cli_common.h"
#include "formats/code_text.h"

namespace lp::cli {
namespace {

struct DecodeOptions {
  std::string z;
  std::string weights;
  int width = 28;
};

void run_decode(const DecodeOptions& o) {
  require_option(o.z, "--z");
  const std::string path = weights_or_shipped(o.weights, "mnist");
  const ModelFile file = load_model(path, ModelParts::decoder);
  const Mlp& decoder = file.model.decoder;
  std::vector<float> code;
  std::string error;
  if (!code_parse(o.z, decoder.in_size(), &code, &error)) throw UsageError("--z: " + error);
  std::vector<float> pixels(decoder.out_size());
  mlp_infer(decoder, code.data(), 1, pixels.data());
  const int width = decoder.out_size() % o.width == 0 ? o.width : decoder.out_size();
  for (size_t i = 0; i < pixels.size(); ++i)
    std::printf("%.6f%c", pixels[i], (i + 1) % width == 0 ? '\n' : ' ');
}

}  // namespace

void add_decode(CLI::App& app) {
  auto o = std::make_shared<DecodeOptions>();
  CLI::App* cmd = app.add_subcommand("decode", "Decode one latent code to pixels (28 rows of 28 values in [0,1])");
  cmd->add_option("--z", o->z, "The code, e.g. 0.3,-0.5 (required)");
  cmd->add_option("--weights", o->weights, "Model file [default: the shipped MNIST model]");
  cmd->callback([o] { run_decode(*o); });
}

}  // namespace lp::cli
