#include "interop/torch_file.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>

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

// A storage's bytes, in the archive or in a legacy file.
struct StorageBytes {
  const uint8_t* data = nullptr;
  size_t size = 0;
};
using StorageMap = std::map<std::string, StorageBytes, std::less<>>;

// Every storage the pickle names, found in the archive and of the size the pickle says.
bool zip_storages(const ZipArchive& zip, const Pickle& pickle, const std::string& stem, StorageMap* out,
                  std::string* error) {
  for (const PickleStorage& storage : pickle.storages) {
    if (!plain_key(storage.key))
      return fail(error, "its storage key '" + printable(storage.key) + "' is a path outside the archive");
    const ZipEntry* entry = zip.find(stem + "/data/" + storage.key);
    if (!entry) return fail(error, "its storage " + storage.key + " is missing from the archive");
    const size_t element = torch_dtype_size(storage.dtype);
    if (static_cast<uint64_t>(storage.numel) > entry->size / element || entry->size != storage.numel * element)
      return fail(error, "its storage " + storage.key + " holds " + std::to_string(entry->size) +
                             " bytes, but the pickle says " + std::to_string(storage.numel) + " " +
                             torch_dtype_name(storage.dtype) + " values");
    (*out)[storage.key] = {entry->data, entry->size};
  }
  return true;
}

// Rebuilds the tensors the pickle refers to from their storages' bytes.
class Reader {
 public:
  Reader(const StorageMap& storages, const Pickle& pickle) : storages_(storages), pickle_(pickle) {}

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
    const uint8_t* base = storages_.find(storage.key)->second.data;
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
  const StorageMap& storages_;
  const Pickle& pickle_;
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

bool plain_name(const PickleValue& key) {
  return key.kind == Kind::text && key.text.size() <= 256 && printable(key.text, 256) == key.text;
}

// A dict (or OrderedDict) whose every value is a tensor.
bool all_tensor_values(const Pickle& pickle, const PickleValue& dict) {
  if (dict.kind != Kind::dict || dict.items.empty()) return false;
  for (size_t i = 1; i < dict.items.size(); i += 2)
    if (pickle.at(dict.items[i]).kind != Kind::tensor) return false;
  return true;
}

// A state_dict inside a checkpoint: tensors under plain names, one of them a
// weight. Adam's per-parameter state ({'step', 'exp_avg', 'exp_avg_sq'}) is
// a dict of tensors too, but holds no weight.
bool state_dict_like(const Pickle& pickle, const PickleValue& dict) {
  if (!all_tensor_values(pickle, dict)) return false;
  bool weight = false;
  for (size_t i = 0; i < dict.items.size(); i += 2) {
    const PickleValue& key = pickle.at(dict.items[i]);
    if (!plain_name(key)) return false;
    const size_t dot = key.text.rfind('.');
    weight = weight || key.text.compare(dot == std::string::npos ? 0 : dot + 1, std::string::npos, "weight") == 0;
  }
  return weight;
}

// An nn.Module object: BUILD gave it _parameters and _modules.
bool module_like(const Pickle& pickle, const PickleValue& value) {
  if (value.kind != Kind::object || value.items.empty()) return false;
  const PickleValue& attrs = pickle.at(value.items[0]);
  return pickle_dict_get(pickle, attrs, "_parameters") && pickle_dict_get(pickle, attrs, "_modules");
}

// optimizer.state_dict(): {'state': {0: {...}, 1: {...}}, 'param_groups': [...]}.
bool optimizer_state(const Pickle& pickle, const PickleValue& dict) {
  return pickle_dict_get(pickle, dict, "param_groups") != nullptr;
}

// Keys under which a checkpoint keeps training state, never a model:
// optimizer, optimizer_state_dict, optim, scheduler, lr_scheduler, scaler
// (AMP's), and Adam's and SGD's per-parameter buffers.
bool training_state_key(const std::string& key) {
  std::string lower;
  for (char c : key) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find("optim") != std::string::npos || lower.find("scheduler") != std::string::npos ||
         lower.find("scaler") != std::string::npos || lower == "exp_avg" || lower == "exp_avg_sq" ||
         lower == "max_exp_avg_sq" || lower == "momentum_buffer";
}

// Finds the models a checkpoint dict holds, and rebuilds their tensors.
class CheckpointSearch {
 public:
  CheckpointSearch(const Pickle& pickle, Reader& reader, TorchFile& out) : pickle_(pickle), reader_(reader), out_(out) {}

