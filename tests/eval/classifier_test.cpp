#include "eval/classifier.h"

#include <catch2/catch.hpp>

#include "gradcheck.h"
#include "eval/metrics.h"

using namespace lp;

TEST_CASE("softmax cross-entropy: value and gradient", "[classifier][gradcheck]") {
  Eigen::MatrixXf logits(3, 2);
  logits << 1.0f, 0.0f, 2.0f, 0.0f, 0.5f, 0.0f;
  const uint8_t labels[2] = {1, 0};
  // Column 2 is uniform over 3 classes: loss log 3.
  const double col1 = -std::log(std::exp(2.0) / (std::exp(1.0) + std::exp(2.0) + std::exp(0.5)));
  CHECK(softmax_cross_entropy(logits, labels, nullptr) == Approx((col1 + std::log(3.0)) / 2));
  Eigen::MatrixXf grad;
  softmax_cross_entropy(logits, labels, &grad);
  test::gradcheck(logits.data(), grad.data(), 6, [&] { return softmax_cross_entropy(logits, labels, nullptr); }, 1e-3,
                  2e-3);
  CHECK(argmax_columns(logits) == std::vector<int>{1, 0});
}

TEST_CASE("a classifier learns a separable problem and k-NN finds neighbours", "[classifier]") {
  // Three blobs in 2-D.
  Rng rng(5);
  const float centres[3][2] = {{-2, 0}, {2, 0}, {0, 2.5f}};
  Eigen::MatrixXf x(2, 300);
  std::vector<uint8_t> y(300);
  for (int i = 0; i < 300; ++i) {
    y[i] = static_cast<uint8_t>(i % 3);
    x(0, i) = centres[y[i]][0] + 0.4f * rng.normal();
    x(1, i) = centres[y[i]][1] + 0.4f * rng.normal();
  }
  Mlp body = mlp_create({{2, 8}, {Activation::tanh}}, rng);
  Mlp net = classifier_create(body, 3, rng);
  CHECK(net.out_size() == 3);
  CHECK(net.layers.back().act == Activation::identity);
  ClassifierTraining config;
  config.epochs = 60;
  config.batch = 32;
  config.lr = 1e-2;
  const ClassifierResult trained = classifier_train(net, x, y, config, rng);
  CHECK_FALSE(trained.diverged);
  CHECK(trained.loss < 0.1);
  CHECK(accuracy(classifier_predict(net, x), y) > 0.97);
  // Frozen body: only the head moves.
  Mlp frozen = classifier_create(body, 3, rng);
  config.trainable = 1;
  classifier_train(frozen, x, y, config, rng);
  CHECK(frozen.layers[0].weight == body.layers[0].weight);

  Eigen::MatrixXf queries(2, 3);
  queries << -2, 2, 0, 0, 0, 2.5f;
  CHECK(knn_predict(x, y, queries, 5) == std::vector<int>{0, 1, 2});
}

TEST_CASE("classifier training stops when an epoch's loss ends above the untrained network's", "[classifier]") {
  Rng rng(21);
  Eigen::MatrixXf x(2, 200);
  std::vector<uint8_t> y(200);
  for (int i = 0; i < 200; ++i) {
    y[i] = static_cast<uint8_t>(i % 2);
    x(0, i) = (y[i] ? 1.0f : -1.0f) + 0.3f * rng.normal();
    x(1, i) = rng.normal();
  }
  Mlp net = classifier_create(mlp_create({{2, 16}, {Activation::tanh}}, rng), 2, rng);
  ClassifierTraining config;
  config.epochs = 5;
  config.batch = 20;
  config.lr = 1e4;  // every step overshoots: logits explode
  const ClassifierResult result = classifier_train(net, x, y, config, rng);
  INFO(result.error);
  CHECK(result.diverged);
  CHECK_THAT(result.error, Catch::StartsWith("classifier training diverged: epoch 1's mean loss"));
}
