// The ONNX export, read back with ONNX's own protobuf classes: opset 13, the
// inputs and outputs with their dynamic batch dimension, one Gemm and one
// activation per layer chained in order, initializers bit for bit the model's,
// and the metadata; for an autoencoder, a VAE, and each half of both.
// (tests/cli/onnx_test.sh runs the files in ONNX Runtime and the checker.)
#include <catch2/catch.hpp>
#include <onnx/onnx_pb.h>

#include <cstring>
#include <map>

#include "base/rng.h"
#include "interop/onnx_export.h"

using namespace lp;

namespace {

ModelFile small_model(ModelKind kind) {
  Rng rng(11);
  AutoencoderSpec spec;
  spec.input = 12;
  spec.hidden = {6, 4};
  spec.latent = 3;
  spec.kind = kind;
  spec.hidden_act = kind == ModelKind::vae ? Activation::relu : Activation::tanh;
  ModelFile file;
  file.model = autoencoder_create(spec, rng);
  file.meta["dataset"] = "mnist";
  file.meta["loss"] = "bce";
  return file;
}

ModelFile half_of(ModelFile file, ModelParts part) {
  file.parts = part;
  (part == ModelParts::encoder ? file.model.decoder : file.model.encoder) = Mlp();
  return file;
}

onnx::ModelProto exported(const ModelFile& file) {
  std::vector<uint8_t> bytes;
  std::string error;
  REQUIRE(onnx_encode(file, &bytes, &error));
  onnx::ModelProto model;
  REQUIRE(model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())));
  return model;
}

// "name [batch, 12]" for every input or output, in order.
template <class Values>
std::vector<std::string> values_of(const Values& values) {
  std::vector<std::string> out;
  for (const onnx::ValueInfoProto& v : values) {
    REQUIRE(v.type().tensor_type().elem_type() == onnx::TensorProto::FLOAT);
    const onnx::TensorShapeProto& shape = v.type().tensor_type().shape();
    REQUIRE(shape.dim_size() == 2);
    CHECK(shape.dim(0).dim_param() == "batch");  // dynamic, not a fixed number
    CHECK_FALSE(shape.dim(0).has_dim_value());
    out.push_back(v.name() + " [batch, " + std::to_string(shape.dim(1).dim_value()) + "]");
  }
  return out;
}

std::vector<std::string> ops_of(const onnx::ModelProto& model) {
  std::vector<std::string> ops;
  for (const onnx::NodeProto& node : model.graph().node()) ops.push_back(node.op_type());
  return ops;
}

std::map<std::string, std::string> meta_of(const onnx::ModelProto& model) {
  std::map<std::string, std::string> meta;
  for (const auto& entry : model.metadata_props()) {
    CHECK(meta.count(entry.key()) == 0);  // keys are unique
    meta[entry.key()] = entry.value();
  }
  return meta;
}

// The initializer `name` holds rows [row0, row0 + rows) of W (row-major, as
// [rows, in]) and of b, byte for byte.
void check_layer(const onnx::ModelProto& model, const std::string& name, const Dense& layer, int row0, int rows) {
  const onnx::TensorProto* weight = nullptr;
  const onnx::TensorProto* bias = nullptr;
  for (const onnx::TensorProto& t : model.graph().initializer()) {
    if (t.name() == name + ".weight") weight = &t;
    if (t.name() == name + ".bias") bias = &t;
  }
  INFO(name);
  REQUIRE(weight);
  REQUIRE(bias);
  CHECK(weight->data_type() == onnx::TensorProto::FLOAT);
  CHECK(std::vector<int64_t>(weight->dims().begin(), weight->dims().end()) ==
        std::vector<int64_t>{rows, layer.in_size()});
  CHECK(std::vector<int64_t>(bias->dims().begin(), bias->dims().end()) == std::vector<int64_t>{rows});
  std::vector<float> w;
  for (int r = row0; r < row0 + rows; ++r)
    for (int c = 0; c < layer.in_size(); ++c) w.push_back(layer.weight(r, c));
  REQUIRE(weight->raw_data().size() == w.size() * sizeof(float));
  CHECK(std::memcmp(weight->raw_data().data(), w.data(), w.size() * sizeof(float)) == 0);
  REQUIRE(bias->raw_data().size() == static_cast<size_t>(rows) * sizeof(float));
  CHECK(std::memcmp(bias->raw_data().data(), layer.bias.data() + row0, rows * sizeof(float)) == 0);
}

void check_mlp(const onnx::ModelProto& model, const std::string& prefix, const Mlp& mlp, size_t count) {
  for (size_t i = 0; i < count; ++i)
    check_layer(model, prefix + "." + std::to_string(i), mlp.layers[i], 0, mlp.layers[i].out_size());
}

