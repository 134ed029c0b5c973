// Real torch.save files from Debian's torch 1.13 and the tutorial's own classes
// (tools/reference/make_torch_fixtures.py), small VAEs in the layouts people
// use (tools/reference/make_vae_fixtures.py), and training checkpoints, the
// legacy format and convolutional models (tools/reference/
// make_checkpoint_fixtures.py): the import must run them as PyTorch does, to
// 1e-5. Also the hand-made hostile files (tools/reference/make_hostile_pth.py):
// each is refused, and says why.
#include <catch2/catch.hpp>

#include <zlib.h>

#include "fixture.h"
#include "interop/model_import.h"
#include "interop/zip_archive.h"
#include "interop/zip_builder.h"
#include "nn/mlp.h"

using namespace lp;

namespace {

const std::string kDir = std::string(LATENTPAD_FIXTURES) + "/torch/";

struct Loaded {
  std::vector<std::vector<uint8_t>> bytes;
  std::vector<ImportFile> files;
};

Loaded load(std::initializer_list<const char*> names) {
  Loaded loaded;
  loaded.bytes.reserve(names.size());
  for (const char* name : names) {
    std::string error;
    loaded.bytes.emplace_back();
    REQUIRE(read_file(kDir + name, &loaded.bytes.back(), &error));
    loaded.files.push_back({name, loaded.bytes.back().data(), loaded.bytes.back().size()});
  }
  return loaded;
}

ModelFile import_ok(std::initializer_list<const char*> names, const ImportOptions& options = {}) {
  Loaded loaded = load(names);
  ModelFile model;
  std::string error;
  INFO(error);
  REQUIRE(model_import(loaded.files, options, &model, &error));
  return model;
}

std::string import_error(const char* name) {
  Loaded loaded = load({name});
  ModelFile model;
  std::string error;
  CHECK_FALSE(model_import(loaded.files, {}, &model, &error));
  return error;
}

// Largest |ours - theirs| over a [n, width] row-major fixture tensor.
double max_diff(const std::vector<float>& ours, const FixtureTensor& theirs) {
  REQUIRE(ours.size() == theirs.values.size());
  double worst = 0.0;
  for (size_t i = 0; i < ours.size(); ++i) worst = std::max(worst, std::abs(double(ours[i]) - theirs.values[i]));
  return worst;
}

// Same architecture, activations and parameters, bit for bit.
void require_same_model(const ModelFile& a, const ModelFile& b) {
  for (int net = 0; net < 2; ++net) {
    const Mlp& x = net ? a.model.decoder : a.model.encoder;
    const Mlp& y = net ? b.model.decoder : b.model.encoder;
    REQUIRE(x.layers.size() == y.layers.size());
    for (size_t k = 0; k < x.layers.size(); ++k) {
      CHECK(x.layers[k].weight == y.layers[k].weight);
      CHECK(x.layers[k].bias == y.layers[k].bias);
      CHECK(x.layers[k].act == y.layers[k].act);
    }
  }
}

// Encodes and decodes the fixture's inputs and compares with PyTorch's forward.
void require_forward(const ModelFile& model, std::map<std::string, FixtureTensor>& fx, const std::string& inputs,
                     const std::string& prefix) {
  const FixtureTensor& x = fx.at(inputs);
  const int n = static_cast<int>(x.dims[0]);
  std::vector<float> codes(n * model.model.encoder.out_size()), decoded(n * model.model.decoder.out_size());
  mlp_infer(model.model.encoder, x.values.data(), n, codes.data());
  mlp_infer(model.model.decoder, codes.data(), n, decoded.data());
  CHECK(max_diff(codes, fx.at(prefix + ".codes")) < 1e-5);
  CHECK(max_diff(decoded, fx.at(prefix + ".decoded")) < 1e-5);
}

}  // namespace

TEST_CASE("the tutorial's whole AutoEncoder, saved from a GPU, imports and runs as PyTorch runs it",
          "[interop][torch]") {
  auto fx = load_fixture(kDir + "expected.bin");
  const ModelFile model = import_ok({"autoencoder.pth"});
  CHECK(model.parts == ModelParts::both);
  CHECK(model.model.encoder.spec().sizes == std::vector<int>{784, 256, 128, 64, 2});
  CHECK(model.model.decoder.spec().sizes == std::vector<int>{2, 64, 128, 256, 784});
  CHECK(model.model.encoder.layers.back().act == Activation::tanh);
  CHECK(model.model.decoder.layers.back().act == Activation::sigmoid);
  CHECK(model.meta.at("source") == "autoencoder.pth (torch.save of __main__.AutoEncoder)");
  require_forward(model, fx, "inputs", "ae");
}

