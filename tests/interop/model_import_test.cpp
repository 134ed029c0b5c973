// From tensors to a model: the tutorial's names out, layer order and
// activations inferred on the way in, and a clear message when the layers are
// no autoencoder LatentPad can run.
#include <catch2/catch.hpp>
#include <algorithm>

#include "base/rng.h"
#include "interop/model_import.h"
#include "interop/pickle_builder.h"
#include "interop/zip_builder.h"

using namespace lp;

namespace {

ModelFile small_model(Activation hidden = Activation::tanh) {
  Rng rng(7);
  AutoencoderSpec spec;
  spec.input = 12;
  spec.hidden = {6, 4};
  spec.latent = 2;
  ModelFile file;
  file.model = autoencoder_create(spec, rng);
  file.model.encoder.layers[0].act = hidden;
  return file;
}

bool import_bytes(const std::vector<uint8_t>& bytes, ModelFile* out, std::string* error,
                  const ImportOptions& options = {}) {
  return model_import({{"m.safetensors", bytes.data(), bytes.size()}}, options, out, error);
}

std::vector<std::string> names_of(const Safetensors& st) {
  std::vector<std::string> names;
  for (const NamedTensor& t : st.tensors) names.push_back(t.name);
  return names;
}

}  // namespace

TEST_CASE("export names the tutorial's parameters, activation modules counted", "[interop][import]") {
  const ModelFile model = small_model();
  const Safetensors st = model_to_safetensors(model);
  CHECK(names_of(st) == std::vector<std::string>{
                            "encoder.encoder.0.weight", "encoder.encoder.0.bias", "encoder.encoder.2.weight",
                            "encoder.encoder.2.bias", "encoder.encoder.4.weight", "encoder.encoder.4.bias",
                            "decoder.decoder.0.weight", "decoder.decoder.0.bias", "decoder.decoder.2.weight",
                            "decoder.decoder.2.bias", "decoder.decoder.4.weight", "decoder.decoder.4.bias"});
  CHECK(st.tensors[0].shape == std::vector<int64_t>{6, 12});  // [out, in] as nn.Linear keeps it
  // Row-major [out][in]: element (1, 2) of W.
  CHECK(st.tensors[0].values[1 * 12 + 2] == model.model.encoder.layers[0].weight(1, 2));
  CHECK(st.metadata.at("latentpad.activations") == "tanh,tanh,tanh,tanh,tanh,sigmoid");
  // Without an activation module, the next Linear's index is one lower.
  const Safetensors identity = model_to_safetensors(small_model(Activation::identity));
  CHECK(identity.tensors[2].name == "encoder.encoder.1.weight");
  ModelFile half = model;
  half.kind = ModelKind::decoder;
  half.model.encoder = Mlp();
  CHECK(model_to_safetensors(half).tensors[0].name == "decoder.0.weight");
}

TEST_CASE("import orders layers by name, whatever the header order", "[interop][import]") {
  ModelFile model = small_model(Activation::relu);
  Safetensors st = model_to_safetensors(model);
  std::reverse(st.tensors.begin(), st.tensors.end());  // decoder first, biases before weights
  ModelFile back;
  std::string error;
  REQUIRE(import_bytes(safetensors_encode(st), &back, &error));
  CHECK(back.kind == ModelKind::autoencoder);
  CHECK(back.model.encoder.spec().sizes == std::vector<int>{12, 6, 4, 2});
  CHECK(back.model.encoder.layers[0].act == Activation::relu);  // from the export's metadata
  CHECK(back.model.encoder.layers[0].weight == model.model.encoder.layers[0].weight);
  CHECK(back.model.decoder.layers[2].bias == model.model.decoder.layers[2].bias);
}

