// The Draw panel: a canvas for mouse, touch and pen. On every change the
// drawing is made MNIST-like (data/drawing.h), put through the encoder (its
// code is marked on the latent pad) and back through the decoder, and
// compared with the test images: the nearest five in code space, and how
// unusual its reconstruction error is among theirs (the tutorial's anomaly
// detection, live).
#include <emscripten.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "base/palette.h"
#include "data/drawing.h"
#include "demo_data.h"
#include "eval/reconstruction.h"
#include "panels.h"

namespace lp::web {
extern AppState* g_app;

namespace {

constexpr int kCanvas = DrawView::kCanvas;
// The pen's radius in canvas pixels: a digit drawn across most of the canvas
// is scaled by about 1/4 into the 20x20 box, where the stroke is then 2-3
// pixels wide, like MNIST's.
constexpr float kPenRadius = 4.5f;

void redraw_canvas(DrawView& d) {
  std::fill(d.canvas.begin(), d.canvas.end(), 0.0f);
  for (const auto& stroke : d.strokes)
    for (size_t i = 0; i < stroke.size(); ++i) {
      const ImVec2 a = stroke[i > 0 ? i - 1 : 0], b = stroke[i];
      drawing_stroke(d.canvas.data(), kCanvas, kCanvas, a.x, a.y, b.x, b.y, kPenRadius);
    }
}

// The meter's yardstick: the bundled test images' reconstruction errors
// under the current model, sorted. That is a thousand images through the whole
// autoencoder (55-85 ms on the main thread), so it is computed only when the
// meter is on screen (the Draw panel open on a drawing) or asked for
// (lp_drawing_info), at most once per model, and in the decode workers when
// they run (page/app.js, errorsInWorkers): a training run's snapshots, a few
// a second, then cost the main thread no long task. Until a new model's
// errors arrive the meter keeps the last ones it had.
bool g_meter_shown = false;  // draw_draw ran in this frame: the Draw panel is open
int g_errors_in_flight = -1;  // the model serial whose errors the workers are computing
// While a run trains, new models arrive 2.5 times a second. Measuring each
// one's errors keeps both decode workers busy (1,000 images through the whole
// model) beside the training worker, and on a 2-core machine the page's own
// frames then wait for a core: tools/bench/web_smooth_bench.mjs saw a 50 ms
// long task and p95 1.5x idle with the meter on, none and 1.39x with it off.
// So the workers measure at most once a second; a model that arrives sooner
// is measured when the second is up (a timer wakes the page for it).
constexpr double kErrorsEveryMs = 1000;
double g_errors_requested_ms = -1e9;
bool g_wake_pending = false;

// The errors can be measured with this model (an encoder from 784 pixels to a 2-D code).
bool can_measure(const AppState& s) {
  const Mlp* encoder = s.data.model.encoder();
  return encoder && encoder->in_size() == kPixels && s.data.image_count > 0;
}

// On the main thread, now.
void update_test_errors(AppState& s) {
  DrawView& d = s.draw;
  d.errors_model = s.model_serial;
  d.test_errors.clear();
  if (!can_measure(s)) return;
  const Eigen::Map<const Eigen::MatrixXf> images(s.data.images.data(), kPixels, s.data.image_count);
  const Eigen::VectorXf errors = reconstruction_errors(s.data.model.model, images);
  d.test_errors.assign(errors.data(), errors.data() + errors.size());
  std::sort(d.test_errors.begin(), d.test_errors.end());
}

// The drawing's percentile: the share of test images that reconstruct better.
void update_percentile(DrawView& d) {
  const auto below = std::lower_bound(d.test_errors.begin(), d.test_errors.end(), static_cast<float>(d.mse));
  d.percentile = d.test_errors.empty() ? 0 : 100.0 * (below - d.test_errors.begin()) / d.test_errors.size();
}

// Asks the decode workers (Module.latentpadErrorsInWorkers in page/app.js) for
// the reconstruction errors of `count` images; they answer through
// lp_test_errors_done. Returns 0 when there are no workers to ask.
EM_JS(int, errors_in_workers, (int serial, const float* images, int count, int key), {
  return Module.latentpadErrorsInWorkers ? Module.latentpadErrorsInWorkers(serial, images, count, key) : 0;
});

// Calls lp_wake after `ms` milliseconds: an idle page draws no frames, and the
// next one must come to send a deferred request.
EM_JS(void, wake_after, (double ms), { setTimeout(() => Module._lp_wake(), ms); });

// Gets the current model's errors on their way: from the workers, one request
// at a time (a newer model's waits for the answer), else here.
void request_test_errors(AppState& s) {
  DrawView& d = s.draw;
  if (d.errors_model == s.model_serial || g_errors_in_flight >= 0) return;
  const double wait = g_errors_requested_ms + kErrorsEveryMs - now_ms();
  if (wait > 0) {
    if (!g_wake_pending) wake_after(wait);
    g_wake_pending = true;
    return;
  }
  g_errors_requested_ms = now_ms();
  if (can_measure(s) && errors_in_workers(s.model_serial, s.data.images.data(), s.data.image_count, s.data.images_key)) {
    g_errors_in_flight = s.model_serial;
    return;
  }
  update_test_errors(s);
  update_percentile(d);
  ++d.serial;
}

// The drawing through the model. `strokes_changed`: the drawing itself
// changed (else only the model did, and its 28x28 input and canvas stand).
void analyse(AppState& s, bool strokes_changed) {
  DrawView& d = s.draw;
  d.dirty = false;
  ++d.serial;
  if (strokes_changed || d.input.size() != static_cast<size_t>(kPixels)) {
    d.input = drawing_to_mnist(d.canvas.data(), kCanvas, kCanvas);
    d.has_ink = std::any_of(d.input.begin(), d.input.end(), [](float v) { return v > 0; });
    d.canvas_texture.upload_gray(d.canvas.data(), kCanvas, kCanvas);
    d.input_texture.upload_gray(d.input.data(), kImageSide, kImageSide);
  }
  if (!d.has_ink || !demo_can_encode(s.data)) {
    std::fill(std::begin(d.nearest), std::end(d.nearest), -1);
    d.code.clear();
    d.logvar.clear();
    d.recon.assign(kPixels, 0.0f);
    d.recon_texture.upload_gray(d.recon.data(), kImageSide, kImageSide);
    return;
  }
  const int width = s.latent;
  d.code.assign(width, 0.0f);
  d.logvar.assign(s.vae ? width : 0, 0.0f);
  demo_encode(s.data, d.input.data(), 1, d.code.data(), s.vae ? d.logvar.data() : nullptr);
  const Eigen::Map<const Eigen::MatrixXf> input(d.input.data(), kPixels, 1);
  const Eigen::MatrixXf recon = reconstruct(s.data.model.model, input);
  d.recon.assign(recon.data(), recon.data() + recon.size());
  d.mse = reconstruction_errors(s.data.model.model, input)(0);
  d.recon_texture.upload_gray(d.recon.data(), kImageSide, kImageSide);
  update_percentile(d);
  // The five bundled test images nearest in code space, the full code's
  // (they have pixels to show).
  const int n = s.data.code_width == width ? std::min(s.data.image_count, s.data.code_count()) : 0;
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  auto dist = [&](int i) { return code_distance2(&s.data.codes[static_cast<size_t>(i) * width], d.code.data(), width); };
  const int k = std::min(5, n);
  std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int a, int b) { return dist(a) < dist(b); });
  for (int j = 0; j < 5; ++j) {
    const int index = j < k ? order[j] : -1;
    // A thumbnail is a test image: uploaded again only when another image takes its place.
    if (index >= 0 && index != d.nearest[j])
      d.nearest_textures[j].upload_gray(&s.data.images[static_cast<size_t>(index) * kPixels], kImageSide, kImageSide);
    d.nearest[j] = index;
  }
}