TEST_CASE("an encoder and a decoder saved apart make one autoencoder, in either order", "[interop][torch]") {
  auto fx = load_fixture(kDir + "expected.bin");
  require_forward(import_ok({"encoder.pth", "decoder.pth"}), fx, "inputs", "ae");
  require_forward(import_ok({"decoder.pth", "encoder.pth"}), fx, "inputs", "ae");
  const ModelFile encoder = import_ok({"encoder.pth"});
  CHECK(encoder.parts == ModelParts::encoder);
  CHECK(encoder.decoder() == nullptr);
  CHECK(import_ok({"decoder.pth"}).parts == ModelParts::decoder);
}

TEST_CASE("a float16 state_dict takes the tutorial's activations and PyTorch's outputs", "[interop][torch]") {
  auto fx = load_fixture(kDir + "expected.bin");
  const ModelFile model = import_ok({"state_dict_f16.pth"});
  CHECK(model.meta.at("activations") == "the tutorial's (the file has none)");
  require_forward(model, fx, "inputs", "f16");
}

TEST_CASE("a float64 state_dict with ReLU layers needs --activations", "[interop][torch]") {
  auto fx = load_fixture(kDir + "expected.bin");
  ImportOptions relu;
  REQUIRE(activation_list_parse("relu,tanh,relu,sigmoid", &relu.activations));
  require_forward(import_ok({"small_f64_state_dict.pth"}, relu), fx, "small.inputs", "small64");
  // The whole module names its ReLUs itself.
  require_forward(import_ok({"small_module.pth"}), fx, "small.inputs", "small");
  // Without the flag the tutorial's tanh is assumed, and the outputs differ.
  const ModelFile guessed = import_ok({"small_f64_state_dict.pth"});
  CHECK(guessed.model.encoder.layers[0].act == Activation::tanh);
  // The flag overrides a module file's own classes too.
  ImportOptions all_tanh;
  REQUIRE(activation_list_parse("tanh,tanh,tanh,tanh", &all_tanh.activations));
  const ModelFile overridden = import_ok({"small_module.pth"}, all_tanh);
  CHECK(overridden.model.encoder.layers[0].act == Activation::tanh);
  CHECK(overridden.model.decoder.layers[1].act == Activation::tanh);
  CHECK(overridden.meta.at("activations") == "from --activations");
}

TEST_CASE("LatentPad's safetensors export reads back into the same model", "[interop][safetensors]") {
  const ModelFile model = import_ok({"autoencoder.pth"});
  const std::vector<uint8_t> bytes = safetensors_encode(model_to_safetensors(model));
  ModelFile back;
  std::string error;
  REQUIRE(model_import({{"m.safetensors", bytes.data(), bytes.size()}}, {}, &back, &error));
  require_same_model(model, back);
}