TEST_CASE("tensors without activations get the tutorial's, or the ones asked for", "[interop][import]") {
  Safetensors st = model_to_safetensors(small_model());
  st.metadata.clear();  // as a foreign tool would write them
  ModelFile back;
  std::string error;
  REQUIRE(import_bytes(safetensors_encode(st), &back, &error));
  for (const Dense& layer : back.model.encoder.layers) CHECK(layer.act == Activation::tanh);
  CHECK(back.model.decoder.layers[0].act == Activation::tanh);
  CHECK(back.model.decoder.layers.back().act == Activation::sigmoid);
  ImportOptions options;
  REQUIRE(activation_list_parse("relu,relu,identity,relu,relu,sigmoid", &options.activations));
  REQUIRE(import_bytes(safetensors_encode(st), &back, &error, options));
  CHECK(back.model.encoder.layers[2].act == Activation::identity);
  CHECK(back.model.decoder.layers[0].act == Activation::relu);
  CHECK_FALSE(activation_list_parse("relu,gelu", &options.activations));
}

TEST_CASE("layers that are no autoencoder are refused with what was found", "[interop][import]") {
  ModelFile out;
  std::string error;
  Safetensors same;
  same.tensors.push_back({"layer.weight", {4, 4}, std::vector<float>(16, 0.1f)});
  CHECK_FALSE(import_bytes(safetensors_encode(same), &out, &error));
  CHECK(error == "cannot use m.safetensors: its layers (4-4) are not an autoencoder, an encoder or a decoder: "
                 "no layer is narrower than the input");
  Safetensors gap;
  gap.tensors.push_back({"a.weight", {3, 8}, std::vector<float>(24, 0.1f)});
  gap.tensors.push_back({"b.weight", {2, 4}, std::vector<float>(8, 0.1f)});
  CHECK_FALSE(import_bytes(safetensors_encode(gap), &out, &error));
  CHECK(error == "cannot use m.safetensors: its layers do not chain (a gives 3 values, b takes 4)");
  Safetensors stray;
  stray.tensors.push_back({"bn.running_mean", {3}, {0, 0, 0}});
  CHECK_FALSE(import_bytes(safetensors_encode(stray), &out, &error));
  CHECK(error == "cannot use m.safetensors: it holds bn.running_mean, which is not a Linear layer's weight or bias");
}

TEST_CASE("an encoder and a decoder combine only when their codes match", "[interop][import]") {
  ModelFile enc = small_model(), dec = small_model();
  enc.kind = ModelKind::encoder;
  dec.kind = ModelKind::decoder;
  dec.model.decoder.layers[0].weight = Eigen::MatrixXf::Constant(4, 3, 0.1f);  // takes 3-D codes
  const auto a = safetensors_encode(model_to_safetensors(enc)), b = safetensors_encode(model_to_safetensors(dec));
  ModelFile out;
  std::string error;
  CHECK_FALSE(model_import({{"enc.safetensors", a.data(), a.size()}, {"dec.safetensors", b.data(), b.size()}}, {},
                           &out, &error));
  CHECK_THAT(error, Catch::StartsWith("cannot combine enc.safetensors and dec.safetensors: "));
}

TEST_CASE("a torch module the reader does not know is named", "[interop][import][torch]") {
  // torch.save of a bare nn.Conv2d: NEWOBJ, then BUILD with empty _parameters and _modules.
  test::PickleBuilder p;
  p.global("torch.nn.modules.conv", "Conv2d").op(')').op('\x81').op('}');
  p.mark().text("_parameters").global("collections", "OrderedDict").op(')').op('R');
  p.text("_modules").global("collections", "OrderedDict").op(')').op('R').op('u').op('b').stop();
  const auto bytes = test::ZipBuilder().add("conv/data.pkl", p.data()).add("conv/version", std::string("3\n")).bytes();
  ModelFile out;
  std::string error;
  CHECK_FALSE(model_import({{"conv.pth", bytes.data(), bytes.size()}}, {}, &out, &error));
  CHECK(error == "cannot use conv.pth: it holds a Conv2d at its root, which LatentPad cannot run "
                 "(it runs Linear layers with Tanh, Sigmoid or ReLU)");
  const std::string lpad = "LPADMDL\n and the rest";
  CHECK_FALSE(model_import({{"m.lpad", reinterpret_cast<const uint8_t*>(lpad.data()), lpad.size()}}, {}, &out, &error));
  CHECK(error == "m.lpad is already a LatentPad model file; use it as it is");
}
