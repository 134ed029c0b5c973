// latentpad finetune: the tutorial's first use of an autoencoder. With only N
// labelled training images, a classifier built on the pretrained encoder is
// compared with the same classifier trained from random initialisation.
#include <cmath>
#include <cstdio>

#include "eval/classifier.h"
#include "cli_common.h"
#include "eval/metrics.h"

namespace lp::cli {
namespace {

struct Options {
  DatasetChoice dataset;
  std::string weights;
  int labels = 100;
  int seeds = 5;
  int epochs = 400;
  int layers = 0;  // encoder layers to keep: 0 = all but the 2-D code layer
};

// Mean and sample standard deviation.
std::pair<double, double> mean_std(const std::vector<double>& v) {
  double mean = 0, var = 0;
  for (double x : v) mean += x;
  mean /= v.size();
  for (double x : v) var += (x - mean) * (x - mean);
  return {mean, v.size() > 1 ? std::sqrt(var / (v.size() - 1)) : 0.0};
}

void run(const Options& o) {
  const Dataset train = load_split(o.dataset, Split::train), test = load_split(o.dataset, Split::test);
  require_ten_classes(train, "training");
  require_ten_classes(test, "test");
  if (o.labels < 10 || o.labels > train.size()) throw UsageError("--labels must be between 10 and the training set size");
  if (o.seeds < 1 || o.seeds > 100) throw UsageError("--seeds must be between 1 and 100");
  if (o.epochs < 1 || o.epochs > 100000) throw UsageError("--epochs must be between 1 and 100000");
  const std::string path = weights_or_shipped(o.weights, o.dataset.name);
  const ModelFile file = load_autoencoder_for(path, train);
  const Mlp& encoder = file.model.encoder;
  const int keep = o.layers == 0 ? static_cast<int>(encoder.layers.size()) - 1 : o.layers;
  if (keep < 1 || keep > static_cast<int>(encoder.layers.size()))
    throw UsageError("--layers must be between 1 and " + std::to_string(encoder.layers.size()));
  Mlp body;
  body.layers.assign(encoder.layers.begin(), encoder.layers.begin() + keep);

  std::printf("%d labelled %s training images, classifier = %s encoder layers (", o.labels, o.dataset.name.c_str(),
              (keep == static_cast<int>(encoder.layers.size()) ? std::string("all") : "the first " + std::to_string(keep)).c_str());
  for (int s : body.spec().sizes) std::printf("%d-", s);
  std::printf("10, softmax), Adam 1e-3, %d epochs, all layers trained\n", o.epochs);
  std::vector<double> pretrained, scratch;
  const Eigen::MatrixXf test_images = test.floats();
  for (int seed = 0; seed < o.seeds; ++seed) {
    // The labelled subset: a seeded random sample of the training set.
    Rng pick(static_cast<uint64_t>(seed), 11);
    std::vector<int> order(train.size());
    for (int i = 0; i < train.size(); ++i) order[i] = i;
    for (int i = 0; i < o.labels; ++i) std::swap(order[i], order[i + pick.below(static_cast<uint32_t>(train.size() - i))]);
    const Dataset subset = dataset_subset(train, std::vector<int>(order.begin(), order.begin() + o.labels));
    const Eigen::MatrixXf x = subset.floats();
    const std::vector<uint8_t>& y = subset.labels;
    ClassifierTraining config;
    config.epochs = o.epochs;
    config.batch = std::min(o.labels, 100);
    double accuracy_of[2];
    for (int variant = 0; variant < 2; ++variant) {
      Rng rng(static_cast<uint64_t>(seed), 12 + variant);
      Mlp start = body;
      if (variant == 1) start = mlp_create(body.spec(), rng);  // same shape, random weights
      Mlp net = classifier_create(start, 10, rng);
      const ClassifierResult trained = classifier_train(net, x, y, config, rng);
      if (trained.diverged) throw Error(trained.error + " (learning rate " + fmt_rate(config.lr) + ")");
      accuracy_of[variant] = accuracy(classifier_predict(net, test_images), test.labels);
    }
    pretrained.push_back(accuracy_of[0]);
    scratch.push_back(accuracy_of[1]);
    std::printf("seed %d: pretrained %.4f  random init %.4f\n", seed, accuracy_of[0], accuracy_of[1]);
  }
  const auto [pm, ps] = mean_std(pretrained);
  const auto [sm, ss] = mean_std(scratch);
  std::printf("\n| initialisation | test accuracy (mean +- std over %d seeds) |\n|---|---|\n", o.seeds);
  std::printf("| pretrained encoder | %.4f +- %.4f |\n| random | %.4f +- %.4f |\n", pm, ps, sm, ss);
  std::printf("gain %.4f = %.1f x the larger std\n", pm - sm, (pm - sm) / std::max({ps, ss, 1e-12}));
}

}  // namespace

void add_finetune(CLI::App& app) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("finetune", "Few-label classification: pretrained encoder vs random initialisation");
  add_dataset_options(*cmd, o->dataset);
  cmd->add_option("--weights", o->weights, "Autoencoder whose encoder is reused [default: the shipped model]");
  cmd->add_option("--labels", o->labels, "Labelled training images")->capture_default_str();
  cmd->add_option("--seeds", o->seeds, "Repetitions (labelled subset and head initialisation)")->capture_default_str();
  cmd->add_option("--epochs", o->epochs, "Training epochs over the labelled images")->capture_default_str();
  cmd->add_option("--layers", o->layers, "Encoder layers to keep [default: all but the 2-D code layer]");
  cmd->callback([o] { run(*o); });
}

}  // namespace lp::cli
