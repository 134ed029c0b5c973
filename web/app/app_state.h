// Everything the demo knows, in one struct (the Dear ImGui examples' style):
// main.cpp owns one AppState, the panels read and change it.
#pragma once
#include <GLES3/gl3.h>
#include <SDL.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/rng.h"
#include "code_space.h"
#include "imgui.h"
#include "formats/model_file.h"

namespace lp::web {

// A [0,1] value as an 8-bit grey level (NaN as black).
inline uint8_t gray_byte(float v) {
  return static_cast<uint8_t>((v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f) * 255.0f + 0.5f);
}

// A texture for ImGui::Image, uploaded from 8-bit RGBA or [0,1] grayscale
// (stored as 8-bit luminance: a quarter of the bytes, which matters for the
// 896x896 manifold when WebGL runs in software).
//
// Each texture keeps the bytes it last uploaded and is listed while it exists,
// so that after the WebGL context is lost and restored every one can be made
// again exactly as it was (main.cpp's context callbacks).
struct Texture {
  GLuint id = 0;
  int width = 0, height = 0;
  GLenum format = 0;            // GL_RGBA or GL_LUMINANCE, as last uploaded
  std::vector<uint8_t> pixels;  // the bytes last uploaded
  int sent_width = 0, sent_height = 0;  // the GPU's copy, as last allocated (0: none)
  GLenum sent_format = 0;
  Texture();
  ~Texture();
  Texture(const Texture&) = delete;
  Texture& operator=(const Texture&) = delete;
  void upload_rgba(const uint8_t* rgba, int w, int h);
  void upload_luminance(const uint8_t* gray, int w, int h);
  void upload_gray(const float* values, int w, int h);
  // Writing in place: pixels_for() sizes `pixels` for a w x h image of
  // `format` (GL_RGBA or GL_LUMINANCE) and returns them to fill; send_pixels()
  // uploads them. Saves a copy of a large image (the scatter).
  uint8_t* pixels_for(GLenum format, int w, int h);
  void send_pixels();
  ImTextureID imgui_id() const { return reinterpret_cast<ImTextureID>(static_cast<intptr_t>(id)); }
  // The context was lost: every texture's GL name is gone (ids become 0).
  static void forget_all();
  // A new context: every texture that had pixels is uploaded again.
  static void restore_all();
};

// The files the page fetched (see page/app.js and `latentpad site-data`).
struct DemoData {
  ModelFile model;
  PackedMlp decoder_packed;  // the decoder's weights packed once per model (nn/mlp.h)
  bool model_ready = false;
  std::vector<float> codes;        // [n][code_width]: test images' codes (a VAE's mu), for the scatter
  int code_width = 2;
  std::vector<uint8_t> labels;     // [n]
  std::vector<float> images;       // [image_count][784] in [0,1], the first test images
  int image_count = 0;
  // Names the images for the decode workers, which keep a copy (set by
  // demo_load: hashing them costs milliseconds, too much for every snapshot).
  int images_key = 0;
  int code_count() const { return code_width > 0 ? static_cast<int>(codes.size() / code_width) : 0; }
};

// The Train panel's view of a run in the page (page/train.js sends it; see
// panel_train.cpp), and the settings of the next one.
struct TrainView {
  // Settings.
  int dataset = 0;  // 0 MNIST, 1 Fashion-MNIST
  int epochs = 5;
  float lr = 1e-3f;
  int batch = 64;
  int seed = 2;  // the shipped model's: its codes spread out early (seed 0's hug one edge for an epoch)
  int limit = 0;
  bool from_current = false;
  // The model and loss; the defaults are the tutorial's recipe.
  int kind = 0;        // 0 autoencoder, 1 VAE
  float beta = 1.0f;   // the KL term's weight (VAE)
  int latent = 2;      // the code width
  char hidden[64] = "256,128,64";  // the encoder's hidden sizes; the decoder mirrors them
  int activation = 0;  // 0 tanh, 1 ReLU
  int loss = 0;        // 0 MSE, 1 binary cross-entropy
  // Threads (page/train.js): the next run's, 0 until the page says its default
  // (navigator.hardwareConcurrency - 1); more than one needs a cross-origin
  // isolated page. run_threads: the current or last run's; threads_note: why a
  // run has fewer than asked for (empty otherwise).
  int threads = 0;
  int default_threads = 1;
  bool isolated = false;
  int run_threads = 0;
  std::string threads_note;
  // Progress: state is an index into "idle", "downloading", "training",
  // "paused", "done", "diverged", "failed".
  int state = 0;
  int epoch = 0, epochs_total = 0, batch_done = 0, batches = 0;
  double images_per_s = 0, train_loss = -1, test_mse = -1, download = 0;
  double train_recon = -1, train_kl = -1;  // a VAE's loss terms (-1: none, an autoencoder)
  std::string message;
  std::vector<float> loss_steps, losses;  // a point every few dozen batches
  std::vector<float> test_mse_per_epoch;
  int serial = 0;  // bumped by every update, so the page redraws
  bool model_trained = false;  // the page's model came from a run here
};

// The Draw panel (panel_draw.cpp): strokes on a canvas, made MNIST-like and
// put through the encoder on every change.
struct DrawView {
  static constexpr int kCanvas = 112;  // canvas pixels per side (4x MNIST's)
  std::vector<std::vector<ImVec2>> strokes;  // in canvas pixels
  std::vector<float> canvas = std::vector<float>(kCanvas * kCanvas, 0.0f);
  std::vector<float> input;  // the 28x28 MNIST-style input
  std::vector<float> recon;  // decoder(encoder(input))
  bool has_ink = false;
  std::vector<float> code;    // the drawing's code (a VAE's mu), the model's width
  std::vector<float> logvar;  // a VAE's posterior log-variance (empty for an autoencoder)
  double mse = 0;
  double percentile = 0;     // of the bundled test images' reconstruction errors
  int nearest[5] = {-1, -1, -1, -1, -1};  // bundled test images nearest in code space
  Texture canvas_texture, input_texture, recon_texture, nearest_textures[5];
  bool dirty = true;
  // The bundled test images' reconstruction errors, sorted, under the model
  // with this serial (recomputed when the model changes).
  std::vector<float> test_errors;
  int errors_model = -1;
  int serial = 0;  // bumped by every analysis, so the Walk panel can follow the drawing
};

// The Walk panel (panel_walk.cpp): a path between two codes, decoded, beside
// the endpoints' pixel blend.
struct WalkView {
  // Each endpoint: 0 a test image, 1 the drawing, 2 a point on the pad.
  int kind[2] = {0, 0};
  int test_index[2] = {3, 2};
  std::vector<float> point[2];  // the codes taken from the pad ("use the point")
  int steps = 8;
  std::vector<float> from, to;  // the endpoints' codes, as last computed
  Texture walk_texture, blend_texture;
  bool dirty = true;
  bool playing = false;
  double play_start_ms = 0;
  int model_seen = -1, drawing_seen = -1;  // what the strips were made from
  // The strips are decoded only while the panel is open (draw_walk ran in the
  // last frame): a training run changes the model a few times a second, and a
  // hidden strip is work on the main thread that nobody sees.
  bool shown = false;
  bool strips_dirty = true;
};

// The Compare tab (panel_compare.cpp): two models of one data set side by
// side, each a shipped model or the page's own ("current", which follows
// training live). Each side shows its test codes, its manifold over its own
// range, its reconstruction of the Reconstruction panel's test image, and
// where the drawing lands.
struct CompareSide {
  std::string name;      // "mnist", "mnist-vae", "fashion", "fashion-vae" or "current"
  DemoData data;         // a shipped side's model, codes and labels (images: the page's)
  int model_seen = -1;   // the page's model_serial a "current" side last copied
  int drawn_recon = -1, drawn_draw = -1, drawn_serial = -1;  // what its textures show
  float range = 1.0f;    // its pad's range: +-1 for an autoencoder, +-3 for a VAE
  std::vector<float> u, v;  // its pad's plane through the origin (PCA for codes wider than two)
  Texture scatter, manifold, original, recon;
  double recon_mse = 0;
  std::vector<float> drawing_code;  // the drawing's code under this model (empty: none)
  bool ready() const { return data.model_ready; }
};
struct CompareView {
  CompareSide side[2];
  int serial = 0;  // bumped by every change of a side
  bool shown = false;  // the tab was drawn this frame
  ImVec4 rect[2];      // each side's scatter, for latentpad.layout()
};

struct AppState {
  SDL_Window* window = nullptr;
  SDL_GLContext gl = nullptr;
  float pixel_ratio = 1.0f;  // device pixels per CSS pixel
  int frames_drawn = 0;      // the page draws only when something changed (main.cpp)
  int css_width = 0, css_height = 0;
  // The WebGL context (main.cpp): while it is lost nothing is drawn; each
  // restore recreates every GL object and bumps gl_restores (a redraw).
  bool gl_lost = false;
  int gl_restores = 0;