TEST_CASE("hostile and broken .pth files are refused, each with its reason", "[interop][torch][hostile]") {
  const std::pair<const char*, const char*> cases[] = {
      {"posix_system.pth", "refusing posix_system.pth: it asks to call posix.system; a model file never needs that"},
      {"os_system.pth", "it asks to call os.system;"},
      {"builtins_eval.pth", "it asks to call builtins.eval;"},
      {"py2_builtin_eval.pth", "it asks to call __builtin__.eval;"},
      {"subprocess_popen.pth", "it asks to call subprocess.Popen;"},
      {"builtins_import.pth", "it asks to call builtins.__import__;"},
      {"builtins_open.pth", "it asks to call builtins.open;"},
      {"reduce_main_class.pth", "it asks to call __main__.AutoEncoder;"},
      {"unknown_opcode.pth", "unknown pickle opcode 0xff at byte 2"},
      {"inst_opcode.pth", "pickle opcode INST, which calls code"},
      {"missing_storage.pth", "its storage 1 is missing from the archive"},
      {"short_storage.pth", "its storage 0 holds 20 bytes, but the pickle says 6 float32 values"},
      {"offset_out_of_range.pth", "tensor encoder.0.bias reaches past the end of its storage 1"},
      {"stride_mismatch.pth", "tensor encoder.0.weight reaches past the end of its storage 0"},
      {"nan_weight.pth", "tensor encoder.0.weight holds NaN"},
      {"inf_weight.pth", "tensor encoder.0.bias holds an infinite value"},
      {"oversize_entry.pth", "entry archive/data/0 claims 4026531840 bytes, over the limit"},
      {"deflate_bomb.pth", "entry archive/data/2 is compressed beyond a sane ratio"},
      {"path_traversal.pth", "entry ../archive/data.pkl has a path outside the archive"},
      {"absolute_path.pth", "entry /tmp/archive/data.pkl has a path outside the archive"},
      {"storage_key_traversal.pth", "has a path outside the archive"},
      {"truncated.pth", "it is not a zip archive"},
      {"legacy_magic_posix_system.pth", "it asks to call posix.system;"},
      {"legacy_object_posix_system.pth", "it asks to call posix.system;"},
      {"legacy_storage_count.pth", "its list of storages names storage 2, which its pickle never uses"},
      {"big_byteorder.pth", "big-endian"},
      {"deep_nesting.pth", "it holds a list, not a model or a state_dict"},
  };
  for (const auto& [name, reason] : cases) {
    const std::string file = std::string("hostile/") + name;
    Loaded loaded = load({file.c_str()});
    loaded.files[0].name = name;
    ModelFile out;
    std::string error;
    INFO(name);
    CHECK_FALSE(model_import(loaded.files, {}, &out, &error));
    CHECK_THAT(error, Catch::Contains(reason));
    CHECK_THAT(error, Catch::StartsWith(std::string("refusing ") + name + ": "));
  }
  // The baseline the hostile files were made from is itself fine.
  const ModelFile baseline = import_ok({"hostile/valid_baseline.pth"});
  CHECK(baseline.parts == ModelParts::encoder);
  // ... and so is its legacy-format twin: the same model.
  const ModelFile legacy = import_ok({"hostile/legacy_baseline.pth"});
  require_same_model(baseline, legacy);
  CHECK(legacy.meta.at("source") == "hostile/legacy_baseline.pth (torch.save of a state_dict, in the legacy format)");
}

// zlib's raw DEFLATE (what `zip` and Python's ZIP_DEFLATED write) of some bytes.
static std::vector<uint8_t> deflate_raw(const uint8_t* data, size_t size, int level) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, level, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) == Z_OK);
  std::vector<uint8_t> out(deflateBound(&z, size));
  z.next_in = const_cast<uint8_t*>(data);
  z.avail_in = static_cast<uInt>(size);
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

TEST_CASE("a torch file re-zipped with deflate imports to the same model", "[interop][torch][inflate]") {
  for (const char* name : {"small_module.pth", "autoencoder.pth"}) {
    for (int level : {1, 6, 9}) {
      Loaded original = load({name});
      ZipArchive zip;
      std::string error;
      REQUIRE(zip_open(original.files[0].data, original.files[0].size, &zip, &error));
      lp::test::ZipBuilder builder;
      for (const ZipEntry& entry : zip.entries) {
        builder.add(entry.name, std::vector<uint8_t>(entry.data, entry.data + entry.size));
        builder.entries.back().method = 8;
        builder.entries.back().written = deflate_raw(entry.data, entry.size, level);
      }
      const std::vector<uint8_t> bytes = builder.bytes();
      ModelFile a, b;
      INFO(name << " at level " << level << ": " << error);
      REQUIRE(model_import(original.files, {}, &a, &error));
      REQUIRE(model_import({{name, bytes.data(), bytes.size()}}, {}, &b, &error));
      require_same_model(a, b);
    }
  }
}