void draw_canvas(AppState& s, float size) {
  DrawView& d = s.draw;
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("draw canvas", ImVec2(size, size));
  if (ImGui::IsItemActivated()) d.strokes.emplace_back();
  if (ImGui::IsItemActive() && !d.strokes.empty()) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    const ImVec2 p((m.x - origin.x) / size * kCanvas, (m.y - origin.y) / size * kCanvas);
    auto& stroke = d.strokes.back();
    if (stroke.empty() || std::hypot(p.x - stroke.back().x, p.y - stroke.back().y) > 0.5f) {
      const ImVec2 from = stroke.empty() ? p : stroke.back();
      stroke.push_back(p);
      drawing_stroke(d.canvas.data(), kCanvas, kCanvas, from.x, from.y, p.x, p.y, kPenRadius);
      d.dirty = true;
    }
  }
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddImage(d.canvas_texture.imgui_id(), origin, ImVec2(origin.x + size, origin.y + size));
  dl->AddRect(origin, ImVec2(origin.x + size, origin.y + size), IM_COL32(90, 90, 100, 255));
  if (d.strokes.empty())
    dl->AddText(ImVec2(origin.x + 8, origin.y + 8), IM_COL32(160, 160, 170, 255), "draw a digit here");
  s.draw_rect = ImVec4(origin.x, origin.y, size, size);
}

}  // namespace