  DemoData data;
  std::string status = "Loading model...";  // shown until the model is ready, then notes like "Loaded x.lpad"
  std::string error;                         // shown in red when non-empty

  // The code (the model's width, code_space.h), the plane the pad shows, the
  // code's pad coordinates z and the visible square [-range, range]^2 of the pad.
  int latent = 2;
  bool vae = false;
  Rng rng;  // the page's draws (prior samples, posterior samples), seeded at start-up
  std::vector<float> code = std::vector<float>(2, 0.0f);
  CodePlane plane;
  float z[2] = {0.0f, 0.0f};
  float range = 1.0f;
  int code_serial = 0;  // bumped by every change of the code or the plane

  std::vector<float> digit;  // decoder(z), 28x28
  Texture digit_texture;
  bool digit_dirty = true;
  double digit_decode_ms = 0.0;

  int grid = 9;  // manifold cells per side
  bool grid_quantiles = false;  // a VAE's grid over the prior's quantiles (Kingma and Welling) instead of evenly
  // "Sample from the prior": digits decoded from N(0, I) codes, in a strip.
  Texture prior_texture;
  bool prior_dirty = false;
  int prior_samples = 0;
  std::vector<float> prior_codes;  // prior_samples codes of the model's width
  Texture manifold_texture;
  bool manifold_dirty = true;
  double manifold_decode_ms = 0.0;  // from request to texture, on whichever thread(s) decoded
  // The manifold is decoded by the page's worker pool when it is ready
  // (page/decode_pool.js): requested in one frame, shown when the workers
  // answer (lp_manifold_done). One request at a time; a newer change waits.
  std::vector<float> manifold_pixels;  // the in-flight request's output, n*n digits
  int manifold_token = 0;              // the latest request; a model change makes older ones stale
  bool manifold_in_flight = false;
  int manifold_request_grid = 0;
  float manifold_request_range = 0.0f;
  double manifold_request_ms = 0.0;
  int manifold_shown_grid = 0;  // what the texture shows, for the highlight
  float manifold_shown_range = 0.0f;
  bool manifold_request_quantiles = false, manifold_shown_quantiles = false;
  int manifold_workers = 0;     // workers that decoded it (0: the main thread)
  int manifold_serial = 0;      // manifolds shown so far (the benchmark waits on it)

