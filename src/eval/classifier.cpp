#include "eval/classifier.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "nn/adam.h"

namespace lp {

double softmax_cross_entropy(const Eigen::MatrixXf& logits, const uint8_t* labels, Eigen::MatrixXf* dlogits) {
  const Eigen::Index classes = logits.rows(), batch = logits.cols();
  if (dlogits) dlogits->resize(classes, batch);
  double loss = 0.0;
  for (Eigen::Index b = 0; b < batch; ++b) {
    // Shift by the max so exp never overflows.
    const float top = logits.col(b).maxCoeff();
    const Eigen::VectorXf e = (logits.col(b).array() - top).exp().matrix();
    const float sum = e.sum();
    loss += std::log(sum) - (logits(labels[b], b) - top);
    if (dlogits) {
      dlogits->col(b) = e / sum;
      (*dlogits)(labels[b], b) -= 1.0f;
    }
  }
  if (dlogits) *dlogits /= static_cast<float>(batch);
  return loss / static_cast<double>(batch);
}

std::vector<int> argmax_columns(const Eigen::MatrixXf& scores) {
  std::vector<int> out(scores.cols());
  for (Eigen::Index c = 0; c < scores.cols(); ++c) scores.col(c).maxCoeff(&out[c]);
  return out;
}

Mlp classifier_create(const Mlp& body, int classes, Rng& rng) {
  Mlp net = body;
  net.layers.push_back(dense_create(body.out_size(), classes, Activation::identity, rng));
  return net;
}

ClassifierResult classifier_train(Mlp& net, const Eigen::MatrixXf& x, const std::vector<uint8_t>& labels,
                                  const ClassifierTraining& config, Rng& rng) {
  MlpGrad grad = mlp_grad_zeros(net);
  // Layers before `first_trained` stay frozen.
  const size_t first_trained =
      config.trainable > 0 ? net.layers.size() - std::min<size_t>(config.trainable, net.layers.size()) : 0;
  AdamState adam = adam_init(net);
  const int n = static_cast<int>(x.cols());
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  MlpCache cache;
  Eigen::MatrixXf xb, dlogits;
  std::vector<uint8_t> yb;
  ClassifierResult result;
  const double untrained = softmax_cross_entropy(mlp_infer(net, x), labels.data(), nullptr);
  for (int epoch = 0; epoch < config.epochs; ++epoch) {
    double epoch_loss = 0.0;
    for (int i = n - 1; i > 0; --i) std::swap(order[i], order[rng.below(static_cast<uint32_t>(i + 1))]);
    for (int first = 0; first < n; first += config.batch) {
      const int size = std::min(config.batch, n - first);
      xb.resize(x.rows(), size);
      yb.resize(size);
      for (int k = 0; k < size; ++k) {
        xb.col(k) = x.col(order[first + k]);
        yb[k] = labels[order[first + k]];
      }
      mlp_forward(net, xb, cache);
      epoch_loss += softmax_cross_entropy(cache.output(), yb.data(), &dlogits) * size;
      mlp_backward(net, cache, dlogits, grad, nullptr);
      const AdamScalars k = adam_begin_step(adam, config.lr);
      for_each_layer(net, [&](LayerRef ref, Dense& layer) {
        if (ref.index >= first_trained) adam_update_layer(layer, grad[ref.index], adam.m[ref.flat], adam.v[ref.flat], k);
      });
    }
    result.loss = epoch_loss / n;
    if (!(result.loss <= untrained)) {  // NaN included
      result.diverged = true;
      result.error = "classifier training diverged: epoch " + std::to_string(epoch + 1) + "'s mean loss " +
                     std::to_string(result.loss) + " is above the untrained network's " + std::to_string(untrained);
      return result;
    }
  }
  return result;
}

std::vector<int> classifier_predict(const Mlp& net, const Eigen::MatrixXf& x) {
  return argmax_columns(mlp_infer(net, x));
}

std::vector<int> knn_predict(const Eigen::MatrixXf& train, const std::vector<uint8_t>& labels,
                             const Eigen::MatrixXf& test, int k) {
  const Eigen::Index n = train.cols();
  k = static_cast<int>(std::min<Eigen::Index>(k, n));
  const Eigen::VectorXf train_sq = train.colwise().squaredNorm().transpose();
  std::vector<int> predictions(test.cols());
  std::vector<int> index(n);
  constexpr Eigen::Index kChunk = 256;  // test points per distance block (n x 256 floats)
  Eigen::MatrixXf dist;
  for (Eigen::Index first = 0; first < test.cols(); first += kChunk) {
    const Eigen::Index size = std::min(kChunk, test.cols() - first);
    // |a - b|^2 = |a|^2 - 2 a.b + |b|^2; |b|^2 is constant per column, so dropped.
    dist.noalias() = -2.0f * train.transpose() * test.middleCols(first, size);
    dist.colwise() += train_sq;
    for (Eigen::Index c = 0; c < size; ++c) {
      std::iota(index.begin(), index.end(), 0);
      const float* d = dist.col(c).data();
      std::partial_sort(index.begin(), index.begin() + k, index.end(), [&](int a, int b) { return d[a] < d[b]; });
      int votes[256] = {};
      for (int j = 0; j < k; ++j) votes[labels[index[j]]]++;
      int best = labels[index[0]];
      for (int label = 0; label < 256; ++label)
        if (votes[label] > votes[best]) best = label;
      predictions[first + c] = best;
    }
  }
  return predictions;
}

}  // namespace lp
