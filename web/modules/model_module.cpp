// The model library as a plain WebAssembly module (latentpad_model.wasm, no
// Emscripten glue): the demo's decode workers run it, and so do the Node tests
// (tests/web/wasm_parity.mjs) and tools/bench/web. page/model_module.js is its
// JavaScript side. Every call works on the one model lpm_load() last accepted.
#include <emscripten.h>

#include <string>

#include "kernels/dense_kernel.h"
#include "formats/model_file.h"

namespace {
lp::ModelFile g_model;
lp::PackedMlp g_decoder_packed;  // the decoder's weights as the SIMD kernel reads large batches
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
  g_decoder_packed = g_model.decoder() ? lp::mlp_pack(*g_model.decoder()) : lp::PackedMlp{};
  g_loaded = true;
  return 1;
}

EMSCRIPTEN_KEEPALIVE const char* lpm_error() { return g_error.c_str(); }
EMSCRIPTEN_KEEPALIVE const char* lpm_kernel() { return lp::dense_kernel_name(); }

const lp::Mlp* loaded_encoder() { return g_loaded ? g_model.encoder() : nullptr; }
const lp::Mlp* loaded_decoder() { return g_loaded ? g_model.decoder() : nullptr; }

// Floats per code and per image: from the decoder, or the encoder of an
// encoder-only file; 0 before a model is loaded.
EMSCRIPTEN_KEEPALIVE int lpm_code_size() {
  return g_loaded ? g_model.model.latent() : 0;
}
EMSCRIPTEN_KEEPALIVE int lpm_image_size() {
  return loaded_decoder() ? loaded_decoder()->out_size() : loaded_encoder() ? loaded_encoder()->in_size() : 0;
}

// images: n x image_size floats -> codes: n x code_size floats. 0 (and an
// error) when the loaded file has no encoder.
EMSCRIPTEN_KEEPALIVE int lpm_encode(const float* images, int n, float* codes) {
  if (!loaded_encoder()) return g_error = g_loaded ? "this model file has no encoder" : "no model is loaded", 0;
  if (n < 0) return 0;
  lp::autoencoder_encode(g_model.model, images, n, codes);  // a VAE's mu
  return 1;
}

// codes: n x code_size floats -> images: n x image_size floats. 0 (and an
// error) when the loaded file has no decoder.
EMSCRIPTEN_KEEPALIVE int lpm_decode(const float* codes, int n, float* images) {
  if (!loaded_decoder()) return g_error = g_loaded ? "this model file has no decoder" : "no model is loaded", 0;
  if (n < 0) return 0;
  lp::mlp_infer(*loaded_decoder(), g_decoder_packed, codes, n, images);
  return 1;
}

}  // extern "C"