TEST_CASE("extra records of newer torch.save versions are tolerated", "[interop][torch]") {
  // PyTorch 2.x adds <stem>/byteorder and <stem>/.data/serialization_id; a
  // big-endian byteorder is refused (tests/fixtures/torch/hostile/big_byteorder.pth).
  Loaded original = load({"small_module.pth"});
  ZipArchive zip;
  std::string error;
  REQUIRE(zip_open(original.files[0].data, original.files[0].size, &zip, &error));
  lp::test::ZipBuilder builder;
  for (const ZipEntry& entry : zip.entries) builder.add(entry.name, std::vector<uint8_t>(entry.data, entry.data + entry.size));
  builder.add("small_module/byteorder", std::string("little"));
  builder.add("small_module/.data/serialization_id", std::string("1234567890123456789012345678901234567890"));
  const std::vector<uint8_t> bytes = builder.bytes();
  ModelFile a, b;
  REQUIRE(model_import(original.files, {}, &a, &error));
  INFO(error);
  REQUIRE(model_import({{"newer.pth", bytes.data(), bytes.size()}}, {}, &b, &error));
  CHECK(a.model.decoder.layers[1].weight == b.model.decoder.layers[1].weight);
}

// --- Variational autoencoders (tools/reference/make_vae_fixtures.py) ---------

namespace {

// The same model as far as LatentPad runs it: kind, halves, layers, bit for bit.
void require_same_vae(const ModelFile& a, const ModelFile& b) {
  CHECK(a.model.kind == b.model.kind);
  CHECK(a.parts == b.parts);
  require_same_model(a, b);
}

// mu and logvar of the fixture's inputs, and the decoder at mu, against PyTorch's encode() and decode(mu).
void require_vae_forward(const ModelFile& model, std::map<std::string, FixtureTensor>& fx, const std::string& inputs,
                         const std::string& prefix) {
  REQUIRE(model.model.is_vae());
  const FixtureTensor& x = fx.at(inputs);
  const int n = static_cast<int>(x.dims[0]), latent = model.model.latent();
  std::vector<float> mu(n * latent), logvar(n * latent), decoded(n * model.model.decoder.out_size());
  autoencoder_encode(model.model, x.values.data(), n, mu.data(), logvar.data());
  mlp_infer(model.model.decoder, mu.data(), n, decoded.data());
  CHECK(max_diff(mu, fx.at(prefix + ".mu")) < 1e-5);
  CHECK(max_diff(logvar, fx.at(prefix + ".logvar")) < 1e-5);
  CHECK(max_diff(decoded, fx.at(prefix + ".decoded")) < 1e-5);
}

ModelFile round_trip(const ModelFile& model) {
  const std::vector<uint8_t> bytes = safetensors_encode(model_to_safetensors(model));
  ModelFile back;
  std::string error;
  const bool ok = model_import({{"m.safetensors", bytes.data(), bytes.size()}}, {}, &back, &error);
  INFO(error);
  REQUIRE(ok);
  return back;
}

std::vector<std::string> names_of(const Safetensors& st) {
  std::vector<std::string> names;
  for (const NamedTensor& t : st.tensors) names.push_back(t.name);
  return names;
}

}  // namespace

TEST_CASE("pytorch/examples' VAE state_dict imports with its activations and runs as PyTorch runs it",
          "[interop][torch][vae]") {
  auto fx = load_fixture(kDir + "vae_expected.bin");
  const ModelFile model = import_ok({"vae_state_dict.pth"});
  CHECK(model.model.kind == ModelKind::vae);
  CHECK(model.parts == ModelParts::both);
  // fc1, then fc21 and fc22 as one layer [mu; logvar]; fc3, fc4.
  CHECK(model.model.encoder.spec().sizes == std::vector<int>{784, 16, 6});
  CHECK(model.model.decoder.spec().sizes == std::vector<int>{3, 16, 784});
  CHECK(model.model.encoder.spec().acts == std::vector<Activation>{Activation::relu, Activation::identity});
  CHECK(model.model.decoder.spec().acts == std::vector<Activation>{Activation::relu, Activation::sigmoid});
  CHECK(model.meta.at("activations") == "pytorch/examples' VAE's, relu with a sigmoid output (the file has none)");
  CHECK(model.meta.at("vae_heads") == "fc21 (mu) and fc22 (logvar)");
  require_vae_forward(model, fx, "vae.inputs", "vae");
}

TEST_CASE("a whole pytorch/examples VAE module, its activations in forward(), imports like its state_dict",
          "[interop][torch][vae]") {
  auto fx = load_fixture(kDir + "vae_expected.bin");
  const ModelFile model = import_ok({"vae_module.pth"});
  CHECK(model.meta.at("source") == "vae_module.pth (torch.save of __main__.VAE)");
  CHECK(model.model.encoder.spec().sizes == std::vector<int>{784, 8, 4});
  CHECK(model.model.decoder.layers.back().act == Activation::sigmoid);
  require_vae_forward(model, fx, "vae.inputs", "small");
}

