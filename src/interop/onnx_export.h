// A model as an ONNX graph (opset 13), for ONNX Runtime and every tool that
// reads ONNX. Native only: it is built with Debian's libonnx-dev (the ONNX
// protobuf classes), which the wasm build does not have, so it is its own
// library target (latentpad_onnx) outside the portable interop library.
//
// Every layer is one Gemm (y = x W^T + b, W as stored: [out, in], transB = 1)
// followed by its activation node (Tanh, Relu or Sigmoid; none for identity).
// Tensors are batch-major, [batch, features], with the batch dimension
// dynamic (dim_param "batch"), as PyTorch's Linear layers take them.
//
// The graph depends on what the file holds (ModelFile::parts):
//   both     x [batch, input] -> reconstruction [batch, input]; a VAE decodes
//            its mean (decode(mu), what `latentpad reconstruct` does) and also
//            outputs mu and logvar [batch, L]
//   encoder  x [batch, input] -> code [batch, L]; a VAE: -> mu, logvar [batch, L]
//   decoder  code [batch, L] -> image [batch, input]
// A VAE's [mu; logvar] layer becomes two Gemms, "mu" and "logvar", each with
// half its rows (see onnx_export.cpp for why not one Gemm and a Split).
//
// Initializers (float32, raw little-endian data, bit for bit the model's):
// encoder.<i>.weight / .bias and decoder.<i>.weight / .bias for layer i of
// each half, and mu.weight / mu.bias, logvar.weight / logvar.bias for a VAE's
// heads. The file's metadata (dataset, training settings, ...) becomes the
// model's metadata_props as is, with the structure under latentpad.* keys:
// latentpad.kind ("autoencoder" or "variational autoencoder"), latentpad.part
// ("whole", "encoder" or "decoder"), latentpad.latent (L), latentpad.layers
// ("784-256 tanh-2 tanh | 2-256 tanh-784 sigmoid", a VAE's heads as the one
// layer [mu; logvar], 2L wide, identity).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "formats/model_file.h"

namespace lp {

// The opset the graphs use (Gemm, Tanh, Relu, Sigmoid as of opset 13).
constexpr int kOnnxOpset = 13;

// Serialises `file`'s model (a validated ModelFile: model_file_decode or
// model_file_load checked it) as an ONNX ModelProto. Fails, with one sentence
// in *error, only on a model the graph cannot express (a half the file says it
// holds but is empty, or a VAE whose heads are not one identity layer of even
// width), or if protobuf cannot serialise it (above 2 GB).
bool onnx_encode(const ModelFile& file, std::vector<uint8_t>* out, std::string* error);

// The graph's inputs and outputs in one line, for the CLI to print:
// "x [batch, 784] -> mu [batch, 20], logvar [batch, 20], reconstruction [batch, 784]".
// The error onnx_encode would give, when it would fail.
std::string onnx_signature(const ModelFile& file);

}  // namespace lp
