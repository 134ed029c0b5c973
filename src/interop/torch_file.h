// What torch.save writes (the zip format of PyTorch 1.6 to 2.x), read without
// Python and without running anything: the archive (interop/zip_archive.h),
// its data.pkl through the restricted unpickler (interop/pickle.h), and the
// tensors rebuilt from the archive's storages as float32.
//
// The pickled object is either a whole nn.Module, kept as a tree of modules
// with their own parameters, or a state_dict of tensors. Storages saved from a
// GPU ("cuda:0") load on the CPU, as map_location='cpu' would load them.
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

struct TorchFile {
  bool is_module = false;
  TorchModule module;              // torch.save(model)
  std::vector<NamedTensor> state;  // torch.save(model.state_dict())
};

// Module trees deeper than this are refused (a model is a handful of levels).
constexpr int kTorchMaxDepth = 32;
constexpr int kTorchMaxModules = 10000;

// Fails, naming what it refused, on anything else.
bool torch_file_read(const uint8_t* data, size_t size, TorchFile* out, std::string* error);

// True when the bytes look like torch.save's legacy format (PyTorch < 1.6), a
// bare pickle rather than a zip, so the caller can say so.
bool torch_legacy_signature(const uint8_t* data, size_t size);

}  // namespace lp