void draw_update(AppState& s) {
  // A new model places the drawing anew (one image: cheap, and the orange
  // cross on the pad follows whatever panel is open).
  static int analysed_model = -1;
  const bool strokes_changed = s.draw.dirty;
  if (analysed_model != s.model_serial) {
    analysed_model = s.model_serial;
    s.draw.dirty = true;
  }
  if (s.draw.dirty) analyse(s, strokes_changed);
  const bool meter = g_meter_shown && s.draw.has_ink;
  g_meter_shown = false;
  if (meter) request_test_errors(s);
}

void draw_draw(AppState& s, float width) {
  DrawView& d = s.draw;
  panel_intro(s, "Draw a digit: the encoder places it as you draw (the orange cross on the pad).");
  const float size = std::clamp(width * 0.45f, 120.0f, 260.0f);
  draw_canvas(s, size);
  ImGui::SameLine();
  ImGui::BeginGroup();
  const float small = std::clamp(width * 0.18f, 56.0f, 112.0f);
  ImGui::Image(d.input_texture.imgui_id(), ImVec2(small, small));
  ImGui::SameLine();
  ImGui::Image(d.recon_texture.imgui_id(), ImVec2(small, small));
  text_wrapped_disabled("input 28x28  ->  reconstruction");
  const ImVec2 clear_at = ImGui::GetCursorScreenPos();
  if (ImGui::Button("Clear")) {
    d.strokes.clear();
    redraw_canvas(d);
    d.dirty = true;
  }
  const ImVec2 clear_size = ImGui::GetItemRectSize();
  s.draw_clear_rect = ImVec4(clear_at.x, clear_at.y, clear_size.x, clear_size.y);
  ImGui::SameLine();
  ImGui::BeginDisabled(d.strokes.empty());
  if (ImGui::Button("Undo")) {
    d.strokes.pop_back();
    redraw_canvas(d);
    d.dirty = true;
  }
  ImGui::EndDisabled();
  g_meter_shown = true;
  if (d.has_ink && s.data.model.encoder()) {
    if (s.latent == 2) ImGui::Text("%s (%.3f, %.3f)", s.vae ? "mu" : "code", d.code[0], d.code[1]);
    else ImGui::Text("a %d-D %s", s.latent, s.vae ? "mu" : "code");
    ImGui::Text("MSE %.4f", d.mse);
    ImGui::SameLine();
    if (ImGui::SmallButton("go there")) code_set(s, d.code.data());
    // Unusual input: where its error falls among the test images'.
    char label[64];
    if (d.test_errors.empty() && can_measure(s)) std::snprintf(label, sizeof label, "unusual: measuring the test digits...");
    else std::snprintf(label, sizeof label, "unusual: %.0f%% of test digits do better", d.percentile);
    ImGui::PushStyleColor(ImGuiCol_PlotHistogram, d.percentile > 95   ? ImVec4(0.9f, 0.3f, 0.25f, 1)
                                                  : d.percentile > 75 ? ImVec4(0.9f, 0.65f, 0.2f, 1)
                                                                      : ImVec4(0.3f, 0.7f, 0.4f, 1));
    // The sentence above the bar where the bar is too narrow for it.
    // (A width of -1 leaves a pixel at the right.)
    const float bar_text = ImGui::GetContentRegionAvail().x - 1 - 2 * ImGui::GetStyle().FramePadding.x;
    if (ImGui::CalcTextSize(label).x > bar_text) {
      ImGui::TextWrapped("%s", label);
      std::snprintf(label, sizeof label, "%.0f%%", d.percentile);
    }
    ImGui::ProgressBar(static_cast<float>(d.percentile / 100), ImVec2(-1, 0), label);
    fit_text(s, "the unusual-input meter", label, ImGui::GetItemRectSize().x - 2 * ImGui::GetStyle().FramePadding.x);
    ImGui::PopStyleColor();
  } else if (!s.data.model.encoder()) {
    ImGui::TextWrapped("This model has no encoder.");
  }
  ImGui::EndGroup();
  if (d.has_ink && d.nearest[0] >= 0) {
    text_wrapped_disabled("nearest test images in code space:");
    const float thumb = std::clamp(width * 0.12f, 40.0f, 72.0f);
    for (int j = 0; j < 5 && d.nearest[j] >= 0; ++j) {
      if (j > 0) ImGui::SameLine();
      ImGui::BeginGroup();
      ImGui::Image(d.nearest_textures[j].imgui_id(), ImVec2(thumb, thumb));
      ImGui::Text("%d", s.data.labels[d.nearest[j]]);
      ImGui::EndGroup();
    }
  }
}

