// latentpad interpolate: a walk between two codes, decoded digit by digit,
// above the same endpoints blended pixel by pixel. An endpoint is a code
// "X,Y" or a test image "test:INDEX" (encoded by the model).
#include <cstdio>

#include "eval/interpolation.h"
#include "figures.h"
#include "formats/code_text.h"

namespace lp::cli {
namespace {

struct Options {
  DatasetChoice dataset;
  std::string weights, out, from, to;
  int steps = 10;
};

struct Endpoint {
  std::vector<float> code;
  std::vector<float> image;  // the test image, or the decoder's image of the code
  std::string name;
};

Endpoint endpoint(const std::string& text, const char* option, const ModelFile& file, const DatasetChoice& dataset) {
  Endpoint e;
  const Mlp& decoder = file.model.decoder;
  if (text.rfind("test:", 0) == 0) {
    const std::vector<int> index = parse_int_list(text.substr(5), option + 2);
    const Dataset test = load_split(dataset, Split::test);
    if (index.size() != 1 || index[0] >= test.size())
      throw UsageError(std::string(option) + ": " + text + " is not a test image (0 to " +
                       std::to_string(test.size() - 1) + ")");
    if (test.pixel_count() != file.model.encoder.in_size())
      throw Error("the model expects " + std::to_string(file.model.encoder.in_size()) + "-pixel images");
    const Eigen::MatrixXf image = test.floats(index[0], 1);
    e.image.assign(image.data(), image.data() + image.size());
    const Eigen::MatrixXf code = autoencoder_encode(file.model, image);
    e.code.assign(code.data(), code.data() + code.size());
    e.name = text + " (a " + std::to_string(test.labels[index[0]]) + ")";
    return e;
  }
  std::string error;
  if (!code_parse(text, decoder.in_size(), &e.code, &error)) throw UsageError(std::string(option) + ": " + error);
  e.image.resize(decoder.out_size());
  mlp_infer(decoder, e.code.data(), 1, e.image.data());
  e.name = "(" + text + ")";
  return e;
}

void run(const Options& o) {
  require_option(o.from, "--from");
  require_option(o.to, "--to");
  require_option(o.out, "--out");
  if (o.steps < 2 || o.steps > 32) throw UsageError("--steps must be between 2 and 32");
  const std::string path = weights_or_shipped(o.weights, o.dataset.name);
  const ModelFile file = load_model(path, ModelParts::both);
  if (file.parts != ModelParts::both) throw Error(missing_half(path, file.parts, ModelParts::both));
  const Mlp& decoder = file.model.decoder;
  const int side = 28;
  if (decoder.out_size() != side * side) throw Error("interpolate draws 28x28 images");
  const Endpoint a = endpoint(o.from, "--from", file, o.dataset), b = endpoint(o.to, "--to", file, o.dataset);

  const std::vector<float> codes = interpolate_codes(a.code, b.code, o.steps);
  const int dim = decoder.in_size();
  std::vector<float> walk(static_cast<size_t>(o.steps) * decoder.out_size());
  mlp_infer(decoder, codes.data(), o.steps, walk.data());
  const std::vector<float> blend = blend_images(a.image.data(), b.image.data(), decoder.out_size(), o.steps);
  std::vector<DigitCell> walk_cells, blend_cells;
  for (int s = 0; s < o.steps; ++s) {
    char title[48];
    if (dim == 2) std::snprintf(title, sizeof title, "(%.2f,%.2f)", codes[2 * s], codes[2 * s + 1]);
    else std::snprintf(title, sizeof title, "t=%.2f", s / (o.steps - 1.0));
    std::printf("step %d code", s);
    for (int d = 0; d < dim; ++d) std::printf(" %.6f", codes[static_cast<size_t>(s) * dim + d]);
    std::printf("\n");
    walk_cells.push_back({&walk[static_cast<size_t>(s) * decoder.out_size()], title});
    char t[16];
    std::snprintf(t, sizeof t, "t=%.2f", s / (o.steps - 1.0));
    blend_cells.push_back({&blend[static_cast<size_t>(s) * decoder.out_size()], t});
  }
  digit_figure_save(o.out,
                    {{"Through the code space, " + a.name + " to " + b.name, walk_cells},
                     {"The same endpoints blended pixel by pixel", blend_cells}},
                    o.steps, side, 2, 420);
}

}  // namespace

void add_interpolate(CLI::App& app) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "interpolate", "A walk between two codes, decoded, beside the endpoints blended pixel by pixel (PNG)");
  add_dataset_options(*cmd, o->dataset);
  cmd->add_option("--weights", o->weights, "Autoencoder [default: the shipped model for --dataset]");
  cmd->add_option("--from", o->from, "Start: a code X,Y or a test image test:INDEX (required)");
  cmd->add_option("--to", o->to, "End: a code X,Y or a test image test:INDEX (required)");
  cmd->add_option("--steps", o->steps, "Digits in the strip, both ends included")->capture_default_str();
  cmd->add_option("--out", o->out, "PNG file to write (required)");
  cmd->callback([o] { run(*o); });
}

}  // namespace lp::cli
