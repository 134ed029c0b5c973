// The model library as a plain WebAssembly module (latentpad_model.wasm, no
// Emscripten glue): the demo's decode workers run it, and so do the Node tests
// (tests/web/wasm_parity.mjs) and tools/bench/web. page/model_module.js is its
// JavaScript side. Every call works on the one model lpm_load() last accepted.
#include <emscripten.h>

#include <string>

#include "dense_kernel.h"
#include "model_file.h"

namespace {
lp::ModelFile g_model;
bool g_loaded = false;
std::string g_error;
}  // namespace

extern "C" {

// Returns 1 if `bytes` is a valid model file; otherwise 0, the previous model
// stays, and lpm_error() says why.
EMSCRIPTEN_KEEPALIVE int lpm_load(const uint8_t* bytes, int size) {
  lp::ModelFile model;
  if (size < 0 || !lp::model_file_decode(bytes, static_cast<size_t>(size), &model, &g_error)) return 0;
  g_model = std::move(model);
  g_loaded = true;
  return 1;
}

EMSCRIPTEN_KEEPALIVE const char* lpm_error() { return g_error.c_str(); }
EMSCRIPTEN_KEEPALIVE const char* lpm_kernel() { return lp::dense_kernel_name(); }

// Floats per code and per decoded image (0 before a model is loaded).
EMSCRIPTEN_KEEPALIVE int lpm_code_size() { return g_loaded ? g_model.model.decoder.in_size() : 0; }
EMSCRIPTEN_KEEPALIVE int lpm_image_size() { return g_loaded ? g_model.model.decoder.out_size() : 0; }

// images: n x image_size floats -> codes: n x code_size floats. 0 without an encoder.
EMSCRIPTEN_KEEPALIVE int lpm_encode(const float* images, int n, float* codes) {
  if (!g_loaded || g_model.model.encoder.layers.empty() || n < 0) return 0;
  lp::mlp_infer(g_model.model.encoder, images, n, codes);
  return 1;
}

// codes: n x code_size floats -> images: n x image_size floats.
EMSCRIPTEN_KEEPALIVE int lpm_decode(const float* codes, int n, float* images) {
  if (!g_loaded || n < 0) return 0;
  lp::mlp_infer(g_model.model.decoder, codes, n, images);
  return 1;
}

}  // extern "C"