// The drawing's code on the pad: an orange cross; for a VAE, its posterior
// too: the ellipse mu +- 2 sigma, projected onto the plane. The posterior is
// N(mu, diag(sigma^2)); its projection onto the orthonormal u, v has the 2x2
// covariance [u v]^T diag(sigma^2) [u v] (on two code axes, diag(sigma_i^2,
// sigma_j^2)), whose eigenvectors are the ellipse's axes.
void draw_marker(const AppState& s, ImDrawList* dl, const std::function<ImVec2(float, float)>& to_screen) {
  if (!s.draw.has_ink || static_cast<int>(s.draw.code.size()) != s.latent) return;
  float mu[2];
  code_to_pad(s, s.draw.code.data(), mu);
  const ImVec2 at = to_screen(mu[0], mu[1]);
  const ImU32 orange = IM_COL32(255, 150, 40, 255);
  if (s.vae && static_cast<int>(s.draw.logvar.size()) == s.latent) {
    double suu = 0, svv = 0, suv = 0;
    for (int k = 0; k < s.latent; ++k) {
      const double var = std::exp(static_cast<double>(s.draw.logvar[k]));
      suu += s.plane.u[k] * s.plane.u[k] * var;
      svv += s.plane.v[k] * s.plane.v[k] * var;
      suv += s.plane.u[k] * s.plane.v[k] * var;
    }
    // Eigen-decomposition of [[suu, suv], [suv, svv]].
    const double mean = 0.5 * (suu + svv), diff = 0.5 * (suu - svv), root = std::sqrt(diff * diff + suv * suv);
    const double l1 = mean + root, l2 = std::max(0.0, mean - root);
    const double angle = 0.5 * std::atan2(2 * suv, suu - svv);
    const int kPoints = 48;
    ImVec2 points[kPoints];
    for (int i = 0; i < kPoints; ++i) {
      const double t = 2 * M_PI * i / kPoints, a = 2 * std::sqrt(l1) * std::cos(t), b = 2 * std::sqrt(l2) * std::sin(t);
      points[i] = to_screen(static_cast<float>(mu[0] + a * std::cos(angle) - b * std::sin(angle)),
                            static_cast<float>(mu[1] + a * std::sin(angle) + b * std::cos(angle)));
    }
    dl->AddPolyline(points, kPoints, IM_COL32(255, 150, 40, 200), ImDrawFlags_Closed, 2.0f);
  }
  dl->AddLine(ImVec2(at.x - 9, at.y - 9), ImVec2(at.x + 9, at.y + 9), orange, 3.0f);
  dl->AddLine(ImVec2(at.x - 9, at.y + 9), ImVec2(at.x + 9, at.y - 9), orange, 3.0f);
}

}  // namespace lp::web

