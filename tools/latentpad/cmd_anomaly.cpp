// latentpad anomaly: reconstruction error as an anomaly score. An autoencoder
// trained on one distribution reconstructs it well and anything else badly:
// scores of inliers and outliers, their AUROC, and a histogram of both.
#include <algorithm>
#include <cstdio>
#include <thread>

#include "figures.h"
#include "eval/metrics.h"
#include "nn/trainer.h"

namespace lp::cli {
namespace {

struct Options {
  std::string inliers = "mnist", outliers = "fashion", weights, out, data, outlier_data;
  int holdout = -1;  // >= 0: train without this class, score it against the rest
  int epochs = 5;
};

void histogram_draw(const std::vector<float>& neg, const std::vector<float>& pos, const std::string& neg_name,
                    const std::string& pos_name, const std::string& title, const std::string& path) {
  std::vector<float> all(neg);
  all.insert(all.end(), pos.begin(), pos.end());
  std::sort(all.begin(), all.end());
  const double hi = std::max(1e-6f, all[static_cast<size_t>(0.995 * (all.size() - 1))]);
  constexpr int kBins = 60;
  auto density = [&](const std::vector<float>& v) {
    std::vector<double> bins(kBins, 0.0);
    for (float s : v) bins[std::min(kBins - 1, static_cast<int>(s / hi * kBins))] += 1.0;
    for (double& b : bins) b /= v.size() * (hi / kBins);
    return bins;
  };
  const std::vector<double> dn = density(neg), dp = density(pos);
  const double top = std::max(*std::max_element(dn.begin(), dn.end()), *std::max_element(dp.begin(), dp.end()));
  const plot::Font& font = figure_font();
  plot::Canvas canvas(900, 560);
  const plot::Axes axes = plot::axes_draw(canvas, font, 90, 80, 770, 390, 0, hi, 0, top * 1.08,
                                          {title, "reconstruction error (per-pixel MSE)", "density", false});
  const plot::Color cn = plot::class_color(0), cp = plot::class_color(3);
  for (int b = 0; b < kBins; ++b) {
    const int x = static_cast<int>(axes.px(hi * b / kBins)), w = static_cast<int>(axes.px(hi * (b + 1) / kBins)) - x;
    for (const auto& [d, c] : {std::pair{dn[b], cn}, std::pair{dp[b], cp}}) {
      const int y = static_cast<int>(axes.py(d));
      for (int yy = y; yy < axes.top + axes.height; ++yy)
        for (int xx = x; xx < x + std::max(1, w); ++xx) canvas.pixel(xx, yy, c, 0.5f);
    }
  }
  plot::legend_draw(canvas, font, 560, 90, {{neg_name + " (" + std::to_string(neg.size()) + ")", cn},
                                            {pos_name + " (" + std::to_string(pos.size()) + ")", cp}});
  figure_save(canvas, path);
  std::printf("wrote %s (%dx%d)\n", path.c_str(), canvas.width(), canvas.height());
}

std::vector<float> scores_of(const Autoencoder& model, const Dataset& images) {
  const Eigen::VectorXf e = reconstruction_errors(model, images);
  return std::vector<float>(e.data(), e.data() + e.size());
}

void run(const Options& o) {
  DatasetChoice in_choice{o.inliers, o.data};
  const Dataset in_test = load_split(in_choice, Split::test);
  std::vector<float> negatives, positives;
  std::string neg_name, pos_name, title;
  if (o.holdout >= 0) {
    if (o.holdout > 9) throw UsageError("--holdout must be a class from 0 to 9");
    if (o.epochs < 1 || o.epochs > 1000) throw UsageError("--epochs must be between 1 and 1000");
    const Dataset train = load_split(in_choice, Split::train);
    require_ten_classes(train, "training");
    std::vector<int> keep;
    for (int i = 0; i < train.size(); ++i)
      if (train.labels[i] != o.holdout) keep.push_back(i);
    const Dataset images = dataset_subset(train, keep);
    TrainConfig config;
    config.threads = cpu_threads();
    TrainState state = train_state_create({images.pixel_count(), {256, 128, 64}, 2}, config);
    std::printf("training without class %d: %zu images, %d epochs\n", o.holdout, keep.size(), o.epochs);
    for (int e = 0; e < o.epochs; ++e) {
      const EpochResult r = train_epoch(state, config, images);
      if (!r.ok) throw Error(r.error + " (learning rate " + fmt_rate(config.schedule.rate(e)) + ")");
      std::printf("  epoch %d train_loss %.5f\n", e + 1, r.train_loss);
    }
    const std::vector<float> all = scores_of(state.model, in_test);
    for (int i = 0; i < in_test.size(); ++i) (in_test.labels[i] == o.holdout ? positives : negatives).push_back(all[i]);
    neg_name = o.inliers + " classes seen in training";
    pos_name = o.inliers + " class " + std::to_string(o.holdout) + " (held out)";
  } else {
    const std::string path = weights_or_shipped(o.weights, o.inliers);
    const ModelFile file = load_autoencoder_for(path, in_test);
    const Dataset out_test = load_split(DatasetChoice{o.outliers, o.outlier_data}, Split::test);
    if (out_test.rows != in_test.rows || out_test.cols != in_test.cols) throw Error("image sizes differ");
    negatives = scores_of(file.model, in_test);
    positives = scores_of(file.model, out_test);
    neg_name = o.inliers + " test (inliers)";
    pos_name = o.outliers + " test (outliers)";
  }
  const double area = auroc(negatives, positives);
  auto mean = [](const std::vector<float>& v) { double s = 0; for (float x : v) s += x; return s / v.size(); };
  std::printf("mean score: %s %.5f, %s %.5f\n", neg_name.c_str(), mean(negatives), pos_name.c_str(), mean(positives));
  std::printf("auroc %.4f\n", area);
  char buf[96];
  std::snprintf(buf, sizeof buf, "Anomaly scores: AUROC %.4f", area);
  if (!o.out.empty()) histogram_draw(negatives, positives, neg_name, pos_name, buf, o.out);
}

}  // namespace

void add_anomaly(CLI::App& app) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("anomaly", "Reconstruction error as an anomaly score: AUROC and a histogram (PNG)");
  cmd->add_option("--inliers", o->inliers, "Data set the model was trained on")
      ->check(CLI::IsMember({"mnist", "fashion"}))->capture_default_str();
  cmd->add_option("--outliers", o->outliers, "Data set scored as anomalous")
      ->check(CLI::IsMember({"mnist", "fashion"}))->capture_default_str();
  cmd->add_option("--data", o->data, "Folder of the inlier data set, or a torchvision root like ./dataset [default: data/<inliers>]");
  cmd->add_option("--outlier-data", o->outlier_data, "Folder of the outlier data set, or a torchvision root [default: data/<outliers>]");
  cmd->add_option("--weights", o->weights, "Autoencoder [default: the shipped model for --inliers]");
  cmd->add_option("--holdout", o->holdout, "Instead: train without this class and score it against the others");
  cmd->add_option("--epochs", o->epochs, "Training epochs for --holdout")->capture_default_str();
  cmd->add_option("--out", o->out, "Histogram PNG to write");
  cmd->callback([o] { run(*o); });
}

}  // namespace lp::cli
