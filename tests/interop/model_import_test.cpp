// From tensors to a model: the tutorial's names out, layer order and
// activations inferred on the way in, and a clear message when the layers are
// no autoencoder LatentPad can run. VAEs: heads found by their names or the
// options, and every export read back bit for bit.
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
  half.parts = ModelParts::decoder;
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
  CHECK(back.parts == ModelParts::both);
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
  enc.parts = ModelParts::encoder;
  dec.parts = ModelParts::decoder;
  dec.model.decoder.layers[0].weight = Eigen::MatrixXf::Constant(4, 3, 0.1f);  // takes 3-D codes
  const auto a = safetensors_encode(model_to_safetensors(enc)), b = safetensors_encode(model_to_safetensors(dec));
  ModelFile out;
  std::string error;
  CHECK_FALSE(model_import({{"enc.safetensors", a.data(), a.size()}, {"dec.safetensors", b.data(), b.size()}}, {},
                           &out, &error));
  CHECK_THAT(error, Catch::StartsWith("cannot combine enc.safetensors and dec.safetensors: "));
}

TEST_CASE("a torch module the reader does not know is named; a convolution is called one", "[interop][import][torch]") {
  // torch.save of a bare nn.Conv2d: NEWOBJ, then BUILD with empty _parameters and _modules.
  test::PickleBuilder p;
  p.global("torch.nn.modules.conv", "Conv2d").op(')').op('\x81').op('}');
  p.mark().text("_parameters").global("collections", "OrderedDict").op(')').op('R');
  p.text("_modules").global("collections", "OrderedDict").op(')').op('R').op('u').op('b').stop();
  const auto bytes = test::ZipBuilder().add("conv/data.pkl", p.data()).add("conv/version", std::string("3\n")).bytes();
  ModelFile out;
  std::string error;
  CHECK_FALSE(model_import({{"conv.pth", bytes.data(), bytes.size()}}, {}, &out, &error));
  CHECK(error == "cannot use conv.pth: it holds a torch.nn.Conv2d; LatentPad reads MLPs (Linear layers) only");
  // Other modules LatentPad cannot run are named too.
  test::PickleBuilder bn;
  bn.global("torch.nn.modules.batchnorm", "BatchNorm1d").op(')').op('\x81').op('}');
  bn.mark().text("_parameters").global("collections", "OrderedDict").op(')').op('R');
  bn.text("_modules").global("collections", "OrderedDict").op(')').op('R').op('u').op('b').stop();
  const auto bn_bytes = test::ZipBuilder().add("bn/data.pkl", bn.data()).bytes();
  CHECK_FALSE(model_import({{"bn.pth", bn_bytes.data(), bn_bytes.size()}}, {}, &out, &error));
  CHECK(error == "cannot use bn.pth: it holds a BatchNorm1d at its root, which LatentPad cannot run "
                 "(it runs Linear layers with Tanh, Sigmoid or ReLU)");
  // A state_dict's 3-D to 5-D weights are convolutions' (Conv1d to Conv3d).
  Safetensors st;
  st.tensors.push_back({"features.0.weight", {4, 1, 3}, std::vector<float>(12, 0.5f)});
  st.tensors.push_back({"features.0.bias", {4}, std::vector<float>(4, 0.0f)});
  const auto st_bytes = safetensors_encode(st);
  CHECK_FALSE(model_import({{"c.safetensors", st_bytes.data(), st_bytes.size()}}, {}, &out, &error));
  CHECK(error == "cannot use c.safetensors: its tensor features.0.weight is 3-D (4x1x3), a torch.nn.Conv1d's weight; "
                 "LatentPad reads MLPs (Linear layers) only");
  const std::string lpad = "LPADMDL\n and the rest";
  CHECK_FALSE(model_import({{"m.lpad", reinterpret_cast<const uint8_t*>(lpad.data()), lpad.size()}}, {}, &out, &error));
  CHECK(error == "m.lpad is already a LatentPad model file; use it as it is");
}

// --- Variational autoencoders -----------------------------------------------------

namespace {

// A small VAE: 12-8-6-[mu 3, logvar 3] | 3-6-8-12, ReLU hidden layers.
ModelFile small_vae(std::vector<int> hidden = {8, 6}) {
  Rng rng(11);
  AutoencoderSpec spec;
  spec.input = 12;
  spec.hidden = std::move(hidden);
  spec.latent = 3;
  spec.kind = ModelKind::vae;
  spec.hidden_act = Activation::relu;
  ModelFile file;
  file.model = autoencoder_create(spec, rng);
  return file;
}

// The generic export's tensors renamed ("mu" -> "encoder.fc_mu" ...), with no metadata, as another tool writes them.
Safetensors renamed(const ModelFile& model, const std::map<std::string, std::string>& names) {
  Safetensors st = model_to_safetensors(model);
  st.metadata.clear();
  for (NamedTensor& t : st.tensors) {
    const std::string layer = t.name.substr(0, t.name.rfind('.'));
    if (names.count(layer)) t.name = names.at(layer) + t.name.substr(t.name.rfind('.'));
  }
  return st;
}

void check_same_vae(const ModelFile& a, const ModelFile& b) {
  CHECK(b.model.kind == ModelKind::vae);
  CHECK(a.parts == b.parts);
  REQUIRE(a.model.encoder.layers.size() == b.model.encoder.layers.size());
  REQUIRE(a.model.decoder.layers.size() == b.model.decoder.layers.size());
  for (int net = 0; net < 2; ++net)
    for (size_t k = 0; k < (net ? a.model.decoder : a.model.encoder).layers.size(); ++k) {
      const Dense& x = (net ? a.model.decoder : a.model.encoder).layers[k];
      const Dense& y = (net ? b.model.decoder : b.model.encoder).layers[k];
      CHECK(x.weight == y.weight);
      CHECK(x.bias == y.bias);
      CHECK(x.act == y.act);
    }
}

}  // namespace

