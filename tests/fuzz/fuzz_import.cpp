// fuzz_import: model_import on raw bytes (torch.save archives, safetensors),
// which covers the zip reader, the restricted unpickler and the tensor
// rebuild. An input that starts like a pickle (0x80) is also tried as the
// data.pkl of an archive that this harness builds with every storage the
// pickle names, so mutations reach past the archive's CRC-32 checks into the
// unpickler and the architecture inference. Such an input is also tried as
// the object pickle of a legacy-format file (PyTorch < 1.6) that this harness
// writes around it, with the storage list and storages it names; inputs that
// are legacy files themselves (corpus/fuzz_import/legacy_*) reach the legacy
// reader directly.
//
// Invariants: a refusal always says something; an imported model is a valid
// model file; and exporting it to safetensors and importing that gives the
// same model, bit for bit.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "interop/model_import.h"
#include "interop/pickle.h"
#include "interop/zip_builder.h"

namespace {

bool same_model(const lp::ModelFile& a, const lp::ModelFile& b) {
  if (a.parts != b.parts || a.model.kind != b.model.kind) return false;
  for (int net = 0; net < 2; ++net) {
    const lp::Mlp& x = net ? a.model.decoder : a.model.encoder;
    const lp::Mlp& y = net ? b.model.decoder : b.model.encoder;
    if (x.layers.size() != y.layers.size()) return false;
    for (size_t k = 0; k < x.layers.size(); ++k)
      if (x.layers[k].act != y.layers[k].act || x.layers[k].weight != y.layers[k].weight ||
          x.layers[k].bias != y.layers[k].bias)
        return false;
  }
  return true;
}

void check_import(const uint8_t* data, size_t size) {
  lp::ModelFile model;
  std::string error;
  if (!lp::model_import({{"fuzz.pth", data, size}}, {}, &model, &error)) {
    FUZZ_CHECK(!error.empty());
    return;
  }
  const std::vector<uint8_t> lpad = lp::model_file_encode(model);
  lp::ModelFile decoded;
  FUZZ_CHECK(lp::model_file_decode(lpad.data(), lpad.size(), &decoded, &error));
  const std::vector<uint8_t> st = lp::safetensors_encode(lp::model_to_safetensors(model));
  lp::ModelFile back;
  FUZZ_CHECK(lp::model_import({{"fuzz.safetensors", st.data(), st.size()}}, {}, &back, &error));
  FUZZ_CHECK(same_model(model, back));
}

// An archive around a bare data.pkl, with each storage it names filled with
// small deterministic values (at most 1 MiB in all).
void check_as_pickle(const uint8_t* data, size_t size) {
  lp::Pickle pickle;
  std::string error;
  if (!lp::pickle_load(data, size, &pickle, &error)) return;
  lp::test::ZipBuilder zip;
  zip.add("fuzz/data.pkl", std::vector<uint8_t>(data, data + size));
  std::set<std::string> added;
  size_t total = 0;
  for (const lp::PickleStorage& storage : pickle.storages) {
    const uint64_t bytes = static_cast<uint64_t>(storage.numel) * lp::torch_dtype_size(storage.dtype);
    if (storage.key.find('/') != std::string::npos || !added.insert(storage.key).second || bytes > (1u << 20) - total)
      continue;
    total += bytes;
    std::vector<uint8_t> values(bytes);
    for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<uint8_t>(0x3C + (i % 3));  // small floats
    zip.add("fuzz/data/" + storage.key, std::move(values));
  }
  const std::vector<uint8_t> archive = zip.bytes();
  check_import(archive.data(), archive.size());
}

// A legacy-format file around a bare object pickle: torch's magic number,
// protocol version and system info pickles, the object, the list of the
// storages it names, then each as an int64 element count and its bytes.
void check_as_legacy(const uint8_t* data, size_t size) {
  lp::Pickle pickle;
  std::string error;
  size_t consumed = 0;
  if (!lp::pickle_load(data, size, lp::PickleFormat::legacy, &pickle, &consumed, &error)) return;
  static const uint8_t kHeader[] = {
      0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, '.',  // the magic number
      0x80, 0x02, 'M', 0xe9, 0x03, '.',                                                         // 1001
      0x80, 0x02, '}', '.'};                                                                    // system info: {}
  std::vector<uint8_t> file(std::begin(kHeader), std::end(kHeader));
  file.insert(file.end(), data, data + consumed);
  std::vector<const lp::PickleStorage*> listed;
  std::set<std::string> added;
  size_t total = 0;
  for (const lp::PickleStorage& storage : pickle.storages) {
    const uint64_t bytes = static_cast<uint64_t>(storage.numel) * lp::torch_dtype_size(storage.dtype);
    if (storage.key.size() > 64 || !added.insert(storage.key).second || bytes > (1u << 20) - total) continue;
    total += bytes;
    listed.push_back(&storage);
  }
  const auto u32 = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) file.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  file.insert(file.end(), {0x80, 0x02, ']', '('});
  for (const lp::PickleStorage* storage : listed) {
    file.push_back('X');
    u32(static_cast<uint32_t>(storage->key.size()));
    file.insert(file.end(), storage->key.begin(), storage->key.end());
  }
  file.insert(file.end(), {'e', '.'});
  for (const lp::PickleStorage* storage : listed) {
    const uint64_t numel = static_cast<uint64_t>(storage->numel);
    u32(static_cast<uint32_t>(numel));
    u32(static_cast<uint32_t>(numel >> 32));
    for (uint64_t i = 0; i < numel * lp::torch_dtype_size(storage->dtype); ++i)
      file.push_back(static_cast<uint8_t>(0x3C + (i % 3)));  // small floats
  }
  check_import(file.data(), file.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  check_import(data, size);
  if (size > 0 && data[0] == 0x80) {
    check_as_pickle(data, size);
    check_as_legacy(data, size);
  }
  return 0;
}
