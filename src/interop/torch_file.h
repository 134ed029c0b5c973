// What torch.save writes, read without Python and without running anything:
//   - the zip format of PyTorch 1.6 to 2.x: the archive
//     (interop/zip_archive.h) and its data.pkl through the restricted
//     unpickler (interop/pickle.h), storages as the archive's data/<key>;
//   - the legacy format of PyTorch before 1.6 (_use_new_zipfile_serialization
//     =False): five pickles in a row (the magic number, the protocol version
//     1001, a dict of system info, the object, the list of storage keys), then
//     each storage in that list's order as a little-endian int64 element count
//     and its raw little-endian bytes.
// Tensors are rebuilt from the storages as float32. Storages saved from a GPU
// ("cuda:0") load on the CPU, as map_location='cpu' would load them.
//
// The saved object is a model (a whole nn.Module, kept as a tree of modules
// with their own parameters, or a state_dict of tensors), or a dict holding
// models under some keys: a training checkpoint such as PyTorch's tutorial
// saves, {'epoch', 'model_state_dict', 'optimizer_state_dict', 'loss'}. Then
// every module and every state_dict in it, nested dicts included, is a
// candidate, and everything else is passed over. An optimizer's state_dict
// (a dict with 'param_groups', whose 'state' is keyed by integer parameter
// ids) and anything under a key naming an optimizer, a scheduler or a scaler,
// is never looked into: Adam's exp_avg and exp_avg_sq have the weights'
// shapes, but are not weights. Neither is a dict of tensors without a
// "weight" among its names.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "interop/tensor.h"

namespace lp {

struct TorchModule {
  std::string name;  // its attribute name in the parent ("" for the root)
  std::string type;  // its class as "module.name", e.g. "torch.nn.modules.linear.Linear"
  std::vector<NamedTensor> parameters;  // its own: "weight", "bias"
  std::vector<TorchModule> children;    // its _modules, in order
};

// One model a file holds.
struct TorchModel {
  // Where: "" for the saved object itself; else its keys in the saved dict,
  // joined by '.' for nested dicts ("model_state_dict", "checkpoint.model").
  std::string key;
  bool is_module = false;
  TorchModule module;              // torch.save(model)
  std::vector<NamedTensor> state;  // torch.save(model.state_dict())
};

struct TorchFile {
  bool legacy = false;  // the format of PyTorch before 1.6
  // True when the saved object is a dict holding models (a checkpoint), not a model.
  bool checkpoint = false;
  // The saved object itself (one, key ""), or the candidates a checkpoint
  // holds, in the order the dict gives them (at most kTorchMaxCandidates).
  std::vector<TorchModel> models;
  // For a checkpoint: its top-level entries and what they are, for messages:
  // "'epoch' (an int), 'model_state_dict' (a state_dict), 'optimizer_state_dict' (an optimizer's state)".
  std::string contents;
};

// Module trees deeper than this are refused (a model is a handful of levels).
constexpr int kTorchMaxDepth = 32;
constexpr int kTorchMaxModules = 10000;
constexpr size_t kTorchMaxCandidates = 16;  // models in one checkpoint
constexpr int kTorchMaxDictDepth = 8;       // dicts in dicts searched for models

// Either format. Fails, naming what it refused, on anything else.
bool torch_file_read(const uint8_t* data, size_t size, TorchFile* out, std::string* error);

// True when the bytes start like torch.save's legacy format (PyTorch < 1.6):
// a bare pickle (PROTO 2 to 5) rather than a zip.
bool torch_legacy_signature(const uint8_t* data, size_t size);

}  // namespace lp