using lp::web::g_app;

extern "C" {

// The drawing's MNIST-style input: 784 floats written to out.
EMSCRIPTEN_KEEPALIVE void lp_drawing(float* out) {
  const auto& input = g_app->draw.input;
  for (int i = 0; i < lp::web::kPixels; ++i) out[i] = i < static_cast<int>(input.size()) ? input[i] : 0.0f;
}

// JSON: the drawing's code, its reconstruction MSE and percentile, and the
// labels of the k test codes nearest to it among all the scatter's codes.
EMSCRIPTEN_KEEPALIVE const char* lp_drawing_info(int k) {
  static std::string json;
  lp::web::AppState& s = *g_app;
  lp::web::DrawView& d = s.draw;
  // The percentile against the current model's errors, measured now if they
  // are not there yet (a caller wants the figure, not the last one shown).
  if (d.has_ink && d.errors_model != s.model_serial) {
    lp::web::update_test_errors(s);
    lp::web::update_percentile(d);
  }
  const int n = s.data.code_count();
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  k = std::clamp(k, 0, n);
  const int width = s.latent;
  const bool coded = d.has_ink && static_cast<int>(d.code.size()) == width && s.data.code_width == width;
  auto dist = [&](int i) { return lp::web::code_distance2(&s.data.codes[static_cast<size_t>(i) * width], d.code.data(), width); };
  if (coded) std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int a, int b) { return dist(a) < dist(b); });
  float xy[2] = {0, 0};
  if (coded) lp::web::code_to_pad(s, d.code.data(), xy);
  char head[160];
  std::snprintf(head, sizeof head, "{\"ink\":%s,\"x\":%.6f,\"y\":%.6f,\"mse\":%.6f,\"percentile\":%.2f,\"nearest\":[",
                d.has_ink ? "true" : "false", xy[0], xy[1], d.mse, d.percentile);
  json = head;
  for (int j = 0; j < (coded ? k : 0); ++j) json += (j ? "," : "") + std::to_string(s.data.labels[order[j]]);
  json += "]}";
  return json.c_str();
}

// The decode workers' answer to errors_in_workers: the reconstruction errors
// of the bundled test images under the model with this serial (count < 0: the
// workers failed, and the next frame that needs the errors computes them here).
// wake_after's timer: the page draws a frame (and sends what waited for it).
EMSCRIPTEN_KEEPALIVE void lp_wake() {
  lp::web::g_wake_pending = false;
  ++g_app->wake_serial;
}

EMSCRIPTEN_KEEPALIVE void lp_test_errors_done(int serial, const float* errors, int count) {
  lp::web::AppState& s = *g_app;
  lp::web::DrawView& d = s.draw;
  if (lp::web::g_errors_in_flight == serial) lp::web::g_errors_in_flight = -1;
  // Newer than what the meter has (a later model's may be on its way already).
  if (count >= 0 && serial > d.errors_model) {
    d.errors_model = serial;
    d.test_errors.assign(errors, errors + count);
    std::sort(d.test_errors.begin(), d.test_errors.end());
    lp::web::update_percentile(d);
  }
  ++d.serial;  // redraw: the meter moved, or a newer model's errors are still wanted
}

// Encodes 784 pixels with the page's model: writes the code's
// lp_code_width() floats (a VAE's mu) to `code` and its pad coordinates to
// `xy`. Returns 0 without a suitable encoder.
EMSCRIPTEN_KEEPALIVE int lp_encode(const float* pixels, float* code, float* xy) {
  if (!lp::web::demo_can_encode(g_app->data)) return 0;
  lp::web::demo_encode(g_app->data, pixels, 1, code);
  lp::web::code_to_pad(*g_app, code, xy);
  return 1;
}

}  // extern "C"