// Every node reads tensors that a graph input, an initializer or an earlier
// node wrote (the graph is in topological order, as ONNX requires), and each
// Gemm computes x W^T + b.
void check_wiring(const onnx::ModelProto& model) {
  std::map<std::string, int> known;
  for (const auto& v : model.graph().input()) known[v.name()] = 1;
  for (const auto& t : model.graph().initializer()) known[t.name()] = 1;
  for (const onnx::NodeProto& node : model.graph().node()) {
    for (const std::string& in : node.input()) {
      INFO(node.name() << " reads " << in);
      CHECK(known.count(in));
    }
    if (node.op_type() == "Gemm") {
      REQUIRE(node.attribute_size() == 1);
      CHECK(node.attribute(0).name() == "transB");
      CHECK(node.attribute(0).i() == 1);
    }
    for (const std::string& out : node.output()) known[out] = 1;
  }
  for (const auto& v : model.graph().output()) CHECK(known.count(v.name()));
}

void check_header(const onnx::ModelProto& model) {
  CHECK(model.ir_version() == onnx::IR_VERSION);
  REQUIRE(model.opset_import_size() == 1);
  CHECK(model.opset_import(0).domain().empty());
  CHECK(model.opset_import(0).version() == 13);
  CHECK(model.producer_name() == "latentpad");
}

}  // namespace

TEST_CASE("ONNX export of an autoencoder: x -> reconstruction, a Gemm and an activation per layer",
          "[interop][onnx]") {
  const ModelFile file = small_model(ModelKind::autoencoder);
  const onnx::ModelProto model = exported(file);
  check_header(model);
  CHECK(values_of(model.graph().input()) == std::vector<std::string>{"x [batch, 12]"});
  CHECK(values_of(model.graph().output()) == std::vector<std::string>{"reconstruction [batch, 12]"});
  CHECK(ops_of(model) == std::vector<std::string>{"Gemm", "Tanh", "Gemm", "Tanh", "Gemm", "Tanh", "Gemm", "Tanh",
                                                  "Gemm", "Tanh", "Gemm", "Sigmoid"});
  CHECK(model.graph().initializer_size() == 12);
  check_mlp(model, "encoder", file.model.encoder, 3);
  check_mlp(model, "decoder", file.model.decoder, 3);
  check_wiring(model);
  const auto meta = meta_of(model);
  CHECK(meta.at("dataset") == "mnist");
  CHECK(meta.at("loss") == "bce");
  CHECK(meta.at("latentpad.kind") == "autoencoder");
  CHECK(meta.at("latentpad.part") == "whole");
  CHECK(meta.at("latentpad.latent") == "3");
  CHECK(meta.at("latentpad.layers") == "12-6 tanh-4 tanh-3 tanh | 3-4 tanh-6 tanh-12 sigmoid");
  CHECK(onnx_signature(file) == "x [batch, 12] -> reconstruction [batch, 12]");
}

TEST_CASE("ONNX export of an autoencoder's halves: x -> code, code -> image", "[interop][onnx]") {
  const ModelFile file = small_model(ModelKind::autoencoder);
  const ModelFile encoder = half_of(file, ModelParts::encoder);
  const onnx::ModelProto enc = exported(encoder);
  check_header(enc);
  CHECK(values_of(enc.graph().input()) == std::vector<std::string>{"x [batch, 12]"});
  CHECK(values_of(enc.graph().output()) == std::vector<std::string>{"code [batch, 3]"});
  CHECK(ops_of(enc) == std::vector<std::string>{"Gemm", "Tanh", "Gemm", "Tanh", "Gemm", "Tanh"});
  CHECK(enc.graph().initializer_size() == 6);
  check_mlp(enc, "encoder", file.model.encoder, 3);
  check_wiring(enc);
  CHECK(meta_of(enc).at("latentpad.part") == "encoder");
  CHECK(meta_of(enc).at("latentpad.layers") == "12-6 tanh-4 tanh-3 tanh");

  const onnx::ModelProto dec = exported(half_of(file, ModelParts::decoder));
  check_header(dec);
  CHECK(values_of(dec.graph().input()) == std::vector<std::string>{"code [batch, 3]"});
  CHECK(values_of(dec.graph().output()) == std::vector<std::string>{"image [batch, 12]"});
  CHECK(ops_of(dec) == std::vector<std::string>{"Gemm", "Tanh", "Gemm", "Tanh", "Gemm", "Sigmoid"});
  check_mlp(dec, "decoder", file.model.decoder, 3);
  check_wiring(dec);
  const auto meta = meta_of(dec);
  CHECK(meta.at("latentpad.part") == "decoder");
  CHECK(meta.at("latentpad.latent") == "3");
  CHECK(meta.at("dataset") == "mnist");
}

