#include "interop/torch_file.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "formats/half.h"
#include "interop/pickle.h"
#include "interop/printable.h"
#include "interop/zip_archive.h"

namespace lp {
namespace {

using Kind = PickleValue::Kind;

bool fail(std::string* error, std::string message) {
  *error = std::move(message);
  return false;
}

// Storage keys name a file in the archive's data/ folder: digits in practice.
bool plain_key(const std::string& key) {
  if (key.empty() || key.size() > 64 || key == "." || key == "..") return false;
  for (char c : key)
    if (!(c == '_' || c == '-' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
      return false;
  return true;
}

float element_at(const uint8_t* p, TorchDtype dtype) {
  uint64_t bits = 0;
  for (size_t i = torch_dtype_size(dtype); i-- > 0;) bits = bits << 8 | p[i];  // little-endian
  switch (dtype) {
    case TorchDtype::float32: {
      float v;
      const uint32_t b = static_cast<uint32_t>(bits);
      std::memcpy(&v, &b, 4);
      return v;
    }
    case TorchDtype::float64: {
      double v;
      std::memcpy(&v, &bits, 8);
      // Out of float range is infinite (and refused), not undefined behaviour.
      if (std::abs(v) > std::numeric_limits<float>::max()) return std::numeric_limits<float>::infinity();
      return static_cast<float>(v);
    }
    case TorchDtype::float16: return half_to_float(static_cast<uint16_t>(bits));
    case TorchDtype::bfloat16: {
      float v;
      const uint32_t b = static_cast<uint32_t>(bits) << 16;
      std::memcpy(&v, &b, 4);
      return v;
    }
    default: return 0.0f;  // not reached: integer tensors are refused before
  }
}

bool is_float(TorchDtype dtype) {
  return dtype == TorchDtype::float32 || dtype == TorchDtype::float16 || dtype == TorchDtype::float64 ||
         dtype == TorchDtype::bfloat16;
}

// Reads the archive and rebuilds the tensors the pickle refers to.
class Reader {
 public:
  Reader(const ZipArchive& zip, const Pickle& pickle, std::string stem)
      : zip_(zip), pickle_(pickle), stem_(std::move(stem)) {}

  bool storages_check(std::string* error) {
    for (const PickleStorage& storage : pickle_.storages) {
      if (!plain_key(storage.key))
        return fail(error, "its storage key '" + printable(storage.key) + "' is a path outside the archive");
      const ZipEntry* entry = zip_.find(stem_ + "/data/" + storage.key);
      if (!entry) return fail(error, "its storage " + storage.key + " is missing from the archive");
      const size_t element = torch_dtype_size(storage.dtype);
      if (static_cast<uint64_t>(storage.numel) > entry->size / element || entry->size != storage.numel * element)
        return fail(error, "its storage " + storage.key + " holds " + std::to_string(entry->size) +
                               " bytes, but the pickle says " + std::to_string(storage.numel) + " " +
                               torch_dtype_name(storage.dtype) + " values");
    }
    return true;
  }

  // The tensor a pickle value stands for, as float32, checked against its storage.
  bool tensor(const PickleValue& value, const std::string& name, NamedTensor* out, std::string* error) {
    if (value.kind != Kind::tensor) return fail(error, name + " is not a tensor");
    const PickleTensor& t = pickle_.tensors[value.integer];
    const PickleStorage& storage = pickle_.storages[t.storage];
    if (!is_float(storage.dtype))
      return fail(error, "tensor " + name + " holds " + torch_dtype_name(storage.dtype) +
                             " values; LatentPad reads only float weights");
    // Largest element index it touches: offset + sum((size - 1) * stride).
    uint64_t count = 1, last = 0;
    bool empty = false;
    for (size_t d = 0; d < t.sizes.size(); ++d) {
      if (t.sizes[d] < 0 || t.strides[d] < 0 || t.sizes[d] > (int64_t{1} << 31) || t.strides[d] > (int64_t{1} << 32))
        return fail(error, "tensor " + name + " has a negative or impossible size or stride");
      if (t.sizes[d] == 0) empty = true;
      count *= static_cast<uint64_t>(t.sizes[d]);
      if (count > (uint64_t{1} << 28)) return fail(error, "tensor " + name + " is impossibly large");
      // Clamped at numel (anything beyond is out of range anyway), so the sum cannot overflow.
      const uint64_t term = t.sizes[d] > 0 ? static_cast<uint64_t>(t.sizes[d] - 1) * static_cast<uint64_t>(t.strides[d]) : 0;
      const uint64_t numel = static_cast<uint64_t>(storage.numel);
      last = std::min(last + std::min(term, numel), numel);
    }
    if (t.offset < 0 || (!empty && (static_cast<uint64_t>(t.offset) + last >= static_cast<uint64_t>(storage.numel))))
      return fail(error, "tensor " + name + " reaches past the end of its storage " + storage.key +
                             " (its size and stride do not fit " + std::to_string(storage.numel) + " values)");
    const uint8_t* base = zip_.find(stem_ + "/data/" + storage.key)->data;
    const size_t element = torch_dtype_size(storage.dtype);
    // Tensors may share a storage, so the storages' size does not bound theirs.
    if (!empty && count > kMaxValues - values_read_)
      return fail(error, "its tensors hold more than " + std::to_string(kMaxValues) + " values in all");
    values_read_ += empty ? 0 : count;
    NamedTensor result;
    result.name = name;
    result.shape = t.sizes;
    result.values.resize(empty ? 0 : count);
    // Walk the indices in row-major order, like an odometer.
    std::vector<int64_t> index(t.sizes.size(), 0);
    for (uint64_t i = 0; i < result.values.size(); ++i) {
      uint64_t at = static_cast<uint64_t>(t.offset);
      for (size_t d = 0; d < index.size(); ++d) at += static_cast<uint64_t>(index[d] * t.strides[d]);
      const float v = element_at(base + at * element, storage.dtype);
      if (!std::isfinite(v))
        return fail(error, "tensor " + name + " holds " + (std::isnan(v) ? "NaN" : "an infinite value") +
                               (storage.dtype == TorchDtype::float64 && !std::isnan(v) ? " in float32" : ""));
      result.values[i] = v;
      for (size_t d = index.size(); d-- > 0;) {
        if (++index[d] < t.sizes[d]) break;
        index[d] = 0;
      }
    }
    *out = std::move(result);
    return true;
  }

  bool module(const PickleValue& object, const std::string& name, const std::string& path, int depth,
              TorchModule* out, std::string* error) {
    if (depth > kTorchMaxDepth) return fail(error, "its module tree is nested too deeply");
    // Shared children are walked once per parent: cap the visits, not just the depth.
    if (++modules_visited_ > kTorchMaxModules) return fail(error, "its module tree holds more than 10,000 modules");
    const std::string where = path.empty() ? "the root" : path;
    if (object.kind != Kind::object) return fail(error, where + " is not a module");
    if (object.items.empty()) return fail(error, "module " + where + " (" + object.text + ") has no state");
    const PickleValue& attrs = pickle_.at(object.items[0]);
    TorchModule result;
    result.name = name;
    result.type = object.text;
    const PickleValue* parameters = pickle_dict_get(pickle_, attrs, "_parameters");
    const PickleValue* modules = pickle_dict_get(pickle_, attrs, "_modules");
    if (!parameters || !modules || parameters->kind != Kind::dict || modules->kind != Kind::dict)
      return fail(error, "module " + where + " (" + object.text + ") lacks the _parameters and _modules of an nn.Module");
    for (size_t i = 0; i + 1 < parameters->items.size(); i += 2) {
      const PickleValue& key = pickle_.at(parameters->items[i]);
      const PickleValue& value = pickle_.at(parameters->items[i + 1]);
      if (key.kind != Kind::text || key.text.size() > 256 || printable(key.text, 256) != key.text)
        return fail(error, "module " + where + " has a parameter without a plain name");
      if (value.kind == Kind::none) continue;  // e.g. Linear(bias=False)
      NamedTensor t;
      if (!tensor(value, path.empty() ? key.text : path + "." + key.text, &t, error)) return false;
      t.name = key.text;
      result.parameters.push_back(std::move(t));
    }
    for (size_t i = 0; i + 1 < modules->items.size(); i += 2) {
      const PickleValue& key = pickle_.at(modules->items[i]);
      const PickleValue& value = pickle_.at(modules->items[i + 1]);
      if (key.kind != Kind::text || key.text.size() > 256 || printable(key.text, 256) != key.text)
        return fail(error, "module " + where + " has a child without a plain name");
      if (value.kind == Kind::none) continue;
      TorchModule child;
      if (!module(value, key.text, path.empty() ? key.text : path + "." + key.text, depth + 1, &child, error))
        return false;
      result.children.push_back(std::move(child));
    }
    *out = std::move(result);
    return true;
  }

 private:
  static constexpr uint64_t kMaxValues = uint64_t{1} << 28;  // 1 GiB of float32
  const ZipArchive& zip_;
  const Pickle& pickle_;
  std::string stem_;
  uint64_t values_read_ = 0;
  int modules_visited_ = 0;
};

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::none: return "None";
    case Kind::boolean: return "a bool";
    case Kind::integer: return "an int";
    case Kind::real: return "a float";
    case Kind::text: return "a string";
    case Kind::bytes: return "bytes";
    case Kind::tuple: return "a tuple";
    case Kind::list: return "a list";
    case Kind::dict: return "a dict";
    case Kind::set: return "a set";
    case Kind::global: return "a class or function";
    case Kind::object: return "an object";
    case Kind::storage: return "a bare storage";
    case Kind::tensor: return "a single tensor";
  }
  return "something";
}

}  // namespace

bool torch_legacy_signature(const uint8_t* data, size_t size) {
  return size >= 2 && data[0] == 0x80 && data[1] >= 2 && data[1] <= 5;
}

bool torch_file_read(const uint8_t* data, size_t size, TorchFile* out, std::string* error) {
  ZipArchive zip;
  if (!zip_open(data, size, &zip, error)) return false;
  // <stem>/data.pkl, where <stem> is whatever name the file was saved under.
  const ZipEntry* pkl = nullptr;
  for (const ZipEntry& entry : zip.entries) {
    const size_t slash = entry.name.find('/');
    if (slash == std::string::npos || entry.name.compare(slash, std::string::npos, "/data.pkl") != 0) continue;
    if (pkl) return fail(error, "it holds two data.pkl records");
    pkl = &entry;
  }
  if (!pkl) return fail(error, "it is a zip archive, but not one torch.save wrote (no data.pkl)");
  const std::string stem = pkl->name.substr(0, pkl->name.find('/'));
  if (const ZipEntry* order = zip.find(stem + "/byteorder")) {
    const std::string text(reinterpret_cast<const char*>(order->data), order->size);
    if (text != "little")
      return fail(error, "its storages are stored " + printable(text) + "-endian; only little-endian is read");
  }

  Pickle pickle;
  if (!pickle_load(pkl->data, pkl->size, &pickle, error)) return false;
  Reader reader(zip, pickle, stem);
  if (!reader.storages_check(error)) return false;

  TorchFile result;
  const PickleValue& root = pickle.at(pickle.root);
  if (root.kind == Kind::object) {
    result.is_module = true;
    if (!reader.module(root, "", "", 0, &result.module, error)) return false;
  } else if (root.kind == Kind::dict) {
    for (size_t i = 0; i + 1 < root.items.size(); i += 2) {
      const PickleValue& key = pickle.at(root.items[i]);
      const PickleValue& value = pickle.at(root.items[i + 1]);
      if (key.kind != Kind::text || key.text.size() > 256 || printable(key.text, 256) != key.text)
        return fail(error, "it holds a dict with a key that is not a plain string");
      if (value.kind != Kind::tensor)
        return fail(error, "it holds a dict whose entry '" + printable(key.text) + "' is " + kind_name(value.kind) +
                               "; LatentPad reads a whole model or a state_dict");
      NamedTensor t;
      if (!reader.tensor(value, key.text, &t, error)) return false;
      result.state.push_back(std::move(t));
    }
  } else {
    return fail(error, std::string("it holds ") + kind_name(root.kind) + ", not a model or a state_dict");
  }
  *out = std::move(result);
  return true;
}

}  // namespace lp