  Texture scatter_texture;  // the test codes, rasterised for the current range and size
  float scatter_range = 0.0f;
  int scatter_pixels = 0;

  int recon_index = 0;  // which bundled test image is reconstructed
  int recon_class = 0;
  Texture original_texture, recon_texture;
  std::vector<float> recon_code;  // mu, or a draw from the posterior with recon_sample
  double recon_mse = 0.0;
  bool recon_dirty = true;
  bool recon_sample = false;  // a VAE's reconstruction from z ~ q(z|x) rather than mu

  TrainView train;
  DrawView draw;
  WalkView walk;
  CompareView compare;
  int model_serial = 0;  // bumped whenever the page's model changes
  int wake_serial = 0;     // a timer asked for a frame (lp_wake)
  int requested_tab = -1;  // a tab to open in the next frame (latentpad.showPanel)
  int dataset = 0;         // the shipped model shown: 0 MNIST, 1 Fashion-MNIST
  int site_kind = 0;       // and its kind: 0 autoencoder, 1 VAE

  // Where the pad and the big digit were drawn last frame, in CSS pixels:
  // read by the browser tests through window.latentpad.layout().
  ImVec4 pad_rect, digit_rect, manifold_rect, draw_rect, draw_clear_rect, walk_rect;
  ImVec4 code_x_rect, code_y_rect;  // the code (x, y) fields
  ImVec4 prior_rect;                // the prior's samples
  ImVec4 prior_button_rect;         // "Sample from the prior"
  ImVec4 recon_rect;                // the Reconstruction panel's reconstruction
  ImVec4 recon_sample_rect, recon_redraw_rect;  // its posterior checkbox and "draw again" (a VAE's)

  // Layout checks for latentpad.layout() (panels.cpp): what the last drawn
  // frame could not fit ("what: needs N px, has M px"), the scrolling
  // panels' rect, its scroll position and range, the open tab's opening
  // sentence (a place to start a swipe), and how the test images are named.
  std::vector<std::string> clipped;
  ImVec4 panels_rect, intro_rect;
  float panels_scroll = 0.0f, panels_scroll_max = 0.0f;
  std::string recon_caption, walk_captions[2];
  unsigned swipe_window = 0;  // the ImGuiID of the window a touch or mouse drag scrolls (0: none)
};

}  // namespace lp::web