TEST_CASE("a VAE's heads are known by the names people give them, in or out of an encoder", "[interop][import][vae]") {
  const ModelFile model = small_vae();
  REQUIRE(export_names(model) == ExportNames::vae);
  const std::vector<std::map<std::string, std::string>> layouts = {
      {{"mu", "fc_mu"}, {"logvar", "fc_logvar"}},
      {{"mu", "fc_mu"}, {"logvar", "fc_var"}},
      {{"mu", "mu"}, {"logvar", "log_var"}},
      {{"mu", "encoder.fc_mu"}, {"logvar", "encoder.fc_logvar"}},
      {{"mu", "encoder.mu"}, {"logvar", "encoder.log_var"}},
      {{"mu", "encoder.fc_mu"}, {"logvar", "encoder.fc_var"}},
      {{"encoder.0", "net.0"}, {"encoder.2", "net.2"}, {"mu", "net.fc_mu"}, {"logvar", "net.fc_logvar"}},
  };
  for (const auto& names : layouts) {
    INFO(names.at("mu"));
    ModelFile back;
    std::string error;
    const bool ok = import_bytes(safetensors_encode(renamed(model, names)), &back, &error);
    INFO(error);
    REQUIRE(ok);
    check_same_vae(model, back);  // relu, linear heads, sigmoid: pytorch/examples' defaults
    CHECK(back.meta.at("vae_heads") == names.at("mu") + " (mu) and " + names.at("logvar") + " (logvar)");
  }
}

TEST_CASE("heads declared away from the trunk are put where the widths say", "[interop][import][vae]") {
  // Sorted by name: a.0 (trunk), b.0 and b.2 (decoder), c.lv and c.mean (heads), so the heads come last.
  const ModelFile model = small_vae({6});
  ImportOptions options;
  options.vae_heads = {"c.mean", "c.lv"};
  ModelFile back;
  std::string error;
  const auto bytes = safetensors_encode(
      renamed(model, {{"fc1", "a.0"}, {"fc21", "c.mean"}, {"fc22", "c.lv"}, {"fc3", "b.0"}, {"fc4", "b.2"}}));
  const bool ok = import_bytes(bytes, &back, &error, options);
  INFO(error);
  REQUIRE(ok);
  check_same_vae(model, back);
}

TEST_CASE("VAEs with a deeper or no trunk, and one half alone, come back from their export", "[interop][import][vae]") {
  for (const std::vector<int>& hidden : {std::vector<int>{}, std::vector<int>{8, 6}, std::vector<int>{6}}) {
    const ModelFile model = small_vae(hidden);
    ModelFile encoder = model;
    encoder.parts = ModelParts::encoder;
    encoder.model.decoder = Mlp();
    for (const ModelFile* m : std::initializer_list<const ModelFile*>{&model, &encoder}) {
      ModelFile back;
      std::string error;
      const bool ok = import_bytes(safetensors_encode(model_to_safetensors(*m)), &back, &error);
      INFO(hidden.size() << " hidden layers, " << model_parts_name(m->parts) << ": " << error);
      REQUIRE(ok);
      check_same_vae(*m, back);
    }
  }
  // One hidden layer each side is pytorch/examples' shape, and takes its names.
  CHECK(export_names(small_vae({6})) == ExportNames::vae_examples);
  CHECK(model_to_safetensors(small_vae({6})).tensors[2].name == "fc21.weight");
  CHECK(export_names(small_vae({})) == ExportNames::vae);
}

TEST_CASE("the flags --vae-heads and --vae-split say what they did not find", "[interop][import][vae]") {
  const ModelFile ae = small_model();
  const auto bytes = safetensors_encode(model_to_safetensors(ae));
  ModelFile out;
  std::string error;
  ImportOptions same;
  same.vae_heads = {"a", "a"};
  CHECK_FALSE(import_bytes(bytes, &out, &error, same));
  CHECK(error == "--vae-heads takes two different layer names, mu's then logvar's");
  ImportOptions split;
  split.vae_split = true;
  CHECK_FALSE(import_bytes(bytes, &out, &error, split));
  CHECK(error == "cannot use m.safetensors: --vae-split finds no layer twice as wide as the decoder's input; its "
                 "layers are encoder.encoder.0 (12 -> 6), encoder.encoder.2 (6 -> 4), encoder.encoder.4 (4 -> 2), "
                 "decoder.decoder.0 (2 -> 4), decoder.decoder.2 (4 -> 6), decoder.decoder.4 (6 -> 12)");
  // A VAE encoder saved alone with its heads in one layer: the last (2 wide, so L = 1).
  Safetensors st = model_to_safetensors(ae);
  st.metadata.clear();
  st.tensors.resize(6);  // the encoder: 12-6-4-2
  ModelFile enc;
  REQUIRE(import_bytes(safetensors_encode(st), &enc, &error, split));
  CHECK(enc.model.kind == ModelKind::vae);
  CHECK(enc.parts == ModelParts::encoder);
  CHECK(enc.model.latent() == 1);
}