  bool dict(const PickleValue& dict, const std::string& path, int depth, std::string* error) {
    if (depth > kTorchMaxDictDepth || optimizer_state(pickle_, dict)) return true;
    for (size_t i = 0; i + 1 < dict.items.size(); i += 2) {
      // A dict keyed by anything but names (the optimizer's state, keyed by parameter ids) holds no model.
      if (!plain_name(pickle_.at(dict.items[i]))) return true;
    }
    size_t listed = 0;
    for (size_t i = 0; i + 1 < dict.items.size(); i += 2) {
      const std::string& key = pickle_.at(dict.items[i]).text;
      const PickleValue& value = pickle_.at(dict.items[i + 1]);
      const std::string where = path.empty() ? key : path + "." + key;
      std::string what;
      if (training_state_key(key) || (value.kind == Kind::dict && optimizer_state(pickle_, value))) {
        what = value.kind == Kind::dict && optimizer_state(pickle_, value) ? "an optimizer's state" : "training state";
      } else if (module_like(pickle_, value)) {
        what = printable(value.text);
        if (!add(value, where, true, error)) return false;
      } else if (value.kind == Kind::dict && state_dict_like(pickle_, value)) {
        what = "a state_dict";
        if (!add(value, where, false, error)) return false;
      } else if (value.kind == Kind::dict) {
        what = "a dict";
        if (!this->dict(value, where, depth + 1, error)) return false;
      } else {
        what = value.kind == Kind::object ? "an object of " + printable(value.text) : kind_name(value.kind);
      }
      if (depth == 0 && listed++ < 8)
        out_.contents += (out_.contents.empty() ? "'" : ", '") + printable(key, 40) + "' (" + what + ")";
      else if (depth == 0 && listed == 9)
        out_.contents += ", ...";
    }
    return true;
  }

 private:
  bool add(const PickleValue& value, const std::string& key, bool is_module, std::string* error) {
    if (out_.models.size() >= kTorchMaxCandidates)
      return fail(error, "it holds more than " + std::to_string(kTorchMaxCandidates) + " models");
    TorchModel model;
    model.key = key;
    model.is_module = is_module;
    std::string reason;
    bool ok = true;
    if (is_module) {
      ok = reader_.module(value, "", "", 0, &model.module, &reason);
    } else {
      for (size_t i = 0; ok && i + 1 < value.items.size(); i += 2) {
        NamedTensor t;
        ok = reader_.tensor(pickle_.at(value.items[i + 1]), pickle_.at(value.items[i]).text, &t, &reason);
        model.state.push_back(std::move(t));
      }
    }
    if (!ok) return fail(error, "its entry '" + printable(key) + "': " + reason);
    out_.models.push_back(std::move(model));
    return true;
  }

  const Pickle& pickle_;
  Reader& reader_;
  TorchFile& out_;
};

// The saved object: a model, or a dict holding models.
bool read_object(const Pickle& pickle, const StorageMap& storages, TorchFile* result, std::string* error) {
  Reader reader(storages, pickle);
  const PickleValue& root = pickle.at(pickle.root);
  if (root.kind == Kind::object) {
    TorchModel model;
    model.is_module = true;
    if (!reader.module(root, "", "", 0, &model.module, error)) return false;
    result->models.push_back(std::move(model));
    return true;
  }
  if (root.kind != Kind::dict)
    return fail(error, std::string("it holds ") + kind_name(root.kind) + ", not a model or a state_dict");
  if (all_tensor_values(pickle, root)) {  // a state_dict
    TorchModel model;
    for (size_t i = 0; i + 1 < root.items.size(); i += 2) {
      const PickleValue& key = pickle.at(root.items[i]);
      if (!plain_name(key)) return fail(error, "it holds a dict with a key that is not a plain string");
      NamedTensor t;
      if (!reader.tensor(pickle.at(root.items[i + 1]), key.text, &t, error)) return false;
      model.state.push_back(std::move(t));
    }
    result->models.push_back(std::move(model));
    return true;
  }
  result->checkpoint = true;
  CheckpointSearch search(pickle, reader, *result);
  return search.dict(root, "", 0, error);
}

// --- the legacy format ---------------------------------------------------------

// 0x1950a86a20f9469cfc6c, little-endian, as pickle's LONG1 writes it.
constexpr uint8_t kLegacyMagic[] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
constexpr long kLegacyProtocol = 1001;
constexpr size_t kLegacyMaxStorages = 1 << 16;

// The bytes of the magic number's pickle (PROTO n, FRAME for protocol 4 and
// up, LONG1 of the magic number, STOP), or 0 when the file does not start with it.
size_t legacy_magic(const uint8_t* data, size_t size) {
  size_t at = 0;
  if (size < 2 || data[0] != 0x80 || data[1] < 2 || data[1] > 5) return 0;
  at = 2;
  if (at < size && data[at] == 0x95) at += 9;  // FRAME and its u64 length
  if (size < at + 13 || data[at] != 0x8a || data[at + 1] != sizeof kLegacyMagic ||
      std::memcmp(data + at + 2, kLegacyMagic, sizeof kLegacyMagic) != 0 || data[at + 12] != '.')
    return 0;
  return at + 13;
}

uint64_t read_u64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 8; i-- > 0;) v = v << 8 | p[i];
  return v;
}

