// The C functions page/app.js calls: file loading, and window.latentpad's
// decode / setLatent / getLatent, plus layout and timing hooks for the tests
// and the benchmark.
#include <emscripten.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "app_state.h"
#include "formats/code_text.h"
#include "demo_data.h"
#include "kernels/dense_kernel.h"
#include "panels.h"

namespace lp::web {
extern AppState* g_app;
}

using lp::web::g_app;

// JSON pieces for lp_layout (outside the extern "C" block: they return C++ types).
namespace {
std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out + "\"";
}
std::string json_rect(const ImVec4& r) {
  char text[96];
  std::snprintf(text, sizeof text, "[%.1f,%.1f,%.1f,%.1f]", r.x, r.y, r.z, r.w);
  return text;
}
}  // namespace

extern "C" {

// Hands one fetched file to the app. Returns 1 on success; on failure the
// message is shown in the page and the previous data stays in use.
EMSCRIPTEN_KEEPALIVE int lp_load(const char* name, const uint8_t* bytes, int size) {
  const std::string error = lp::web::demo_load(g_app->data, name, bytes, static_cast<size_t>(size));
  if (!error.empty()) {
    g_app->error = error;
    return 0;
  }
  // A good model replaces a bad one (the user's retry); other files leave an
  // earlier error, e.g. a rejected model, on screen.
  if (std::string(name) == "model") {
    g_app->error.clear();
    ++g_app->model_serial;
  }
  // Everything derived from the data is stale now, including a manifold the
  // workers are still decoding with the previous model.
  g_app->digit_dirty = g_app->manifold_dirty = g_app->recon_dirty = true;
  ++g_app->manifold_token;
  g_app->scatter_pixels = 0;
  return 1;
}

// A model file the user picked or dropped: validated like the site's model;
// on failure the message names the file and the current model stays loaded.
// A new encoder re-encodes the bundled test images, so the scatter shows the
// new model's codes (for those images only: the site ships codes, not images,
// for the rest of the test set).
EMSCRIPTEN_KEEPALIVE int lp_load_user_model(const char* file_name, const uint8_t* bytes, int size) {
  ++g_app->model_serial;
  lp::web::DemoData& data = g_app->data;
  const std::string error = lp::web::demo_load(data, "model", bytes, static_cast<size_t>(size));
  if (!error.empty()) {
    g_app->error = std::string(file_name) + ": " + error + " (the previous model is still loaded)";
    return 0;
  }
  g_app->error.clear();
  const lp::Mlp* encoder = data.model.encoder();
  if (encoder && encoder->in_size() == lp::web::kPixels && data.model.model.latent() == 2 && data.image_count > 0) {
    data.codes.resize(2 * static_cast<size_t>(data.image_count));
    lp::autoencoder_encode(data.model.model, data.images.data(), data.image_count, data.codes.data());
    data.labels.resize(data.image_count);
    g_app->status = std::string("Loaded ") + file_name + "; the scatter shows its codes of the first " +
                    std::to_string(data.image_count) + " test images";
  } else {
    data.codes.clear();
    data.labels.clear();
    g_app->status = std::string("Loaded ") + file_name + " (no encoder: no scatter)";
  }
  g_app->digit_dirty = g_app->manifold_dirty = g_app->recon_dirty = true;
  ++g_app->manifold_token;
  g_app->scatter_pixels = 0;
  return 1;
}

EMSCRIPTEN_KEEPALIVE void lp_set_error(const char* message) { g_app->error = message; }

// The codes of the whole test set under the page's model (encoded by the
// decode workers after a user's model loaded): n x 2 floats and n labels.
EMSCRIPTEN_KEEPALIVE void lp_set_codes(const float* codes, const uint8_t* labels, int n, const char* note) {
  g_app->data.codes.assign(codes, codes + 2 * static_cast<size_t>(n));
  g_app->data.labels.assign(labels, labels + n);
  g_app->scatter_pixels = 0;
  g_app->status = note;
  ++g_app->model_serial;  // the nearest-neighbour views depend on the codes too
}

// The page now shows this data set's shipped model (0 MNIST, 1 Fashion-MNIST).
EMSCRIPTEN_KEEPALIVE void lp_set_dataset(int dataset) { g_app->dataset = dataset == 1 ? 1 : 0; }

// The data set the page's model says it was trained on ("" when it does not say).
EMSCRIPTEN_KEEPALIVE const char* lp_model_dataset() {
  const auto& meta = g_app->data.model.meta;
  const auto found = meta.find("dataset");
  return found == meta.end() ? "" : found->second.c_str();
}

// Opens one of the tabs under the digit (lp::web::Tab) in the next frame.
EMSCRIPTEN_KEEPALIVE void lp_show_tab(int tab) {
  g_app->requested_tab = tab;
  g_app->digit_dirty = true;  // any change of view wakes the page
}

// The codes the scatter shows (2 floats each); *count receives how many.
EMSCRIPTEN_KEEPALIVE const float* lp_scatter_codes(int* count) {
  *count = g_app->data.code_count();
  return g_app->data.codes.data();
}

// The error line the page shows ("" when there is none).
EMSCRIPTEN_KEEPALIVE const char* lp_error() { return g_app->error.c_str(); }

EMSCRIPTEN_KEEPALIVE int lp_model_ready() { return g_app->data.model_ready ? 1 : 0; }

// out receives 784 floats, row-major, in [0, 1]. Returns 0 without a model.
EMSCRIPTEN_KEEPALIVE int lp_decode(float x, float y, float* out) {
  if (!g_app->data.model_ready) return 0;
  const float code[2] = {x, y};
  lp::web::demo_decode(g_app->data, code, 1, out);
  return 1;
}

// n codes (2 floats each) -> n digits of 784 floats, on the main thread.
EMSCRIPTEN_KEEPALIVE int lp_decode_batch(const float* codes, int n, float* out) {
  if (!g_app->data.model_ready || n < 0) return 0;
  lp::web::demo_decode(g_app->data, codes, n, out);
  return 1;
}

// The decode workers finished request `token` (see decode_in_workers in
// panels.cpp): its digits are in manifold_pixels. A stale answer (the model
// changed meanwhile) is dropped; the change already asked for a new one.
EMSCRIPTEN_KEEPALIVE void lp_manifold_done(int token, int workers) {
  if (token == g_app->manifold_token) lp::web::manifold_show(*g_app, workers);
  else g_app->manifold_in_flight = false;
}

// The workers failed (the page has switched to main-thread decoding): ask again.
EMSCRIPTEN_KEEPALIVE void lp_manifold_failed(int token) {
  g_app->manifold_in_flight = false;
  if (token == g_app->manifold_token) g_app->manifold_dirty = true;
}

// Recompute the manifold at `grid` x `grid` (2-32), as moving the slider does.
EMSCRIPTEN_KEEPALIVE int lp_manifold_rebuild(int grid) {
  if (grid < 2 || grid > 32) return 0;
  g_app->grid = grid;
  g_app->manifold_dirty = true;
  return 1;
}

// JSON describing the manifold on screen, for tests and tools/bench/web.
EMSCRIPTEN_KEEPALIVE const char* lp_manifold_info() {
  static char json[160];
  const lp::web::AppState& s = *g_app;
  std::snprintf(json, sizeof json, "{\"grid\":%d,\"range\":%g,\"ms\":%.3f,\"workers\":%d,\"serial\":%d}",
                s.manifold_shown_grid, s.manifold_shown_range, s.manifold_decode_ms, s.manifold_workers,
                s.manifold_serial);
  return json;
}

EMSCRIPTEN_KEEPALIVE void lp_set_latent(float x, float y) {
  g_app->z[0] = x;
  g_app->z[1] = y;
  g_app->digit_dirty = true;
}

EMSCRIPTEN_KEEPALIVE float lp_get_latent(int axis) { return g_app->z[axis == 0 ? 0 : 1]; }

// "x,y" as in the page's ?z= parameter. Returns 1 if it parsed.
EMSCRIPTEN_KEEPALIVE int lp_set_latent_text(const char* text) {
  std::vector<float> code;
  std::string error;
  if (!lp::code_parse(text, 2, &code, &error)) {
    g_app->error = "?z=" + std::string(text).substr(0, 40) + ": " + error;
    return 0;
  }
  // Show the point: widen the visible range if it lies outside.
  const float extent = std::max(std::fabs(code[0]), std::fabs(code[1]));
  if (extent > g_app->range) g_app->range = extent * 1.1f;
  lp_set_latent(code[0], code[1]);
  return 1;
}

// JSON with where things are on screen (CSS pixels), the visible range, the
// dense kernel and how many frames have been drawn; then the layout checks:
// the device pixel ratio the font atlas is rasterised for (dpr), what the
// last frame could not fit (clipped), the scrolling panels' rect, scroll
// position and range, the open tab's opening sentence, and how the
// Reconstruction and Walk panels name their test images.
EMSCRIPTEN_KEEPALIVE const char* lp_layout() {
  static char json[768];
  static std::string out;
  const lp::web::AppState& s = *g_app;
  const ImVec4 p = s.pad_rect, d = s.digit_rect, m = s.manifold_rect;
  const ImVec4 dr = s.draw_rect, c = s.draw_clear_rect, w = s.walk_rect;
  std::snprintf(json, sizeof json,
                "{\"pad\":[%.1f,%.1f,%.1f,%.1f],\"digit\":[%.1f,%.1f,%.1f,%.1f],\"manifold\":[%.1f,%.1f,%.1f,%.1f],"
                "\"draw_rect\":[%.1f,%.1f,%.1f,%.1f],\"draw_clear\":[%.1f,%.1f,%.1f,%.1f],"
                "\"walk\":[%.1f,%.1f,%.1f,%.1f],\"walk_from\":[%.6f,%.6f],\"walk_to\":[%.6f,%.6f],\"walk_steps\":%d,"
                "\"range\":%g,\"kernel\":\"%s\",\"frames\":%d}",
                p.x, p.y, p.z, p.w, d.x, d.y, d.z, d.w, m.x, m.y, m.z, m.w, dr.x, dr.y, dr.z, dr.w, c.x, c.y, c.z, c.w,
                w.x, w.y, w.z, w.w, s.walk.from[0], s.walk.from[1], s.walk.to[0], s.walk.to[1], s.walk.steps,
                s.range, lp::dense_kernel_name(), s.frames_drawn);
  out.assign(json, std::strlen(json) - 1);  // without the closing brace
  char more[160];
  std::snprintf(more, sizeof more, ",\"dpr\":%g,\"font_scale\":%g,\"scroll\":[%.1f,%.1f]", s.pixel_ratio,
                ImGui::GetIO().FontGlobalScale, s.panels_scroll, s.panels_scroll_max);
  out += more;
  // The font the atlas holds: "DejaVu Sans (subset)", or ImGui's built-in one
  // when the page's could not be read (web/app/main.cpp, build_fonts).
  const ImFontAtlas& atlas = *ImGui::GetIO().Fonts;
  out += ",\"font\":" + json_string(atlas.Fonts.Size > 0 ? atlas.Fonts[0]->GetDebugName() : "");
  out += ",\"code_x\":" + json_rect(s.code_x_rect) + ",\"code_y\":" + json_rect(s.code_y_rect);
  out += ",\"panels\":" + json_rect(s.panels_rect) + ",\"intro\":" + json_rect(s.intro_rect) + ",\"clipped\":[";
  for (size_t i = 0; i < s.clipped.size(); ++i) out += (i ? "," : "") + json_string(s.clipped[i]);
  out += "],\"names\":{\"reconstruction\":" + json_string(s.recon_caption) + ",\"walk\":[" +
         json_string(s.walk_captions[0]) + "," + json_string(s.walk_captions[1]) + "]}}";
  return out.c_str();
}

// Decodes `count` codes spread over [-1,1]^2 `repeats` times; returns the
// mean milliseconds per repeat. For tools/bench/web.
EMSCRIPTEN_KEEPALIVE double lp_bench_decode(int count, int repeats) {
  if (!g_app->data.model_ready || count < 1 || repeats < 1) return -1;
  std::vector<float> codes(2 * count), pixels(static_cast<size_t>(count) * lp::web::kPixels);
  for (int i = 0; i < count; ++i) {
    codes[2 * i] = -1.0f + 2.0f * (i % 97) / 96.0f;
    codes[2 * i + 1] = 1.0f - 2.0f * (i % 89) / 88.0f;
  }
  const double t0 = lp::web::now_ms();
  for (int r = 0; r < repeats; ++r) lp::web::demo_decode(g_app->data, codes.data(), count, pixels.data());
  return (lp::web::now_ms() - t0) / repeats;
}

}  // extern "C"
