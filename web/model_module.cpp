// The model library as a Node module, for the wasm-vs-native parity test
// (tests/web/wasm_parity.mjs): load a model file, encode images, decode codes.
#include <emscripten.h>

#include <string>

#include "dense_kernel.h"
#include "model_file.h"

namespace {
lp::ModelFile g_model;
std::string g_error;
}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE int lpn_load(const uint8_t* bytes, int size) {
  return lp::model_file_decode(bytes, static_cast<size_t>(size), &g_model, &g_error) ? 1 : 0;
}

EMSCRIPTEN_KEEPALIVE const char* lpn_error() { return g_error.c_str(); }
EMSCRIPTEN_KEEPALIVE const char* lpn_kernel() { return lp::dense_kernel_name(); }

// images: n x in_size floats -> codes: n x latent floats.
EMSCRIPTEN_KEEPALIVE int lpn_encode(const float* images, int n, float* codes) {
  if (g_model.model.encoder.layers.empty()) return 0;
  lp::mlp_infer(g_model.model.encoder, images, n, codes);
  return 1;
}

// codes: n x latent floats -> pixels: n x out_size floats.
EMSCRIPTEN_KEEPALIVE int lpn_decode(const float* codes, int n, float* pixels) {
  if (g_model.model.decoder.layers.empty()) return 0;
  lp::mlp_infer(g_model.model.decoder, codes, n, pixels);
  return 1;
}

}  // extern "C"
