// latentpad plot-loss: training and test curves from a `train` CSV log.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "figures.h"

namespace lp::cli {
namespace {

struct Options {
  std::string log, out;
};

void run(const Options& o) {
  require_option(o.log, "--log");
  require_option(o.out, "--out");
  std::vector<uint8_t> bytes;
  std::string error;
  if (!read_file(o.log, &bytes, &error, 64u << 20)) throw Error(error);
  std::istringstream in(std::string(bytes.begin(), bytes.end()));
  std::string line;
  if (!std::getline(in, line) || line.rfind("epoch,train_loss,test_mse", 0) != 0)
    throw Error(o.log + ": not a latentpad training log (expected the header epoch,train_loss,test_mse,...)");
  std::vector<double> epoch, train, test;
  for (int number = 2; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    double values[3];
    const char* p = line.c_str();
    for (double& v : values) {
      char* end = nullptr;
      v = std::strtod(p, &end);
      if (end == p || (*end != ',' && *end != '\0') || !std::isfinite(v))
        throw Error(o.log + ":" + std::to_string(number) + ": malformed row '" + line + "'");
      p = *end == ',' ? end + 1 : end;
    }
    epoch.push_back(values[0]);
    train.push_back(values[1]);
    test.push_back(values[2]);
  }
  if (epoch.empty()) throw Error(o.log + ": no epochs logged yet");
  double lo = train[0], hi = train[0];
  for (size_t i = 0; i < epoch.size(); ++i) {
    lo = std::min({lo, train[i], test[i]});
    hi = std::max({hi, train[i], test[i]});
  }
  const double pad = std::max(1e-6, (hi - lo) * 0.08);
  const double x1 = epoch.size() > 1 ? epoch.back() : epoch.back() + 1;
  const plot::Font& font = figure_font();
  plot::Canvas canvas(900, 560);
  const plot::Axes axes = plot::axes_draw(canvas, font, 90, 70, 770, 400, epoch.front(), x1, lo - pad, hi + pad,
                                          {"Training curves: " + o.log.substr(o.log.find_last_of('/') + 1), "epoch",
                                           "per-pixel MSE", true});
  const plot::Color train_color = plot::class_color(0), test_color = plot::class_color(1);
  for (size_t i = 0; i < epoch.size(); ++i) {
    if (i > 0) {
      canvas.line(axes.px(epoch[i - 1]), axes.py(train[i - 1]), axes.px(epoch[i]), axes.py(train[i]), train_color, 2.5f);
      canvas.line(axes.px(epoch[i - 1]), axes.py(test[i - 1]), axes.px(epoch[i]), axes.py(test[i]), test_color, 2.5f);
    }
    canvas.disc(axes.px(epoch[i]), axes.py(train[i]), 3.5f, train_color);
    canvas.disc(axes.px(epoch[i]), axes.py(test[i]), 3.5f, test_color);
  }
  plot::legend_draw(canvas, font, 700, 80, {{"train loss", train_color}, {"test MSE", test_color}});
  figure_save(canvas, o.out);
  std::printf("epochs %zu, final train_loss %.6f, test_mse %.6f\nwrote %s (%dx%d)\n", epoch.size(), train.back(),
              test.back(), o.out.c_str(), canvas.width(), canvas.height());
}

}  // namespace

void add_plot_loss(CLI::App& app) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("plot-loss", "Training and test curves from a train log (PNG)");
  cmd->add_option("--log", o->log, "CSV log written by latentpad train (<out>.csv) (required)");
  cmd->add_option("--out", o->out, "PNG file to write (required)");
  cmd->callback([o] { run(*o); });
}

}  // namespace lp::cli
