// The one walk over a model's layers that every per-layer loop shares: the
// optimizer, the trainer's parameter update, the model file's moments and the
// classifier. Order: encoder layers, then decoder layers, each in network
// order, which is PyTorch's parameters() order.
#pragma once
#include <cstddef>

#include "nn/autoencoder.h"

namespace lp {

struct LayerRef {
  int net;       // 0: encoder (or a lone Mlp), 1: decoder
  size_t index;  // layer within its network
  size_t flat;   // position in the walk: the index of the layer's Adam moments
};

// fn(LayerRef, Dense&) for every layer; Model is Mlp or Autoencoder, const or not.
template <class Fn>
void for_each_layer(Mlp& mlp, Fn&& fn) {
  for (size_t k = 0; k < mlp.layers.size(); ++k) fn(LayerRef{0, k, k}, mlp.layers[k]);
}
template <class Fn>
void for_each_layer(const Mlp& mlp, Fn&& fn) {
  for (size_t k = 0; k < mlp.layers.size(); ++k) fn(LayerRef{0, k, k}, mlp.layers[k]);
}
template <class Fn>
void for_each_layer(Autoencoder& model, Fn&& fn) {
  for_each_layer(model.encoder, fn);
  const size_t first = model.encoder.layers.size();
  for_each_layer(model.decoder, [&](LayerRef ref, Dense& layer) { fn(LayerRef{1, ref.index, first + ref.index}, layer); });
}
template <class Fn>
void for_each_layer(const Autoencoder& model, Fn&& fn) {
  for_each_layer(model.encoder, fn);
  const size_t first = model.encoder.layers.size();
  for_each_layer(model.decoder,
                 [&](LayerRef ref, const Dense& layer) { fn(LayerRef{1, ref.index, first + ref.index}, layer); });
}

// The gradient of the layer `ref` names.
inline DenseGrad& layer_grad(AutoencoderGrad& grad, LayerRef ref) {
  return ref.net == 0 ? grad.encoder[ref.index] : grad.decoder[ref.index];
}

}  // namespace lp
