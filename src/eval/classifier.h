// Supervised pieces for the tutorial's "uses of an autoencoder": a softmax
// classifier on top of (pretrained or fresh) encoder layers, and k-nearest
// neighbours on frozen codes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "nn/mlp.h"
#include "base/rng.h"

namespace lp {

// Mean softmax cross-entropy of logits [C, B] against labels [B]; writes
// dL/dlogits into dlogits when non-null.
double softmax_cross_entropy(const Eigen::MatrixXf& logits, const uint8_t* labels, Eigen::MatrixXf* dlogits);
// Index of the largest entry of each column.
std::vector<int> argmax_columns(const Eigen::MatrixXf& scores);

// A classifier: `body` (copied from an encoder, or fresh) followed by a new
// linear layer to `classes` logits, initialised like nn.Linear.
Mlp classifier_create(const Mlp& body, int classes, Rng& rng);

struct ClassifierTraining {
  int epochs = 100;
  int batch = 100;   // minibatch size; the last batch may be short
  double lr = 1e-3;  // Adam
  // Train only the last `trainable` layers (0: all). 1 = a linear probe on frozen features.
  int trainable = 0;
};
struct ClassifierResult {
  double loss = 0.0;       // the last epoch's mean cross-entropy
  bool diverged = false;   // an epoch's mean loss ended above the untrained network's
  std::string error;       // says so, when diverged
};
// Trains on x [D, N] with labels [N]. Stops as soon as an epoch diverges (the
// autoencoder trainer's rule: a mean loss above the untrained network's).
ClassifierResult classifier_train(Mlp& net, const Eigen::MatrixXf& x, const std::vector<uint8_t>& labels,
                                  const ClassifierTraining& config, Rng& rng);
std::vector<int> classifier_predict(const Mlp& net, const Eigen::MatrixXf& x);

// Majority vote of the k nearest training points (Euclidean); ties go to the
// nearest neighbour's class. train [D, N], test [D, M].
std::vector<int> knn_predict(const Eigen::MatrixXf& train, const std::vector<uint8_t>& labels,
                             const Eigen::MatrixXf& test, int k);

}  // namespace lp
