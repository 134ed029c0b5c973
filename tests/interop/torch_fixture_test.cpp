// Real torch.save files from Debian's torch 1.13 and the tutorial's own classes
// (tools/reference/make_torch_fixtures.py): the import must run them as
// PyTorch does, to 1e-5. Also the hand-made hostile files
// (tools/reference/make_hostile_pth.py): each is refused, and says why.
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
  CHECK(model.kind == ModelKind::autoencoder);
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
  CHECK(encoder.kind == ModelKind::encoder);
  CHECK(encoder.decoder() == nullptr);
  CHECK(import_ok({"decoder.pth"}).kind == ModelKind::decoder);
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
      {"legacy_format.pth", "legacy format"},
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
  CHECK(baseline.kind == ModelKind::encoder);
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
