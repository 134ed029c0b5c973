// Loading and using the demo's data: bytes in, validated model and arrays out.
// Everything is checked here, in wasm, so a bad file becomes a message in the
// UI and never a crash or a blank page.
#pragma once
#include <string>

#include "app_state.h"

namespace lp::web {

constexpr int kImageSide = 28;
constexpr int kPixels = kImageSide * kImageSide;

// name is one of "model", "codes", "labels", "images". Returns an empty
// string on success, otherwise what is wrong; `data` is unchanged on failure.
std::string demo_load(DemoData& data, const std::string& name, const uint8_t* bytes, size_t size);

// Sets `count` parameters, flat (autoencoder_parameters_get's order), into the
// loaded model, and repacks its decoder. Returns false, changing nothing, if
// no model is loaded or it has another parameter count.
bool demo_set_parameters(DemoData& data, const float* parameters, size_t count);

// n codes (2 floats each) -> n digits (kPixels floats each) through the SIMD decoder.
void demo_decode(const DemoData& data, const float* codes, int n, float* pixels);

// Milliseconds since an arbitrary origin (performance.now()).
double now_ms();

}  // namespace lp::web