TEST_CASE("fc_mu and fc_logvar inside an encoder submodule, as a state_dict and a whole module",
          "[interop][torch][vae]") {
  auto fx = load_fixture(kDir + "vae_expected.bin");
  const ModelFile state = import_ok({"vae_nested_state_dict.pth"});
  CHECK(state.model.encoder.spec().sizes == std::vector<int>{20, 12, 8, 6});
  CHECK(state.meta.at("vae_heads") == "encoder.fc_mu (mu) and encoder.fc_logvar (logvar)");
  require_vae_forward(state, fx, "nested.inputs", "nested");
  // The module's ReLU and Sigmoid modules give its activations, which are the defaults' here.
  const ModelFile module = import_ok({"vae_nested_module.pth"});
  CHECK(module.meta.at("activations") == "from the file");
  require_vae_forward(module, fx, "nested.inputs", "nested");
  require_same_vae(state, module);
}

TEST_CASE("one last encoder layer of twice the code width is a VAE's heads only with --vae-split",
          "[interop][torch][vae]") {
  Loaded loaded = load({"vae_split_state_dict.pth"});
  ModelFile model;
  std::string error;
  CHECK_FALSE(model_import(loaded.files, {}, &model, &error));
  CHECK(error == "cannot use vae_split_state_dict.pth: its layer encoder.4 gives 6 values, but the next, decoder.0, "
                 "takes 3: if encoder.4 is a VAE's mu and logvar heads in one layer (mu's rows first), pass --vae-split");
  ImportOptions split;
  split.vae_split = true;
  const ModelFile imported = import_ok({"vae_split_state_dict.pth"}, split);
  CHECK(imported.meta.at("vae_heads") == "encoder.4 split in halves, mu then logvar (--vae-split)");
  // The same weights as the nested model, whose heads were saved apart.
  require_same_vae(imported, import_ok({"vae_nested_state_dict.pth"}));
  // The tutorial's autoencoder has no such layer.
  Loaded ae = load({"autoencoder.pth"});
  CHECK_FALSE(model_import(ae.files, split, &model, &error));
  CHECK_THAT(error, Catch::StartsWith("cannot use autoencoder.pth: --vae-split finds no layer twice as wide"));
}

TEST_CASE("heads under names LatentPad does not know are named in the refusal, and --vae-heads takes them",
          "[interop][torch][vae]") {
  CHECK(import_error("vae_unknown_heads.pth") ==
        "cannot use vae_unknown_heads.pth: two layers read the same input (z_mean and z_log_var, 8 -> 3 each): this "
        "looks like a VAE's heads, but their names are not ones LatentPad knows: pass --vae-heads z_mean,z_log_var "
        "(the mean's layer first)");
  ImportOptions heads;
  heads.vae_heads = {"z_mean", "z_log_var"};
  const ModelFile model = import_ok({"vae_unknown_heads.pth"}, heads);
  require_same_vae(model, import_ok({"vae_nested_state_dict.pth"}));
  // Given the other way round, mu and logvar swap.
  heads.vae_heads = {"z_log_var", "z_mean"};
  const ModelFile swapped = import_ok({"vae_unknown_heads.pth"}, heads);
  CHECK(swapped.model.encoder.layers.back().weight.topRows(3) == model.model.encoder.layers.back().weight.bottomRows(3));
  // A name the file does not hold.
  Loaded loaded = load({"vae_unknown_heads.pth"});
  ModelFile out;
  std::string error;
  heads.vae_heads = {"z_mean", "z_logvar"};
  CHECK_FALSE(model_import(loaded.files, heads, &out, &error));
  CHECK(error == "cannot use vae_unknown_heads.pth: --vae-heads names z_mean and z_logvar, but it holds only z_mean");
  heads.vae_heads = {"mean", "logvar"};
  CHECK_FALSE(model_import(loaded.files, heads, &out, &error));
  CHECK_THAT(error, Catch::StartsWith("cannot use vae_unknown_heads.pth: --vae-heads names mean and logvar, which it "
                                      "does not hold; its layers are enc.0 (20 -> 12), enc.2 (12 -> 8), z_mean"));
}