bool legacy_read(const uint8_t* data, size_t size, Pickle* object, StorageMap* storages, std::string* error) {
  size_t at = legacy_magic(data, size);
  if (at == 0) {
    // Not torch's: say what the first pickle is, refusing what it would call by name.
    Pickle first;
    size_t used;
    if (!pickle_load(data, size, PickleFormat::zip, &first, &used, error)) return false;
    return fail(error, "it is a pickle, but not one torch.save wrote (it does not start with torch's magic number)");
  }
  const auto next = [&](PickleFormat format, Pickle* out, const char* what) {
    size_t used;
    std::string reason;
    if (!pickle_load(data + at, size - at, format, out, &used, &reason))
      return fail(error, reason == "its pickle is truncated" ? std::string("it is truncated in its ") + what : reason);
    at += used;
    return true;
  };
  Pickle header;
  if (!next(PickleFormat::zip, &header, "header")) return false;
  const PickleValue& version = header.at(header.root);
  if (version.kind != Kind::integer || version.integer != kLegacyProtocol)
    return fail(error, "its legacy header does not give protocol version 1001");
  if (!next(PickleFormat::zip, &header, "header")) return false;
  const PickleValue& info = header.at(header.root);
  if (info.kind != Kind::dict) return fail(error, "its legacy header's system info is not a dict");
  if (const PickleValue* little = pickle_dict_get(header, info, "little_endian");
      little && (little->kind != Kind::boolean || little->integer == 0))
    return fail(error, "its storages are stored big-endian; only little-endian is read");
  if (!next(PickleFormat::legacy, object, "object pickle")) return false;
  Pickle keys;
  if (!next(PickleFormat::zip, &keys, "list of storages")) return false;

  // The storages the object names: one dtype and size per key.
  std::map<std::string, const PickleStorage*, std::less<>> named;
  for (const PickleStorage& storage : object->storages) {
    if (!plain_key(storage.key)) return fail(error, "its storage key '" + printable(storage.key) + "' is not a plain name");
    const auto [it, inserted] = named.emplace(storage.key, &storage);
    if (!inserted && (it->second->dtype != storage.dtype || it->second->numel != storage.numel))
      return fail(error, "its pickle gives storage " + storage.key + " two different sizes or types");
  }
  const PickleValue& list = keys.at(keys.root);
  if (list.kind != Kind::list) return fail(error, "its list of storages is not a list");
  if (list.items.size() > kLegacyMaxStorages) return fail(error, "it lists more than 65,536 storages");
  for (uint32_t item : list.items) {
    const PickleValue& key = keys.at(item);
    if (key.kind != Kind::text || !plain_key(key.text)) return fail(error, "its list of storages holds something other than a storage key");
    const auto it = named.find(key.text);
    if (it == named.end())
      return fail(error, "its list of storages names storage " + key.text + ", which its pickle never uses");
    if (storages->count(key.text)) return fail(error, "its list of storages names storage " + key.text + " twice");
    // An int64 element count, then the bytes, in the list's order.
    const PickleStorage& storage = *it->second;
    if (size - at < 8) return fail(error, "it is truncated: storage " + key.text + " is missing");
    const uint64_t count = read_u64(data + at);
    at += 8;
    if (count != static_cast<uint64_t>(storage.numel))
      return fail(error, "its storage " + key.text + " holds " + std::to_string(static_cast<int64_t>(count)) +
                             " values, but the pickle says " + std::to_string(storage.numel) + " " +
                             torch_dtype_name(storage.dtype) + " values");
    const size_t element = torch_dtype_size(storage.dtype);
    if (count > kZipMaxEntrySize / element)
      return fail(error, "its storage " + key.text + " claims " + std::to_string(count) + " values, over the limit");
    const size_t bytes = static_cast<size_t>(count) * element;
    if (size - at < bytes)
      return fail(error, "it is truncated: storage " + key.text + " needs " + std::to_string(bytes) + " bytes, but " +
                             std::to_string(size - at) + " remain");
    (*storages)[key.text] = {data + at, bytes};
    at += bytes;
  }
  for (const auto& [key, storage] : named)
    if (!storages->count(key))
      return fail(error, "its list of storages lacks storage " + key + ", which its pickle uses");
  if (at != size) return fail(error, "it has " + std::to_string(size - at) + " bytes after its last storage");
  return true;
}

}  // namespace

bool torch_legacy_signature(const uint8_t* data, size_t size) {
  return size >= 2 && data[0] == 0x80 && data[1] >= 2 && data[1] <= 5;
}

bool torch_file_read(const uint8_t* data, size_t size, TorchFile* out, std::string* error) {
  TorchFile result;
  Pickle pickle;
  StorageMap storages;
  ZipArchive zip;
  if (!zip_signature(data, size) && torch_legacy_signature(data, size)) {
    result.legacy = true;
    if (!legacy_read(data, size, &pickle, &storages, error)) return false;
  } else {
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
    if (!pickle_load(pkl->data, pkl->size, &pickle, error)) return false;
    if (!zip_storages(zip, pickle, stem, &storages, error)) return false;
  }
  if (!read_object(pickle, storages, &result, error)) return false;
  *out = std::move(result);
  return true;
}

}  // namespace lp
