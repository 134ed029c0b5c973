// torch_file: tensors are rebuilt from their storage with PyTorch's offset and
// strides, whatever the storage's dtype, and the archive's byte order is checked.
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

TorchFile read(const std::vector<uint8_t>& bytes) {
  TorchFile file;
  std::string error;
  INFO(error);
  REQUIRE(torch_file_read(bytes.data(), bytes.size(), &file, &error));
  return file;
}

}  // namespace

TEST_CASE("a strided view with an offset reads the elements PyTorch would", "[interop][torch]") {
  // storage[0..7] = 0..7; w = storage.as_strided((2, 3), (1, 2), 2): w[i][j] = storage[2 + i + 2j]
  const TorchFile file = read(archive("FloatStorage", 8, raw<float>({0, 1, 2, 3, 4, 5, 6, 7}), {2, 3}, {1, 2}, 2));
  REQUIRE_FALSE(file.is_module);
  REQUIRE(file.state.size() == 1);
  CHECK(file.state[0].name == "w");
  CHECK(file.state[0].shape == std::vector<int64_t>{2, 3});
  CHECK(file.state[0].values == std::vector<float>{2, 4, 6, 3, 5, 7});
}

TEST_CASE("float16 and float64 storages convert; integer tensors are not weights", "[interop][torch]") {
  const TorchFile half = read(archive("HalfStorage", 2, raw<uint16_t>({float_to_half(0.5f), float_to_half(-3.0f)}),
                                      {2}, {1}, 0));
  CHECK(half.state[0].values == std::vector<float>{0.5f, -3.0f});
  const TorchFile dbl = read(archive("DoubleStorage", 3, raw<double>({1.25, -2.5, 1e300}), {2}, {1}, 0));
  CHECK(dbl.state[0].values == std::vector<float>{1.25f, -2.5f});  // 1e300 is not part of the view
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
  CHECK(empty.state[0].values.empty());
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
