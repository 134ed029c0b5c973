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
  if (std::string(name) == "model" || std::string(name) == "codes") lp::web::code_space_model_changed(*g_app);
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
  const int width = data.model.model.latent();
  if (encoder && encoder->in_size() == lp::web::kPixels && data.image_count > 0) {
    data.codes.resize(static_cast<size_t>(width) * data.image_count);
    data.code_width = width;
    lp::autoencoder_encode(data.model.model, data.images.data(), data.image_count, data.codes.data());
    data.labels.resize(data.image_count);
    g_app->status = std::string("Loaded ") + file_name + "; the scatter shows its codes of the first " +
                    std::to_string(data.image_count) + " test images";
  } else {
    data.codes.clear();
    data.labels.clear();
    g_app->status = std::string("Loaded ") + file_name + " (no encoder: no scatter)";
  }
  lp::web::code_space_model_changed(*g_app);
  g_app->digit_dirty = g_app->manifold_dirty = g_app->recon_dirty = true;
  ++g_app->manifold_token;
  g_app->scatter_pixels = 0;
  return 1;
}

EMSCRIPTEN_KEEPALIVE void lp_set_error(const char* message) { g_app->error = message; }

// The codes of the whole test set under the page's model (encoded by the
// decode workers after a user's model loaded): n x the model's width floats
// and n labels.
EMSCRIPTEN_KEEPALIVE void lp_set_codes(const float* codes, const uint8_t* labels, int n, const char* note) {
  g_app->data.code_width = g_app->latent;
  g_app->data.codes.assign(codes, codes + static_cast<size_t>(g_app->latent) * n);
  g_app->data.labels.assign(labels, labels + n);
  g_app->scatter_pixels = 0;
  g_app->status = note;
  ++g_app->model_serial;  // the nearest-neighbour views depend on the codes too
  lp::web::code_space_model_changed(*g_app);  // a PCA plane follows the codes
}

// The page now shows a shipped model: the data set's (0 MNIST, 1
// Fashion-MNIST) autoencoder (kind 0) or VAE (1).
EMSCRIPTEN_KEEPALIVE void lp_set_dataset(int dataset, int kind) {
  g_app->dataset = dataset == 1 ? 1 : 0;
  g_app->site_kind = kind == 1 ? 1 : 0;
}

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

// The codes the scatter shows (the model's width each); *count receives how many.
EMSCRIPTEN_KEEPALIVE const float* lp_scatter_codes(int* count) {
  *count = g_app->data.code_count();
  return g_app->data.codes.data();
}

// The error line the page shows ("" when there is none).
EMSCRIPTEN_KEEPALIVE const char* lp_error() { return g_app->error.c_str(); }

EMSCRIPTEN_KEEPALIVE int lp_model_ready() { return g_app->data.model_ready ? 1 : 0; }

// The digit at pad coordinates (x, y): for a 2-D model on its default plane,
// the code (x, y). out receives 784 floats, row-major, in [0, 1]. Returns 0
// without a model.
EMSCRIPTEN_KEEPALIVE int lp_decode(float x, float y, float* out) {
  if (!g_app->data.model_ready) return 0;
  std::vector<float> code(g_app->latent);
  lp::web::pad_to_code(*g_app, x, y, code.data());
  lp::web::demo_decode(g_app->data, code.data(), 1, out);
  return 1;
}

// n codes (the model's width each) -> n digits of 784 floats, on the main thread.
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

// Moves the point to pad coordinates (x, y), along the plane (code_space.h).
EMSCRIPTEN_KEEPALIVE void lp_set_latent(float x, float y) { lp::web::code_move_on_pad(*g_app, x, y); }

// The model's code width (0 before a model is loaded).
EMSCRIPTEN_KEEPALIVE int lp_code_width() { return g_app->data.model_ready ? g_app->latent : 0; }

// The full code: lp_code_width() floats.
EMSCRIPTEN_KEEPALIVE const float* lp_code() { return g_app->code.data(); }

