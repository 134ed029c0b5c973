// A restricted unpickler for the data.pkl of torch.save archives.
//
// Python's pickle is a small stack machine whose GLOBAL and REDUCE opcodes
// import and call arbitrary functions; torch.load runs them. This reader runs
// nothing. It builds plain values (None, bools, ints, floats, strings, tuples,
// lists, dicts, sets), and stands in placeholders for the few things a model
// file needs:
//   - module objects (torch.nn classes and the user's own __main__ classes),
//     kept as a class name plus the attribute dict BUILD gives them;
//   - storages (BINPERSID records naming a data/<key> entry of the archive);
//   - tensors (torch._utils._rebuild_tensor_v2 / _rebuild_parameter calls),
//     kept as a storage index, offset, sizes and strides.
// Every other GLOBAL, and any call to something not on the allow-list, is
// refused with a message naming it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lp {

// Element types of torch storages, named by their pickled class (torch.FloatStorage ...).
enum class TorchDtype : uint8_t { float32, float16, float64, bfloat16, int64, int32, int16, int8, uint8, boolean };
size_t torch_dtype_size(TorchDtype dtype);
const char* torch_dtype_name(TorchDtype dtype);  // "float32" ...

struct PickleStorage {
  TorchDtype dtype = TorchDtype::float32;
  std::string key;       // the archive entry <stem>/data/<key>
  std::string location;  // "cpu", "cuda:0" ...: ignored, everything loads on the CPU
  int64_t numel = 0;     // elements, as the pickle claims them
};

struct PickleTensor {
  uint32_t storage = 0;  // index into Pickle::storages
  int64_t offset = 0;    // in elements
  std::vector<int64_t> sizes, strides;
};

struct PickleValue {
  enum class Kind : uint8_t { none, boolean, integer, real, text, bytes, tuple, list, dict, set, global, object, storage, tensor };
  Kind kind = Kind::none;
  int64_t integer = 0;  // boolean and integer; storage and tensor: their index
  double real = 0.0;
  // text, bytes; global: "module.name"; object: its class as "module.name"
  std::string text;
  // tuple, list, set: elements; dict: key, value, key, value...; object: its
  // attribute dict, once BUILD gave one. Indices into Pickle::values.
  std::vector<uint32_t> items;
};

struct Pickle {
  std::vector<PickleValue> values;  // an arena: values refer to each other by index
  std::vector<PickleStorage> storages;
  std::vector<PickleTensor> tensors;
  uint32_t root = 0;
  const PickleValue& at(uint32_t index) const { return values[index]; }
};

// Limits: beyond them a pickle is hostile, not a model.
constexpr size_t kPickleMaxValues = 1 << 20;
constexpr size_t kPickleMaxStack = 1 << 20;
constexpr size_t kPickleMaxItems = 1 << 22;  // container elements, in all
constexpr int kPickleMaxDims = 8;

// Fails with the refusal in *error, for example
// "it asks to call posix.system; a model file never needs that".
bool pickle_load(const uint8_t* data, size_t size, Pickle* out, std::string* error);

// Which torch.save format a pickle comes from. The legacy format (PyTorch
// before 1.6) writes storages as ('storage', torch.<Type>Storage, key,
// location, numel, view_metadata), view_metadata None, and the classes of a
// whole module as ('module', class, source file, source) records, which stand
// for the class itself (the source is never looked at).
enum class PickleFormat : uint8_t { zip, legacy };

// One pickle at the start of data, in the given format: *consumed is the
// number of bytes up to and including its STOP (the legacy format is several
// pickles in a row).
bool pickle_load(const uint8_t* data, size_t size, PickleFormat format, Pickle* out, size_t* consumed,
                 std::string* error);

// The value under a string key of a dict, or nullptr (also when `dict` is no dict).
const PickleValue* pickle_dict_get(const Pickle& pickle, const PickleValue& dict, const char* key);

}  // namespace lp
