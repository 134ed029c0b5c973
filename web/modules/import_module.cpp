// The importer as a plain WebAssembly module (latentpad_import.wasm, no
// Emscripten glue): src/interop's reader of torch.save archives and
// safetensors, the same code as `latentpad import`. The page fetches it only
// when a user picks or drops a .pth or .safetensors file, so the first load
// does not carry it. page/import_module.js is its JavaScript side.
//
//   lpi_reset()                        forget the files added so far
//   lpi_add(name, bytes, size)         add one file (an encoder and a decoder make two)
//   lpi_run(&size) -> bytes | 0        the .lpad file, or 0 and lpi_error()
#include <emscripten.h>

#include <string>
#include <vector>

#include "interop/model_import.h"

namespace {

struct AddedFile {
  std::string name;
  std::vector<uint8_t> bytes;
};

std::vector<AddedFile> g_files;
std::vector<uint8_t> g_result;
std::string g_error;

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE const char* lpi_error() { return g_error.c_str(); }

EMSCRIPTEN_KEEPALIVE void lpi_reset() {
  g_files.clear();
  g_result.clear();
  g_error.clear();
}

EMSCRIPTEN_KEEPALIVE int lpi_add(const char* name, const uint8_t* bytes, int size) {
  if (size < 0 || g_files.size() >= 2) {
    g_error = "import takes one model file, or an encoder and a decoder saved apart";
    return 0;
  }
  g_files.push_back({name, std::vector<uint8_t>(bytes, bytes + size)});
  return 1;
}

EMSCRIPTEN_KEEPALIVE const uint8_t* lpi_run(int* size) {
  std::vector<lp::ImportFile> files;
  for (const AddedFile& file : g_files) files.push_back({file.name, file.bytes.data(), file.bytes.size()});
  lp::ModelFile model;
  if (!lp::model_import(files, {}, &model, &g_error)) return nullptr;
  model.meta["imported_in"] = "browser (latentpad_import.wasm)";
  g_result = lp::model_file_encode(model);
  *size = static_cast<int>(g_result.size());
  return g_result.data();
}

}  // extern "C"
