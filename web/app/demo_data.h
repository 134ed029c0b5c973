// Loading and using the demo's data: bytes in, validated model and arrays out.
// Everything is checked here, in wasm, so a bad file becomes a message in the
// UI and never a crash or a blank page.
#pragma once
#include <string>

#include "app_state.h"

namespace lp::web {

constexpr int kImageSide = 28;
constexpr int kPixels = kImageSide * kImageSide;
constexpr int kMaxCode = 256;  // the widest code the page takes (the CLI's --latent limit)

// name is one of "model", "codes", "labels", "images". Returns an empty
// string on success, otherwise what is wrong; `data` is unchanged on failure.
std::string demo_load(DemoData& data, const std::string& name, const uint8_t* bytes, size_t size);

// Sets `count` parameters, flat (autoencoder_parameters_get's order), into the
// loaded model, and repacks its decoder. Returns false, changing nothing, if
// no model is loaded or it has another parameter count.
bool demo_set_parameters(DemoData& data, const float* parameters, size_t count);

// n codes (the model's width each) -> n digits (kPixels floats each) through the SIMD decoder.
void demo_decode(const DemoData& data, const float* codes, int n, float* pixels);

// n images (kPixels floats each) -> their codes, n x the model's width (a
// VAE's mu), and for a VAE, when logvar is not null, the posterior's
// log-variances, n x width. The model must have a 784-pixel encoder.
void demo_encode(const DemoData& data, const float* images, int n, float* codes, float* logvar = nullptr);

// Whether the model can encode the page's 28x28 images.
bool demo_can_encode(const DemoData& data);

// Squared Euclidean distance between two codes of `width` floats.
float code_distance2(const float* a, const float* b, int width);

// Milliseconds since an arbitrary origin (performance.now()).
double now_ms();

}  // namespace lp::web