TEST_CASE("the flag --activations sets a VAE's activations, its heads counting as one linear layer", "[interop][torch][vae]") {
  ImportOptions tanh;
  REQUIRE(activation_list_parse("tanh,identity,tanh,sigmoid", &tanh.activations));
  const ModelFile model = import_ok({"vae_state_dict.pth"}, tanh);
  CHECK(model.model.encoder.spec().acts == std::vector<Activation>{Activation::tanh, Activation::identity});
  CHECK(model.model.decoder.layers[0].act == Activation::tanh);
  CHECK(model.meta.at("activations") == "from --activations");
  Loaded loaded = load({"vae_state_dict.pth"});
  ModelFile out;
  std::string error;
  ImportOptions five;
  REQUIRE(activation_list_parse("relu,identity,identity,relu,sigmoid", &five.activations));
  CHECK_FALSE(model_import(loaded.files, five, &out, &error));
  CHECK(error == "--activations lists 5 activations, but the Linear layers number 4 (the VAE's mu and logvar heads "
                 "count as one)");
  ImportOptions relu_heads;
  REQUIRE(activation_list_parse("relu,relu,relu,sigmoid", &relu_heads.activations));
  CHECK_FALSE(model_import(loaded.files, relu_heads, &out, &error));
  CHECK_THAT(error, Catch::Contains("mu and logvar heads must be linear, not relu"));
}

TEST_CASE("a VAE exports under pytorch/examples' names when it has that shape, and comes back bit for bit",
          "[interop][safetensors][vae]") {
  const ModelFile model = import_ok({"vae_state_dict.pth"});
  REQUIRE(export_names(model) == ExportNames::vae_examples);
  CHECK(examples_activations(model));
  const Safetensors st = model_to_safetensors(model);
  CHECK(names_of(st) == std::vector<std::string>{"fc1.weight", "fc1.bias", "fc21.weight", "fc21.bias", "fc22.weight",
                                                 "fc22.bias", "fc3.weight", "fc3.bias", "fc4.weight", "fc4.bias"});
  CHECK(st.tensors[2].shape == std::vector<int64_t>{3, 16});
  CHECK(st.tensors[5].shape == std::vector<int64_t>{3});
  // fc22 is the heads' rows 3..5 (logvar), as it was in the file.
  CHECK(st.tensors[4].values[1 * 16 + 2] == model.model.encoder.layers[1].weight(3 + 1, 2));
  CHECK(st.metadata.at("latentpad.model_kind") == "variational autoencoder");
  CHECK(st.metadata.at("latentpad.activations") == "relu,identity,relu,sigmoid");
  require_same_vae(model, round_trip(model));
  // With other activations the names stay, and the metadata keeps the activations.
  ImportOptions tanh;
  REQUIRE(activation_list_parse("tanh,identity,tanh,sigmoid", &tanh.activations));
  const ModelFile other = import_ok({"vae_state_dict.pth"}, tanh);
  CHECK(export_names(other) == ExportNames::vae_examples);
  CHECK_FALSE(examples_activations(other));
  require_same_vae(other, round_trip(other));
}

TEST_CASE("any other VAE exports as encoder.N, mu, logvar, decoder.N, and comes back bit for bit",
          "[interop][safetensors][vae]") {
  const ModelFile model = import_ok({"vae_nested_module.pth"});
  REQUIRE(export_names(model) == ExportNames::vae);
  CHECK(names_of(model_to_safetensors(model)) ==
        std::vector<std::string>{"encoder.0.weight", "encoder.0.bias", "encoder.2.weight", "encoder.2.bias",
                                 "mu.weight", "mu.bias", "logvar.weight", "logvar.bias", "decoder.0.weight",
                                 "decoder.0.bias", "decoder.2.weight", "decoder.2.bias"});
  require_same_vae(model, round_trip(model));
  // One half alone, each way.
  ModelFile encoder = model, decoder = model;
  encoder.parts = ModelParts::encoder;
  encoder.model.decoder = Mlp();
  decoder.parts = ModelParts::decoder;
  decoder.model.encoder = Mlp();
  CHECK(names_of(model_to_safetensors(encoder)).back() == "logvar.bias");
  CHECK(names_of(model_to_safetensors(decoder)).front() == "decoder.0.weight");
  require_same_vae(encoder, round_trip(encoder));
  require_same_vae(decoder, round_trip(decoder));  // a VAE's by the metadata alone
  // The halves, saved apart, make the VAE again, in either order.
  const auto a = safetensors_encode(model_to_safetensors(encoder)), b = safetensors_encode(model_to_safetensors(decoder));
  for (bool swap : {false, true}) {
    std::vector<ImportFile> files = {{"enc.safetensors", a.data(), a.size()}, {"dec.safetensors", b.data(), b.size()}};
    if (swap) std::swap(files[0], files[1]);
    ModelFile both;
    std::string error;
    const bool ok = model_import(files, {}, &both, &error);
    INFO(error);
    REQUIRE(ok);
    require_same_vae(model, both);
  }
}

