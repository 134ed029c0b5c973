// latentpad probe: how much the frozen codes know about the classes, measured
// by k-nearest neighbours and by a linear (softmax) classifier on them.
#include <cstdio>

#include "eval/classifier.h"
#include "cli_common.h"
#include "eval/metrics.h"

namespace lp::cli {
namespace {

struct Options {
  DatasetChoice dataset;
  std::string weights, layer = "code";
  int k = 5;
  int epochs = 20;
};

void run(const Options& o) {
  const Dataset train = load_split(o.dataset, Split::train), test = load_split(o.dataset, Split::test);
  require_ten_classes(train, "training");
  require_ten_classes(test, "test");
  const std::string path = weights_or_shipped(o.weights, o.dataset.name);
  const ModelFile file = load_autoencoder_for(path, train);
  const Mlp& encoder = file.model.encoder;
  Mlp body;
  if (o.layer == "code") {
    body = encoder;
  } else {
    // A hidden width, e.g. "64": the encoder up to the first layer that wide.
    const std::vector<int> width = parse_int_list(o.layer, "layer");
    size_t k = 0;
    while (k < encoder.layers.size() && (width.size() != 1 || encoder.layers[k].out_size() != width[0])) ++k;
    if (k == encoder.layers.size()) throw UsageError("--layer: the encoder has no layer of width " + o.layer);
    body.layers.assign(encoder.layers.begin(), encoder.layers.begin() + k + 1);
  }
  if (o.k < 1 || o.k > 100) throw UsageError("--k must be between 1 and 100");
  // The code is what encode gives (a VAE's mu); a hidden layer, what it outputs.
  const bool code = o.layer == "code";
  const Eigen::MatrixXf f_train = code ? encode_images(file.model, train) : infer_images(body, train);
  const Eigen::MatrixXf f_test = code ? encode_images(file.model, test) : infer_images(body, test);
  const double knn = accuracy(knn_predict(f_train, train.labels, f_test, o.k), test.labels);
  Rng rng(0, 13);
  Mlp linear;
  linear.layers.push_back(dense_create(static_cast<int>(f_train.rows()), 10, Activation::identity, rng));
  ClassifierTraining config;
  config.epochs = o.epochs;
  config.batch = 256;
  const ClassifierResult trained = classifier_train(linear, f_train, train.labels, config, rng);
  if (trained.diverged) throw Error(trained.error);
  const double lin = accuracy(classifier_predict(linear, f_test), test.labels);
  std::printf("features: %s layer, %d dimensions, frozen (%s)\n", o.layer.c_str(), static_cast<int>(f_test.rows()),
              path.c_str());
  std::printf("knn_accuracy %.4f (k=%d, %d training codes)\n", knn, o.k, train.size());
  std::printf("linear_accuracy %.4f (softmax regression, %d epochs)\n", lin, o.epochs);
}

}  // namespace

void add_probe(CLI::App& app) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("probe", "Class information in frozen codes: k-NN and linear test accuracy");
  add_dataset_options(*cmd, o->dataset);
  cmd->add_option("--weights", o->weights, "Autoencoder [default: the shipped model for --dataset]");
  cmd->add_option("--layer", o->layer, "code, or the width of a hidden encoder layer (e.g. 64)")->capture_default_str();
  cmd->add_option("--k", o->k, "Neighbours for k-NN")->capture_default_str();
  cmd->add_option("--epochs", o->epochs, "Epochs of the linear classifier")->capture_default_str();
  cmd->callback([o] { run(*o); });
}

}  // namespace lp::cli
