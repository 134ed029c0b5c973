// torch_file: tensors are rebuilt from their storage with PyTorch's offset and
// strides, whatever the storage's dtype, and the archive's byte order is
// checked. Checkpoint dicts give their models, never an optimizer's state; the
// legacy format (PyTorch < 1.6) is read with the same rules.
#include <catch2/catch.hpp>
#include <cstring>

#include "formats/half.h"
#include "interop/pickle_builder.h"
#include "interop/torch_file.h"
#include "interop/zip_builder.h"

using namespace lp;

namespace {

template <class T>
std::vector<uint8_t> raw(const std::vector<T>& values) {
  std::vector<uint8_t> out(values.size() * sizeof(T));
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

// {'w': tensor(size, stride, offset) on storage '0' of `type`}
std::vector<uint8_t> archive(const std::string& type, int numel, std::vector<uint8_t> storage, std::vector<int> size,
                             std::vector<int> stride, int offset) {
  test::PickleBuilder p;
  p.global("collections", "OrderedDict").op(')').op('R').mark().text("w");
  p.global("torch._utils", "_rebuild_tensor_v2").mark().storage("0", numel, "cuda:0", type).integer(offset).mark();
  for (int s : size) p.integer(s);
  p.tuple().mark();
  for (int s : stride) p.integer(s);
  p.tuple().op('\x89').global("collections", "OrderedDict").op(')').op('R').tuple().op('R').op('u').stop();
  return test::ZipBuilder().add("saved/data.pkl", p.data()).add("saved/data/0", std::move(storage)).bytes();
}

std::vector<uint8_t> floats(const std::vector<float>& values) { return raw<float>(values); }

// A zip archive around a data.pkl and the float storages it names.
std::vector<uint8_t> zip_of(const test::PickleBuilder& p, const std::vector<std::pair<std::string, std::vector<float>>>& storages) {
  test::ZipBuilder zip;
  zip.add("ckpt/data.pkl", p.data());
  for (const auto& [key, values] : storages) zip.add("ckpt/data/" + key, floats(values));
  return zip.bytes();
}

// --- the legacy format: five pickles, then the storages ---------------------------

const std::string kMagic = std::string("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 14) + ".";
const std::string kVersion = std::string("\x80\x02M\xe9\x03.", 6);  // BININT2 1001

std::string sys_info(bool little = true) {
  test::PickleBuilder p;
  p.op('}').mark().text("protocol_version").integer(1001).text("little_endian").op(little ? '\x88' : '\x89').op('u');
  return p.stop().bytes;
}

std::string key_list(const std::vector<std::string>& keys) {
  test::PickleBuilder p;
  p.op(']').mark();
  for (const std::string& key : keys) p.text(key);
  return p.op('e').stop().bytes;
}

// One storage as torch writes it: an int64 element count (here `count`), then the bytes.
std::string storage_record(int64_t count, const std::vector<float>& values) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((static_cast<uint64_t>(count) >> (8 * i)) & 0xFF);
  const std::vector<uint8_t> bytes = floats(values);
  return out + std::string(bytes.begin(), bytes.end());
}

std::vector<uint8_t> bytes_of(const std::string& text) { return {text.begin(), text.end()}; }

// {'w': 2x3 on storage '1', 'b': 2 on storage '0'}: the pickle names '1' first.
test::PickleBuilder legacy_state_dict() {
  test::PickleBuilder p;
  p.global("collections", "OrderedDict").op(')').op('R').mark();
  p.text("w").tensor("1", 6, {2, 3}, {3, 1}, 0, true);
  p.text("b").tensor("0", 2, {2}, {1}, 0, true);
  return p.op('u').stop();
}
const std::vector<float> kW = {1, 2, 3, 4, 5, 6}, kB = {-1, -2};

// torch sorts the key list ("0" before "1") and writes the storages in its order.
std::string legacy_file(const std::string& object = legacy_state_dict().bytes) {
  return kMagic + kVersion + sys_info() + object + key_list({"0", "1"}) + storage_record(2, kB) + storage_record(6, kW);
}

TorchFile read(const std::vector<uint8_t>& bytes) {
  TorchFile file;
  std::string error;
  const bool ok = torch_file_read(bytes.data(), bytes.size(), &file, &error);
  INFO(error);
  REQUIRE(ok);
  return file;
}

std::string refusal(const std::vector<uint8_t>& bytes) {
  TorchFile file;
  std::string error;
  CHECK_FALSE(torch_file_read(bytes.data(), bytes.size(), &file, &error));
  return error;
}

}  // namespace

TEST_CASE("a strided view with an offset reads the elements PyTorch would", "[interop][torch]") {
  // storage[0..7] = 0..7; w = storage.as_strided((2, 3), (1, 2), 2): w[i][j] = storage[2 + i + 2j]
  const TorchFile file = read(archive("FloatStorage", 8, raw<float>({0, 1, 2, 3, 4, 5, 6, 7}), {2, 3}, {1, 2}, 2));
  REQUIRE(file.models.size() == 1);
  REQUIRE_FALSE(file.checkpoint);
  REQUIRE_FALSE(file.models[0].is_module);
  const auto& state = file.models[0].state;
  REQUIRE(state.size() == 1);
  CHECK(state[0].name == "w");
  CHECK(state[0].shape == std::vector<int64_t>{2, 3});
  CHECK(state[0].values == std::vector<float>{2, 4, 6, 3, 5, 7});
}

TEST_CASE("float16 and float64 storages convert; integer tensors are not weights", "[interop][torch]") {
  const TorchFile half = read(archive("HalfStorage", 2, raw<uint16_t>({float_to_half(0.5f), float_to_half(-3.0f)}),
                                      {2}, {1}, 0));
  CHECK(half.models.at(0).state.at(0).values == std::vector<float>{0.5f, -3.0f});
  const TorchFile dbl = read(archive("DoubleStorage", 3, raw<double>({1.25, -2.5, 1e300}), {2}, {1}, 0));
  CHECK(dbl.models.at(0).state.at(0).values == std::vector<float>{1.25f, -2.5f});  // 1e300 is not part of the view
  TorchFile out;
  std::string error;
  const auto big = archive("DoubleStorage", 1, raw<double>({1e300}), {1}, {1}, 0);
  CHECK_FALSE(torch_file_read(big.data(), big.size(), &out, &error));
  CHECK(error == "tensor w holds an infinite value in float32");
  const auto ints = archive("LongStorage", 1, raw<int64_t>({3}), {1}, {1}, 0);
  CHECK_FALSE(torch_file_read(ints.data(), ints.size(), &out, &error));
  CHECK(error == "tensor w holds int64 values; LatentPad reads only float weights");
}

TEST_CASE("views that reach outside their storage are refused", "[interop][torch][hostile]") {
  TorchFile out;
  std::string error;
  // The last element, storage[1 + 1 * 2 + 2 * 3] = storage[9], is past 8 values.
  const auto past = archive("FloatStorage", 8, raw<float>(std::vector<float>(8, 1)), {2, 3}, {2, 3}, 1);
  CHECK_FALSE(torch_file_read(past.data(), past.size(), &out, &error));
  CHECK_THAT(error, Catch::StartsWith("tensor w reaches past the end of its storage 0"));
  const auto negative = archive("FloatStorage", 8, raw<float>(std::vector<float>(8, 1)), {2}, {-1}, 4);
  CHECK_FALSE(torch_file_read(negative.data(), negative.size(), &out, &error));
  CHECK(error == "tensor w has a negative or impossible size or stride");
  // An empty view touches nothing, wherever it points.
  const TorchFile empty = read(archive("FloatStorage", 1, raw<float>({1}), {0, 3}, {3, 1}, 0));
  CHECK(empty.models.at(0).state.at(0).values.empty());
}

TEST_CASE("shared module objects cannot multiply the work", "[interop][torch][hostile]") {
  // Level k's two children are both level k-1: 2^20 visits from 20 objects.
  test::PickleBuilder p;
  const auto module_state = [&](int child) {
    p.op('}').mark().text("_parameters").global("collections", "OrderedDict").op(')').op('R');
    p.text("_modules").op('}');
    if (child >= 0) p.mark().text("a").op('h').op(static_cast<uint8_t>(child)).text("b").op('h').op(static_cast<uint8_t>(child)).op('u');
    p.op('u').op('b');
  };
  for (int level = 0; level < 20; ++level) {
    p.global("torch.nn.modules.container", "Sequential").op(')').op('\x81');
    module_state(level - 1);
    p.op('q').op(static_cast<uint8_t>(level));  // BINPUT level
    if (level < 19) p.op('0');                  // POP: only the last stays on the stack
  }
  p.stop();
  const auto bytes = test::ZipBuilder().add("deep/data.pkl", p.data()).bytes();
  TorchFile out;
  std::string error;
  CHECK_FALSE(torch_file_read(bytes.data(), bytes.size(), &out, &error));
  CHECK(error == "its module tree holds more than 10,000 modules");
}

// --- checkpoints ---------------------------------------------------------------------

TEST_CASE("a checkpoint dict gives its models and passes over the rest", "[interop][torch][ckpt]") {
  // {'epoch': 3, 'loss': 0.25, 'name': 'run', 'model_state_dict': {'fc.weight', 'fc.bias'}, 'nested': {'ema': {...}}}
  test::PickleBuilder p;
  p.op('}').mark().text("epoch").integer(3).text("loss").op('G').op(static_cast<uint8_t>(0x3f)).op('\xd0');
  for (int i = 0; i < 6; ++i) p.op('\0');
  p.text("name").text("run");
  p.text("model_state_dict").op('}').mark().text("fc.weight").tensor("0", 6, {2, 3}, {3, 1}).text("fc.bias").tensor("1", 2, {2}, {1}).op('u');
  p.text("nested").op('}').mark().text("ema").op('}').mark().text("fc.weight").tensor("2", 6, {2, 3}, {3, 1}).op('u').op('u');
  p.op('u').stop();
  const TorchFile file = read(zip_of(p, {{"0", kW}, {"1", kB}, {"2", {6, 5, 4, 3, 2, 1}}}));
  CHECK(file.checkpoint);
  REQUIRE(file.models.size() == 2);
  CHECK(file.models[0].key == "model_state_dict");
  CHECK(file.models[0].state.at(0).values == kW);
  CHECK(file.models[0].state.at(1).values == kB);
  CHECK(file.models[1].key == "nested.ema");
  CHECK(file.models[1].state.at(0).values == std::vector<float>{6, 5, 4, 3, 2, 1});
  CHECK(file.contents == "'epoch' (an int), 'loss' (a float), 'name' (a string), 'model_state_dict' (a state_dict), "
                         "'nested' (a dict)");
}

TEST_CASE("an optimizer's state is never taken for a model, whatever its keys", "[interop][torch][ckpt]") {
  // Adam's exp_avg and exp_avg_sq have exactly the weight's shape. Each dict
  // below holds them in a way a checkpoint might; only 'model' is a model.
  const auto moments = [](test::PickleBuilder& p, const char* weight_key) {
    p.op('}').mark().text("step").tensor("9", 1, {}, {}).text("exp_avg").tensor("2", 6, {2, 3}, {3, 1});
    p.text("exp_avg_sq").tensor("3", 6, {2, 3}, {3, 1});
    if (weight_key) p.text(weight_key).tensor("3", 6, {2, 3}, {3, 1});
    p.op('u');
  };
  test::PickleBuilder p;
  p.op('}').mark();
  // optimizer.state_dict(): 'state' keyed by integer parameter ids, and 'param_groups'.
  p.text("optimizer_state_dict").op('}').mark().text("state").op('}').mark().integer(0);
  moments(p, nullptr);
  p.op('u').text("param_groups").op(']').op('u');
  // The same state keyed by strings, under a key that does not say "optimizer", with a 'weight' in it: still skipped (param_groups).
  p.text("opt_like").op('}').mark().text("state").op('}').mark().text("0");
  moments(p, "fc.weight");
  p.op('u').text("param_groups").op(']').op('u');
  // Per-parameter state on its own, keyed by names: no weight among its names.
  p.text("moments").op('}').mark().text("fc");
  moments(p, nullptr);
  p.op('u');
  // Adam's buffers under the parameters' own names, kept under a key naming them.
  p.text("exp_avg").op('}').mark().text("fc.weight").tensor("2", 6, {2, 3}, {3, 1}).op('u');
  p.text("scheduler").op('}').mark().text("fc.weight").tensor("2", 6, {2, 3}, {3, 1}).op('u');
  p.text("model").op('}').mark().text("fc.weight").tensor("0", 6, {2, 3}, {3, 1}).text("fc.bias").tensor("1", 2, {2}, {1}).op('u');
  p.op('u').stop();
  const std::vector<float> moment = {9, 9, 9, 9, 9, 9};
  const TorchFile file = read(zip_of(p, {{"0", kW}, {"1", kB}, {"2", moment}, {"3", moment}, {"9", {1}}}));
  REQUIRE(file.models.size() == 1);
  CHECK(file.models[0].key == "model");
  CHECK(file.models[0].state.at(0).values == kW);
  CHECK(file.contents == "'optimizer_state_dict' (an optimizer's state), 'opt_like' (an optimizer's state), "
                         "'moments' (a dict), 'exp_avg' (training state), 'scheduler' (training state), "
                         "'model' (a state_dict)");
}

TEST_CASE("a model in a checkpoint is checked as strictly as one saved alone", "[interop][torch][ckpt][hostile]") {
  test::PickleBuilder p;
  p.op('}').mark().text("epoch").integer(1).text("model").op('}').mark().text("fc.weight");
  p.tensor("0", 6, {2, 3}, {4, 1}).op('u').op('u').stop();  // needs 7 values of 6
  CHECK_THAT(refusal(zip_of(p, {{"0", kW}})),
             Catch::StartsWith("its entry 'model': tensor fc.weight reaches past the end of its storage 0"));
}

// --- the legacy format -----------------------------------------------------------------

TEST_CASE("legacy files: storages follow in the key list's order, not the pickle's", "[interop][torch][legacy]") {
  const TorchFile file = read(bytes_of(legacy_file()));
  CHECK(file.legacy);
  CHECK_FALSE(file.checkpoint);
  const auto& state = file.models.at(0).state;
  REQUIRE(state.size() == 2);
  CHECK(state[0].name == "w");
  CHECK(state[0].values == kW);
  CHECK(state[1].values == kB);
}

TEST_CASE("legacy files whose storages do not match their pickles are refused", "[interop][torch][legacy][hostile]") {
  const std::string head = kMagic + kVersion + sys_info() + legacy_state_dict().bytes;
  // A count that is not the pickle's numel; the bytes are all there.
  CHECK(refusal(bytes_of(head + key_list({"0", "1"}) + storage_record(2, kB) + storage_record(5, kW))) ==
        "its storage 1 holds 5 values, but the pickle says 6 float32 values");
  // Storages in the pickle's order rather than the list's: storage 0 would read w's 6 values.
  CHECK(refusal(bytes_of(head + key_list({"0", "1"}) + storage_record(6, kW) + storage_record(2, kB))) ==
        "its storage 0 holds 6 values, but the pickle says 2 float32 values");
  CHECK(refusal(bytes_of(head + key_list({"0", "1", "2"}) + storage_record(2, kB) + storage_record(6, kW))) ==
        "its list of storages names storage 2, which its pickle never uses");
  CHECK(refusal(bytes_of(head + key_list({"0"}) + storage_record(2, kB))) ==
        "its list of storages lacks storage 1, which its pickle uses");
  CHECK(refusal(bytes_of(head + key_list({"0", "0"}) + storage_record(2, kB) + storage_record(2, kB))) ==
        "its list of storages names storage 0 twice");
  CHECK(refusal(bytes_of(legacy_file() + "x")) == "it has 1 bytes after its last storage");
  // A count far beyond the file: refused before any arithmetic could wrap or allocate.
  test::PickleBuilder huge;
  huge.global("collections", "OrderedDict").op(')').op('R').mark().text("w");
  huge.tensor("0", 0x7FFFFFFF, {2}, {1}, 0, true).op('u').stop();
  CHECK(refusal(bytes_of(kMagic + kVersion + sys_info() + huge.bytes + key_list({"0"}) + storage_record(0x7FFFFFFF, kB))) ==
        "its storage 0 claims 2147483647 values, over the limit");
  test::PickleBuilder big;
  big.global("collections", "OrderedDict").op(')').op('R').mark().text("w");
  big.tensor("0", 1000, {2}, {1}, 0, true).op('u').stop();
  CHECK(refusal(bytes_of(kMagic + kVersion + sys_info() + big.bytes + key_list({"0"}) + storage_record(1000, kB))) ==
        "it is truncated: storage 0 needs 4000 bytes, but 8 remain");
  // Every truncation is refused, and says something.
  const std::string whole = legacy_file();
  for (size_t n = 0; n < whole.size(); ++n) {
    INFO(n);
    CHECK_FALSE(refusal(bytes_of(whole.substr(0, n))).empty());
  }
  CHECK_THAT(refusal(bytes_of(whole.substr(0, whole.size() - 1))),
             Catch::Equals("it is truncated: storage 1 needs 24 bytes, but 23 remain"));
}

TEST_CASE("a legacy header that is not torch's is refused, naming what it would call", "[interop][torch][legacy][hostile]") {
  const std::string rest = kVersion + sys_info() + legacy_state_dict().bytes + key_list({"0", "1"}) +
                           storage_record(2, kB) + storage_record(6, kW);
  test::PickleBuilder call;
  call.global("posix", "system").mark().text("touch pwned").tuple().op('R').stop();
  CHECK(refusal(bytes_of(call.bytes + rest)) == "it asks to call posix.system; a model file never needs that");
  test::PickleBuilder five;
  five.integer(5).stop();
  CHECK(refusal(bytes_of(five.bytes + rest)) ==
        "it is a pickle, but not one torch.save wrote (it does not start with torch's magic number)");
  CHECK(refusal(bytes_of(kMagic + five.bytes + sys_info() + legacy_state_dict().bytes)) ==
        "its legacy header does not give protocol version 1001");
  CHECK(refusal(bytes_of(kMagic + kVersion + sys_info(false) + legacy_state_dict().bytes)) ==
        "its storages are stored big-endian; only little-endian is read");
  // The object's pickle goes through the same allow-list.
  CHECK(refusal(bytes_of(kMagic + kVersion + sys_info() + call.bytes + key_list({}))) ==
        "it asks to call posix.system; a model file never needs that");
  // Protocol 4's FRAME before the magic number is torch's too.
  const std::string framed = std::string("\x80\x04\x95\x0d\0\0\0\0\0\0\0", 11) + kMagic.substr(2);
  CHECK(read(bytes_of(framed + rest)).models.at(0).state.at(0).values == kW);
}

TEST_CASE("legacy whole modules name their classes through 'module' records", "[interop][torch][legacy]") {
  // ('module', __main__.Net, 'net.py', 'class Net...') BINPERSID, then NEWOBJ and BUILD as usual.
  test::PickleBuilder p;
  p.mark().text("module").global("__main__", "Net").text("net.py").text("class Net(nn.Module): ...").tuple().op('Q');
  p.op(')').op('\x81').op('}').mark().text("_parameters").op('}').mark().text("weight");
  p.tensor("1", 6, {2, 3}, {3, 1}, 0, true).text("bias").tensor("0", 2, {2}, {1}, 0, true).op('u');
  p.text("_modules").op('}').op('u').op('b').stop();
  const TorchFile file = read(bytes_of(legacy_file(p.bytes)));
  REQUIRE(file.models.at(0).is_module);
  CHECK(file.models[0].module.type == "__main__.Net");
  CHECK(file.models[0].module.parameters.at(0).values == kW);
  // A class record naming anything else is refused; so is a storage view, and a record in a zip archive.
  test::PickleBuilder bad;
  bad.mark().text("module").global("os", "system").op('N').op('N').tuple().op('Q').stop();
  CHECK(refusal(bytes_of(legacy_file(bad.bytes))) == "it asks to call os.system; a model file never needs that");
  test::PickleBuilder view;
  view.global("collections", "OrderedDict").op(')').op('R').mark().text("w").global("torch._utils", "_rebuild_tensor_v2");
  view.mark().mark().text("storage").global("torch", "FloatStorage").text("1").text("cpu").integer(6);
  view.mark().text("2").integer(0).integer(6).tuple().tuple().op('Q');
  CHECK_THAT(refusal(bytes_of(legacy_file(view.bytes + ".."))), Catch::Contains("a view of a storage"));
  CHECK(refusal(test::ZipBuilder().add("m/data.pkl", p.data()).add("m/data/0", floats(kB)).add("m/data/1", floats(kW)).bytes()) ==
        "its pickle holds a persistent record that is not a torch storage");
}