TEST_CASE("an autoencoder's export is what it always was", "[interop][safetensors][vae]") {
  const ModelFile model = import_ok({"autoencoder.pth"});
  CHECK(export_names(model) == ExportNames::tutorial);
  CHECK(model_to_safetensors(model).metadata.count("latentpad.model_kind") == 0);
}

// --- Training checkpoints, the legacy format, convolutions (make_checkpoint_fixtures.py) ---

namespace {

std::string import_error(std::initializer_list<const char*> names, const ImportOptions& options) {
  Loaded loaded = load(names);
  ModelFile model;
  std::string error;
  CHECK_FALSE(model_import(loaded.files, options, &model, &error));
  return error;
}

ImportOptions with_key(const char* key) {
  ImportOptions options;
  options.key = key;
  return options;
}

}  // namespace

TEST_CASE("the tutorial's training checkpoint gives its model_state_dict, which runs as PyTorch runs it",
          "[interop][torch][ckpt]") {
  // {'epoch', 'model_state_dict', 'optimizer_state_dict', 'loss'} after one Adam step: the optimizer's
  // exp_avg and exp_avg_sq have the weights' shapes, and must not be read as weights.
  auto fx = load_fixture(kDir + "ckpt_expected.bin");
  const ModelFile model = import_ok({"ckpt_tutorial.pth"});
  CHECK(model.parts == ModelParts::both);
  CHECK(model.model.encoder.spec().sizes == std::vector<int>{64, 8, 2});
  CHECK(model.meta.at("source") == "ckpt_tutorial.pth (torch.save of a dict; the state_dict under 'model_state_dict')");
  CHECK(model.meta.at("activations") == "the tutorial's (the file has none)");
  require_forward(model, fx, "inputs", "ae");
  // The whole module saved in a checkpoint gives the same model, its activations its own.
  const ModelFile module = import_ok({"ckpt_module.pth"});
  CHECK(module.meta.at("source") == "ckpt_module.pth (torch.save of a dict; __main__.AutoEncoder under 'model')");
  CHECK(module.meta.at("activations") == "from the file");
  require_same_model(model, module);
}

TEST_CASE("an encoder and a decoder saved as two entries of one checkpoint make one autoencoder",
          "[interop][torch][ckpt]") {
  auto fx = load_fixture(kDir + "ckpt_expected.bin");
  const ModelFile model = import_ok({"ckpt_halves.pth"});
  CHECK(model.parts == ModelParts::both);
  CHECK(model.meta.at("source") == "ckpt_halves.pth (torch.save of a dict; the state_dicts under 'encoder' and 'decoder')");
  require_forward(model, fx, "inputs", "ae");
  // --key takes one half alone.
  const ModelFile decoder = import_ok({"ckpt_halves.pth"}, with_key("decoder"));
  CHECK(decoder.parts == ModelParts::decoder);
}