// Sets the full code (n must be the model's width). Returns 1 if it did.
EMSCRIPTEN_KEEPALIVE int lp_set_code(const float* code, int n) {
  if (!g_app->data.model_ready || n != g_app->latent) return 0;
  for (int k = 0; k < n; ++k)
    if (!std::isfinite(code[k])) return 0;
  lp::web::code_set(*g_app, code);
  return 1;
}

// The pad's plane: spanned by code dimensions i and j, or (pca) the test
// codes' first two principal components; the other coordinates held at the
// origin (anchor 0), test image `image`'s code (1) or the drawing's (2).
// Returns 1, or 0 for an impossible setting.
EMSCRIPTEN_KEEPALIVE int lp_set_plane(int pca, int i, int j, int anchor, int image) {
  lp::web::AppState& s = *g_app;
  if (!s.data.model_ready || i < 0 || j < 0 || i >= s.latent || j >= s.latent || anchor < 0 || anchor > 2) return 0;
  if (!pca && i == j && s.latent > 1) return 0;
  if (anchor == 1 && (image < 0 || image >= s.data.image_count)) return 0;
  s.plane.pca = pca != 0;
  s.plane.axes[0] = i;
  s.plane.axes[1] = j;
  s.plane.anchor = anchor;
  s.plane.anchor_image = image;
  lp::web::plane_update(s);
  return 1;
}

// The Reconstruction panel's state as JSON: {index, sampled, mse, z}, z being
// the code it decoded (mu, or a VAE's draw from the posterior when sampled).
EMSCRIPTEN_KEEPALIVE const char* lp_reconstruction_info() {
  static std::string out;
  const lp::web::AppState& s = *g_app;
  char head[96];
  std::snprintf(head, sizeof head, "{\"index\":%d,\"sampled\":%s,\"mse\":%.9g,\"z\":[", s.recon_index,
                s.vae && s.recon_sample ? "true" : "false", s.recon_mse);
  out = head;
  for (size_t k = 0; k < s.recon_code.size(); ++k) {
    char number[24];
    std::snprintf(number, sizeof number, "%s%.9g", k ? "," : "", s.recon_code[k]);
    out += number;
  }
  out += "]}";
  return out.c_str();
}

// The prior strip's codes (the Manifold panel's "Sample from the prior"):
// lp_prior_count() codes of lp_code_width() floats each; 0 before the first draw.
EMSCRIPTEN_KEEPALIVE int lp_prior_count() {
  return static_cast<int>(g_app->prior_codes.size()) == g_app->prior_samples * g_app->latent ? g_app->prior_samples : 0;
}
EMSCRIPTEN_KEEPALIVE const float* lp_prior_codes() { return g_app->prior_codes.data(); }

// The plane as JSON ({"axes":[i,j],"pca":bool,"anchor":"origin"|"test image"|
// "drawing","image":n}); its vectors through lp_plane_vector.
EMSCRIPTEN_KEEPALIVE const char* lp_plane_info() {
  static char json[160];
  const lp::web::CodePlane& p = g_app->plane;
  static const char* const kAnchors[] = {"origin", "test image", "drawing"};
  std::snprintf(json, sizeof json, "{\"axes\":[%d,%d],\"pca\":%s,\"anchor\":\"%s\",\"image\":%d}", p.axes[0],
                p.axes[1], p.pca_ready ? "true" : "false", kAnchors[std::clamp(p.anchor, 0, 2)], p.anchor_image);
  return json;
}

// The plane's anchor point (0), u (1) or v (2): lp_code_width() floats.
EMSCRIPTEN_KEEPALIVE const float* lp_plane_vector(int which) {
  const lp::web::CodePlane& p = g_app->plane;
  return which == 1 ? p.u.data() : which == 2 ? p.v.data() : p.origin.data();
}

