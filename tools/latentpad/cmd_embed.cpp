// latentpad embed: the test set's 2-D codes, each drawn as its digit in its
// class colour, as the tutorial's embedding figure; optionally as CSV.
#include <cmath>
#include <cstdio>

#include "figures.h"

namespace lp::cli {
namespace {

struct Options {
  DatasetChoice dataset;
  std::string weights, out, csv;
  int count = 0;
};

void run(const Options& o) {
  require_option(o.out, "--out");
  const Dataset test = load_split(o.dataset, Split::test);
  const std::string path = weights_or_shipped(o.weights, o.dataset.name);
  // The encoder is all it needs, so an encoder-only file will do.
  const ModelFile file = load_model(path, ModelParts::encoder);
  if (file.model.encoder.in_size() != test.rows * test.cols)
    throw Error(path + " expects " + std::to_string(file.model.encoder.in_size()) + "-pixel images, the data has " +
                std::to_string(test.rows * test.cols));
  if (file.model.latent() != 2) throw Error("embed draws 2-D codes; this model's codes have " +
                                             std::to_string(file.model.latent()) + " dimensions");
  if (o.count < 0) throw UsageError("--count must be non-negative");
  const int n = o.count == 0 ? test.size() : std::min(o.count, test.size());
  const Eigen::MatrixXf codes = encode_images(file.model, test, 0, n);

  if (!o.csv.empty()) {
    std::string text = "x,y,label\n";
    char line[64];
    for (int i = 0; i < n; ++i) {
      std::snprintf(line, sizeof line, "%.7g,%.7g,%d\n", codes(0, i), codes(1, i), test.labels[i]);
      text += line;
    }
    std::string error;
    if (!write_file_atomic(o.csv, text.data(), text.size(), &error)) throw Error(error);
    std::printf("wrote %s (%d codes)\n", o.csv.c_str(), n);
  }

  // The range comes from the data, padded so labels at the edge stay inside.
  const float x0 = codes.row(0).minCoeff(), x1 = codes.row(0).maxCoeff();
  const float y0 = codes.row(1).minCoeff(), y1 = codes.row(1).maxCoeff();
  const float px = std::max(1e-3f, (x1 - x0) * 0.04f), py = std::max(1e-3f, (y1 - y0) * 0.04f);
  const plot::Font& font = figure_font();
  plot::Canvas canvas(960, 900);
  const bool vae = file.model.is_vae();
  plot::AxesStyle style{"Test-set codes of the " + o.dataset.name + (vae ? " VAE (posterior means, " : " autoencoder (") +
                            std::to_string(n) + " images)",
                        vae ? "mu x" : "code x", vae ? "mu y" : "code y", true};
  const plot::Axes axes = plot::axes_draw(canvas, font, 70, 70, 740, 740, x0 - px, x1 + px, y0 - py, y1 + py, style);
  for (int i = 0; i < n; ++i)
    canvas.text(font, axes.px(codes(0, i)), axes.py(codes(1, i)) + 4, std::to_string(test.labels[i]), 11,
                plot::class_color(test.labels[i]), plot::Align::center, 0.8f);
  std::vector<std::pair<std::string, plot::Color>> legend;
  for (int c = 0; c < 10; ++c) legend.emplace_back(std::to_string(c), plot::class_color(c));
  plot::legend_draw(canvas, font, 830, 70, legend);
  figure_save(canvas, o.out);
  std::printf("range x [%.3f, %.3f] y [%.3f, %.3f]\n", x0, x1, y0, y1);
  std::printf("wrote %s (%dx%d)\n", o.out.c_str(), canvas.width(), canvas.height());
}

}  // namespace

void add_embed(CLI::App& app) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("embed", "The test set's 2-D codes as a labelled scatter (PNG) and CSV");
  add_dataset_options(*cmd, o->dataset);
  cmd->add_option("--weights", o->weights, "Autoencoder [default: the shipped model for --dataset]");
  cmd->add_option("--out", o->out, "PNG file to write (required)");
  cmd->add_option("--csv", o->csv, "Also write x,y,label rows to this CSV file");
  cmd->add_option("--count", o->count, "Only the first N test images [default: all]");
  cmd->callback([o] { run(*o); });
}

}  // namespace lp::cli