TEST_CASE("two whole models in a checkpoint are listed, and --key takes either", "[interop][torch][ckpt]") {
  auto fx = load_fixture(kDir + "ckpt_expected.bin");
  CHECK(import_error({"ckpt_ema.pth"}, {}) ==
        "cannot use ckpt_ema.pth: it holds two models, under 'model' (64-8-2-8-64) and 'ema_model' (64-8-2-8-64); "
        "choose one with --key NAME");
  const ModelFile model = import_ok({"ckpt_ema.pth"}, with_key("model"));
  require_forward(model, fx, "inputs", "ae");
  require_same_model(model, import_ok({"ckpt_tutorial.pth"}));
  const ModelFile ema = import_ok({"ckpt_ema.pth"}, with_key("ema_model"));
  CHECK(ema.meta.at("source") == "ckpt_ema.pth (torch.save of a dict; the state_dict under 'ema_model')");
  require_forward(ema, fx, "inputs", "ema");
  CHECK(import_error({"ckpt_ema.pth"}, with_key("optimizer_state_dict")) ==
        "cannot use ckpt_ema.pth: --key optimizer_state_dict: it holds no model under 'optimizer_state_dict'; "
        "it holds models under 'model' and 'ema_model'");
  CHECK(import_error({"autoencoder.pth"}, with_key("model")) ==
        "--key model: autoencoder.pth is not a dict holding models (a checkpoint)");
}

TEST_CASE("a VAE's training checkpoint imports as its state_dict does", "[interop][torch][ckpt][vae]") {
  auto fx = load_fixture(kDir + "ckpt_expected.bin");
  const ModelFile model = import_ok({"ckpt_vae.pth"});
  CHECK(model.model.kind == ModelKind::vae);
  CHECK(model.meta.at("vae_heads") == "fc21 (mu) and fc22 (logvar)");
  CHECK(model.meta.at("source") == "ckpt_vae.pth (torch.save of a dict; the state_dict under 'state_dict')");
  require_vae_forward(model, fx, "inputs", "vae");
}

TEST_CASE("the legacy format: a state_dict, a whole module and a checkpoint run as PyTorch runs them",
          "[interop][torch][legacy]") {
  auto fx = load_fixture(kDir + "ckpt_expected.bin");
  const ModelFile zip = import_ok({"ckpt_tutorial.pth"});
  const ModelFile state = import_ok({"legacy_state_dict.pth"});
  CHECK(state.meta.at("source") == "legacy_state_dict.pth (torch.save of a state_dict, in the legacy format)");
  require_forward(state, fx, "inputs", "ae");
  require_same_model(zip, state);
  const ModelFile module = import_ok({"legacy_module.pth"});
  CHECK(module.meta.at("source") == "legacy_module.pth (torch.save of __main__.AutoEncoder, in the legacy format)");
  CHECK(module.model.decoder.layers.back().act == Activation::sigmoid);
  require_forward(module, fx, "inputs", "ae");
  // 32 storages: the key list's order ("0", "1", "10", ...) is not the pickle's.
  const ModelFile checkpoint = import_ok({"legacy_checkpoint.pth"});
  CHECK(checkpoint.meta.at("source") ==
        "legacy_checkpoint.pth (torch.save of a dict, in the legacy format; the state_dict under 'model_state_dict')");
  require_forward(checkpoint, fx, "inputs", "ae");
  require_same_model(zip, checkpoint);
}

TEST_CASE("truncated and short legacy files are refused, saying what is wrong", "[interop][torch][legacy][hostile]") {
  CHECK(import_error({"legacy_truncated.pth"}, {}) ==
        "refusing legacy_truncated.pth: it is truncated: storage 7 needs 256 bytes, but 246 remain");
  CHECK(import_error({"legacy_short_storage.pth"}, {}) ==
        "refusing legacy_short_storage.pth: its storage 7 holds 63 values, but the pickle says 64 float32 values");
  // Every cut of a real legacy checkpoint is refused, and says why.
  Loaded whole = load({"legacy_checkpoint.pth"});
  for (size_t n = 0; n < whole.files[0].size; n += 7) {
    ModelFile out;
    std::string error;
    INFO(n);
    CHECK_FALSE(model_import({{"cut.pth", whole.files[0].data, n}}, {}, &out, &error));
    CHECK_THAT(error, Catch::StartsWith("refusing cut.pth: "));
  }
}

TEST_CASE("convolutional models are refused, naming their Conv2d", "[interop][torch]") {
  CHECK(import_error({"conv_module.pth"}, {}) ==
        "cannot use conv_module.pth: its module encoder.0 is a torch.nn.Conv2d; LatentPad reads MLPs (Linear layers) only");
  CHECK(import_error({"conv_state_dict.pth"}, {}) ==
        "cannot use conv_state_dict.pth: its tensor encoder.0.weight is 4-D (2x1x3x3), a torch.nn.Conv2d's weight; "
        "LatentPad reads MLPs (Linear layers) only");
}