TEST_CASE("ONNX export of a VAE: mu and logvar heads as two Gemms, the reconstruction decodes mu",
          "[interop][onnx]") {
  const ModelFile file = small_model(ModelKind::vae);
  const Dense& heads = file.model.encoder.layers.back();
  REQUIRE(heads.out_size() == 6);
  const onnx::ModelProto model = exported(file);
  check_header(model);
  CHECK(values_of(model.graph().input()) == std::vector<std::string>{"x [batch, 12]"});
  CHECK(values_of(model.graph().output()) ==
        std::vector<std::string>{"mu [batch, 3]", "logvar [batch, 3]", "reconstruction [batch, 12]"});
  // Trunk (2 layers), the two linear heads, then the decoder.
  CHECK(ops_of(model) == std::vector<std::string>{"Gemm", "Relu", "Gemm", "Relu", "Gemm", "Gemm", "Gemm", "Relu",
                                                  "Gemm", "Relu", "Gemm", "Sigmoid"});
  check_mlp(model, "encoder", file.model.encoder, 2);
  check_layer(model, "mu", heads, 0, 3);      // the first L rows are mu's
  check_layer(model, "logvar", heads, 3, 3);  // the last L, logvar's
  check_mlp(model, "decoder", file.model.decoder, 3);
  check_wiring(model);
  // The decoder reads mu, not logvar nor a sample.
  for (const onnx::NodeProto& node : model.graph().node())
    if (node.name() == "decoder.0.gemm") CHECK(node.input(0) == "mu");
  const auto meta = meta_of(model);
  CHECK(meta.at("latentpad.kind") == "variational autoencoder");
  CHECK(meta.at("latentpad.latent") == "3");
  CHECK(meta.at("latentpad.layers") == "12-6 relu-4 relu-6 identity | 3-4 relu-6 relu-12 sigmoid");
}

TEST_CASE("ONNX export of a VAE's halves: x -> mu, logvar; code -> image", "[interop][onnx]") {
  const ModelFile file = small_model(ModelKind::vae);
  const onnx::ModelProto enc = exported(half_of(file, ModelParts::encoder));
  check_header(enc);
  CHECK(values_of(enc.graph().output()) == std::vector<std::string>{"mu [batch, 3]", "logvar [batch, 3]"});
  CHECK(ops_of(enc) == std::vector<std::string>{"Gemm", "Relu", "Gemm", "Relu", "Gemm", "Gemm"});
  CHECK(enc.graph().initializer_size() == 8);
  check_layer(enc, "mu", file.model.encoder.layers.back(), 0, 3);
  check_layer(enc, "logvar", file.model.encoder.layers.back(), 3, 3);
  check_wiring(enc);
  CHECK(onnx_signature(half_of(file, ModelParts::encoder)) ==
        "x [batch, 12] -> mu [batch, 3], logvar [batch, 3]");

  const onnx::ModelProto dec = exported(half_of(file, ModelParts::decoder));
  CHECK(values_of(dec.graph().input()) == std::vector<std::string>{"code [batch, 3]"});
  CHECK(values_of(dec.graph().output()) == std::vector<std::string>{"image [batch, 12]"});
  check_mlp(dec, "decoder", file.model.decoder, 3);
  check_wiring(dec);
}

TEST_CASE("ONNX export of a VAE whose encoder is the heads alone", "[interop][onnx]") {
  ModelFile file = half_of(small_model(ModelKind::vae), ModelParts::encoder);
  file.model.encoder.layers.erase(file.model.encoder.layers.begin(), file.model.encoder.layers.end() - 1);
  const onnx::ModelProto model = exported(file);
  CHECK(ops_of(model) == std::vector<std::string>{"Gemm", "Gemm"});
  for (const onnx::NodeProto& node : model.graph().node()) CHECK(node.input(0) == "x");
  check_wiring(model);
}

TEST_CASE("ONNX export refuses what the graph cannot express", "[interop][onnx]") {
  std::vector<uint8_t> bytes;
  std::string error;
  ModelFile file = small_model(ModelKind::vae);
  file.model.encoder.layers.back().act = Activation::tanh;
  CHECK_FALSE(onnx_encode(file, &bytes, &error));
  CHECK(error == "cannot export to ONNX: a VAE's encoder must end in the linear [mu; logvar] heads");
  ModelFile empty = small_model(ModelKind::autoencoder);
  empty.model.decoder = Mlp();
  CHECK_FALSE(onnx_encode(empty, &bytes, &error));
  CHECK(error == "cannot export to ONNX: the model file says it holds a half that has no layers");
  CHECK(bytes.empty());
}

TEST_CASE("ONNX export keeps the file's metadata, never two entries under one key", "[interop][onnx]") {
  ModelFile file = small_model(ModelKind::autoencoder);
  file.meta["latentpad.kind"] = "something else";  // a stray key of ours in the file's metadata
  file.meta["created"] = "2026-01-02T03:04:05Z";
  const auto meta = meta_of(exported(file));
  CHECK(meta.at("latentpad.kind") == "autoencoder");
  CHECK(meta.at("created") == "2026-01-02T03:04:05Z");
}