// The page's model as JSON: kind, code width, the encoder's and decoder's
// layer sizes, the hidden activation and the data set it names.
EMSCRIPTEN_KEEPALIVE const char* lp_model_info() {
  static std::string json;
  const lp::ModelFile& file = g_app->data.model;
  // A VAE's two heads count once, as the code's width (mu's).
  auto sizes = [&](const lp::Mlp* mlp, bool heads) {
    std::string out = "[";
    if (mlp) {
      lp::MlpSpec spec = mlp->spec();
      if (heads && file.model.is_vae()) spec.sizes.back() /= 2;
      for (size_t k = 0; k < spec.sizes.size(); ++k) out += (k ? "," : "") + std::to_string(spec.sizes[k]);
    }
    return out + "]";
  };
  std::string activation = "tanh";
  if (const lp::Mlp* decoder = file.decoder(); decoder && decoder->layers.size() > 1)
    activation = lp::activation_name(decoder->layers.front().act);
  const auto dataset = file.meta.find("dataset");
  json = std::string("{\"kind\":") + (file.model.is_vae() ? "\"variational autoencoder\"" : "\"autoencoder\"") +
         ",\"latent\":" + std::to_string(file.model.latent()) + ",\"encoder\":" + sizes(file.encoder(), true) +
         ",\"decoder\":" + sizes(file.decoder(), false) + ",\"activation\":" + json_string(activation) +
         ",\"dataset\":" + json_string(dataset == file.meta.end() ? "" : dataset->second) + "}";
  return json.c_str();
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
  // The walk's endpoints on the pad (for a 2-D model, their codes).
  float from[2] = {0, 0}, to[2] = {0, 0};
  if (static_cast<int>(s.walk.from.size()) == s.latent) lp::web::code_to_pad(s, s.walk.from.data(), from);
  if (static_cast<int>(s.walk.to.size()) == s.latent) lp::web::code_to_pad(s, s.walk.to.data(), to);
  std::snprintf(json, sizeof json,
                "{\"pad\":[%.1f,%.1f,%.1f,%.1f],\"digit\":[%.1f,%.1f,%.1f,%.1f],\"manifold\":[%.1f,%.1f,%.1f,%.1f],"
                "\"draw_rect\":[%.1f,%.1f,%.1f,%.1f],\"draw_clear\":[%.1f,%.1f,%.1f,%.1f],"
                "\"walk\":[%.1f,%.1f,%.1f,%.1f],\"walk_from\":[%.6f,%.6f],\"walk_to\":[%.6f,%.6f],\"walk_steps\":%d,"
                "\"range\":%g,\"kernel\":\"%s\",\"frames\":%d}",
                p.x, p.y, p.z, p.w, d.x, d.y, d.z, d.w, m.x, m.y, m.z, m.w, dr.x, dr.y, dr.z, dr.w, c.x, c.y, c.z, c.w,
                w.x, w.y, w.z, w.w, from[0], from[1], to[0], to[1], s.walk.steps,
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
  out += ",\"prior\":" + json_rect(s.prior_rect) + ",\"prior_button\":" + json_rect(s.prior_button_rect) +
         ",\"recon\":" + json_rect(s.recon_rect) + ",\"recon_sample\":" + json_rect(s.recon_sample_rect) +
         ",\"recon_redraw\":" + json_rect(s.recon_redraw_rect) +
         ",\"compare\":[" + json_rect(s.compare.rect[0]) + "," +
         json_rect(s.compare.rect[1]) + "]";
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
  const int width = g_app->latent;
  std::vector<float> codes(static_cast<size_t>(width) * count), pixels(static_cast<size_t>(count) * lp::web::kPixels);
  for (int i = 0; i < count; ++i)
    lp::web::pad_to_code(*g_app, -1.0f + 2.0f * (i % 97) / 96.0f, 1.0f - 2.0f * (i % 89) / 88.0f, &codes[i * width]);
  const double t0 = lp::web::now_ms();
  for (int r = 0; r < repeats; ++r) lp::web::demo_decode(g_app->data, codes.data(), count, pixels.data());
  return (lp::web::now_ms() - t0) / repeats;
}

}  // extern "C"
