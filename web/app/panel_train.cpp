// The Train panel: settings and controls for a run in the page, its progress
// and loss chart, and the C functions page/train.js calls to show a run's
// progress and its current model. The run itself is in a Web Worker
// (page/train_worker.js, src/'s trainer as latentpad_trainer.wasm).
#include <emscripten.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "demo_data.h"
#include "panels.h"

namespace lp::web {
extern AppState* g_app;

namespace {

// The states of page/train.js's TRAIN_STATES, in its order.
enum { kIdle, kDownloading, kTraining, kPaused, kDone, kDiverged, kFailed };

// Hands a command to page/train.js: "start" with the settings as JSON,
// "pause", "resume", "stop", "save" (download the model) or "shipped" (put
// the site's model back).
EM_JS(void, train_command, (const char* name, const char* json), {
  if (Module.latentpadTrainCommand) Module.latentpadTrainCommand(UTF8ToString(name), UTF8ToString(json));
});

void start_run(const TrainView& t) {
  // The hidden sizes go as typed (the field admits only digits, commas and
  // spaces, so the JSON string needs no escaping): the page checks them and
  // says what is wrong.
  char json[512];
  std::snprintf(json, sizeof json,
                "{\"dataset\":\"%s\",\"epochs\":%d,\"lr\":%.9g,\"batch\":%d,\"seed\":%d,\"limit\":%d,"
                "\"fromCurrent\":%s,\"model\":\"%s\",\"beta\":%.9g,\"latent\":%d,\"hidden\":\"%s\","
                "\"activation\":\"%s\",\"loss\":\"%s\",\"threads\":%d}",
                t.dataset == 1 ? "fashion" : "mnist", t.epochs, static_cast<double>(t.lr), t.batch, t.seed, t.limit,
                t.from_current ? "true" : "false", t.kind == 1 ? "vae" : "ae", static_cast<double>(t.beta), t.latent,
                t.hidden, t.activation == 1 ? "relu" : "tanh", t.loss == 1 ? "bce" : "mse",
                t.threads > 0 ? t.threads : t.default_threads);
  train_command("start", json);
}

// The hidden sizes' field takes digits, commas and spaces only.
int hidden_filter(ImGuiInputTextCallbackData* data) {
  const ImWchar c = data->EventChar;
  return (c >= '0' && c <= '9') || c == ',' || c == ' ' ? 0 : 1;
}

// A field and its label: the pair's width, for same_line_if_fits.
float labelled_width(const char* label, float field) {
  return field + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label).x;
}

void draw_settings(AppState& s, TrainView& t, bool busy) {
  ImGui::BeginDisabled(busy);
  // Wide enough for "Fashion-MNIST" in the combo; the second field of each
  // row moves under the first where the two do not fit side by side.
  const ImGuiStyle& style = ImGui::GetStyle();
  const float combo_w = ImGui::CalcTextSize("Fashion-MNIST").x + ImGui::GetFrameHeight() + 2 * style.FramePadding.x;
  const float w = std::max(combo_w, std::min(160.0f, ImGui::GetContentRegionAvail().x * 0.35f));
  const float narrow = std::max(w * 0.6f, 2 * ImGui::GetFrameHeight() + 2 * style.ItemInnerSpacing.x +
                                              ImGui::CalcTextSize("0000").x + 2 * style.FramePadding.x);
  ImGui::SetNextItemWidth(w);
  ImGui::Combo("data set", &t.dataset, "MNIST\0Fashion-MNIST\0");
  fit_text(s, "data set", t.dataset == 1 ? "Fashion-MNIST" : "MNIST", w - ImGui::GetFrameHeight() - 2 * style.FramePadding.x);
  same_line_if_fits(labelled_width("epochs", narrow));
  ImGui::SetNextItemWidth(narrow);
  if (ImGui::InputInt("epochs", &t.epochs, 1, 5)) t.epochs = std::clamp(t.epochs, 1, 1000);
  ImGui::SetNextItemWidth(w);
  if (ImGui::InputFloat("learning rate", &t.lr, 0, 0, "%.2g")) t.lr = std::clamp(t.lr, 1e-6f, 10.0f);
  same_line_if_fits(labelled_width("batch", narrow));
  ImGui::SetNextItemWidth(narrow);
  if (ImGui::InputInt("batch", &t.batch, 0)) t.batch = std::clamp(t.batch, 1, 4096);
  ImGui::SetNextItemWidth(w);
  if (ImGui::InputInt("seed", &t.seed, 0)) t.seed = std::max(t.seed, 0);
  same_line_if_fits(labelled_width("images (0: all)", narrow));
  ImGui::SetNextItemWidth(narrow);
  if (ImGui::InputInt("images (0: all)", &t.limit, 0)) t.limit = std::max(t.limit, 0);
  // The model: kind, code width, hidden sizes, activation, loss and (VAE) beta.
  ImGui::SetNextItemWidth(w);
  ImGui::Combo("model", &t.kind, "autoencoder\0VAE\0");
  fit_text(s, "model", t.kind == 1 ? "VAE" : "autoencoder", w - ImGui::GetFrameHeight() - 2 * style.FramePadding.x);
  same_line_if_fits(labelled_width("code width", narrow));
  ImGui::SetNextItemWidth(narrow);
  if (ImGui::InputInt("code width", &t.latent, 0)) t.latent = std::clamp(t.latent, 1, 256);
  ImGui::SetNextItemWidth(w);
  ImGui::InputText("hidden sizes", t.hidden, sizeof t.hidden, ImGuiInputTextFlags_CallbackCharFilter, hidden_filter);
  fit_text(s, "hidden sizes", t.hidden, w - 2 * style.FramePadding.x);
  same_line_if_fits(labelled_width("activation", narrow));
  ImGui::SetNextItemWidth(narrow);
  ImGui::Combo("activation", &t.activation, "tanh\0ReLU\0");
  ImGui::SetNextItemWidth(w);
  ImGui::Combo("loss", &t.loss, "MSE\0BCE\0");
  if (t.kind == 1) {
    same_line_if_fits(labelled_width("beta (KL weight)", narrow));
    ImGui::SetNextItemWidth(narrow);
    if (ImGui::InputFloat("beta (KL weight)", &t.beta, 0, 0, "%.3g")) t.beta = std::clamp(t.beta, 0.0f, 1000.0f);
  }
  // Threads: the page's default until changed; more than one only trains on
  // several threads where the page is cross-origin isolated (the note says so).
  if (t.threads <= 0) t.threads = t.default_threads;
  ImGui::SetNextItemWidth(narrow);
  if (ImGui::InputInt("threads", &t.threads, 1, 1)) t.threads = std::clamp(t.threads, 1, 64);
  if (!t.isolated && t.threads > 1) {
    ImGui::SameLine();
    ImGui::TextDisabled("(1: page not isolated)");
  }
  ImGui::Checkbox("fine-tune the model now loaded", &t.from_current);
  ImGui::EndDisabled();
}

void draw_controls(TrainView& t) {
  const bool busy = t.state == kDownloading || t.state == kTraining || t.state == kPaused;
  if (!busy && ImGui::Button("Start")) start_run(t);
  if (t.state == kTraining && ImGui::Button("Pause")) train_command("pause", "");
  if (t.state == kPaused && ImGui::Button("Resume")) train_command("resume", "");
  if (busy) {
    same_line_if_fits(button_width("Stop"));
    if (ImGui::Button("Stop")) train_command("stop", "");
  }
  same_line_if_fits(button_width("Save model"));
  ImGui::BeginDisabled(busy || !t.model_trained);
  if (ImGui::Button("Save model")) train_command("save", "");
  ImGui::EndDisabled();
  same_line_if_fits(button_width("Back to the shipped model"));
  ImGui::BeginDisabled(busy);
  if (ImGui::Button("Back to the shipped model")) train_command("shipped", "");
  ImGui::EndDisabled();
}

}  // namespace

// What the panel says of the run's threads while it runs: "training on 2
// threads", and why a run has fewer than asked for. Empty when idle.
std::string threads_line(const TrainView& t) {
  if (t.run_threads <= 0 || !(t.state == kDownloading || t.state == kTraining || t.state == kPaused)) return {};
  std::string line = "training on " + std::to_string(t.run_threads) + (t.run_threads == 1 ? " thread" : " threads");
  if (!t.threads_note.empty()) line += " (" + t.threads_note + ")";
  return line;
}

namespace {

void draw_progress(AppState& s, const TrainView& t) {
  char overlay[96];
  float fraction = 0;
  if (t.state == kDownloading) {
    fraction = static_cast<float>(t.download);
    std::snprintf(overlay, sizeof overlay, "downloading %.0f%%", 100 * t.download);
  } else {
    const double done = t.epoch + (t.batches > 0 ? static_cast<double>(t.batch_done) / t.batches : 0);
    fraction = t.epochs_total > 0 ? static_cast<float>(std::min(1.0, done / t.epochs_total)) : 0;
    std::snprintf(overlay, sizeof overlay, "epoch %d/%d  batch %d/%d", std::min(t.epoch + 1, t.epochs_total),
                  t.epochs_total, t.batch_done, t.batches);
  }
  ImGui::ProgressBar(fraction, ImVec2(-1, 0), overlay);
  fit_text(s, "the progress bar", overlay, ImGui::GetItemRectSize().x - 2 * ImGui::GetStyle().FramePadding.x);
  char line[128];
  const std::string threads = threads_line(t);
  if (!threads.empty()) ImGui::TextWrapped("%s", threads.c_str());
  if (t.state == kTraining && t.images_per_s > 0 && t.batches > 0) {
    // The settings cannot change during a run, so t.batch is the run's.
    const double batches_left = (t.epochs_total - t.epoch) * static_cast<double>(t.batches) - t.batch_done;
    std::snprintf(line, sizeof line, "%.0f images/s, about %.0f s left", t.images_per_s,
                  batches_left * t.batch / t.images_per_s);
    text_wrapped_disabled(line);
  }
  char loss[32] = "-", mse[32] = "-";
  if (t.train_loss >= 0) std::snprintf(loss, sizeof loss, "%.5f", t.train_loss);
  if (t.test_mse >= 0) std::snprintf(mse, sizeof mse, "%.5f", t.test_mse);
  if (t.train_loss >= 0 || t.test_mse >= 0) {
    std::snprintf(line, sizeof line, "train loss %s   test MSE %s", loss, mse);
    text_wrapped_disabled(line);
  }
  // A VAE's loss per image is reconstruction + beta * KL: both terms shown.
  if (t.train_kl >= 0) {
    std::snprintf(line, sizeof line, "reconstruction %.3f   KL %.3f", t.train_recon, t.train_kl);
    text_wrapped_disabled(line);
  }
  if (!t.message.empty()) {
    const bool bad = t.state == kDiverged || t.state == kFailed;
    if (bad) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.35f, 0.35f, 1.0f));
    ImGui::TextWrapped("%s", t.message.c_str());
    if (bad) ImGui::PopStyleColor();
  }
}

// Training loss (every few dozen batches) and test MSE (every epoch) on one
// chart: two line plots over the same vertical scale.
void draw_chart(const TrainView& t, float width, float height) {
  if (t.losses.empty() && t.test_mse_per_epoch.empty()) return;
  float lo = 1e30f, hi = -1e30f;
  for (float v : t.losses) lo = std::min(lo, v), hi = std::max(hi, v);
  for (float v : t.test_mse_per_epoch) lo = std::min(lo, v), hi = std::max(hi, v);
  if (!(hi > lo)) hi = lo + 1e-3f;
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(width, height));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(at, ImVec2(at.x + width, at.y + height), IM_COL32(24, 26, 32, 255));
  dl->AddRect(at, ImVec2(at.x + width, at.y + height), IM_COL32(90, 90, 100, 255));
  const float steps = t.loss_steps.empty() ? 1.0f : std::max(1.0f, t.loss_steps.back());
  const float per_epoch = t.batches > 0 ? static_cast<float>(t.batches) : steps;
  auto point = [&](float step, float v) {
    return ImVec2(at.x + 4 + (width - 8) * std::min(1.0f, step / std::max(steps, per_epoch * t.test_mse_per_epoch.size())),
                  at.y + height - 4 - (height - 8) * (v - lo) / (hi - lo));
  };
  for (size_t i = 1; i < t.losses.size(); ++i)
    dl->AddLine(point(t.loss_steps[i - 1], t.losses[i - 1]), point(t.loss_steps[i], t.losses[i]),
                IM_COL32(100, 170, 255, 255), 1.5f);
  for (size_t e = 0; e < t.test_mse_per_epoch.size(); ++e) {
    const ImVec2 p = point(per_epoch * (e + 1), t.test_mse_per_epoch[e]);
    dl->AddCircleFilled(p, 3.5f, IM_COL32(255, 170, 60, 255));
    if (e > 0) dl->AddLine(point(per_epoch * e, t.test_mse_per_epoch[e - 1]), p, IM_COL32(255, 170, 60, 200), 1.5f);
  }
  char label[64];
  std::snprintf(label, sizeof label, "%.4f", hi);
  dl->AddText(ImVec2(at.x + 6, at.y + 3), IM_COL32(220, 220, 220, 160), label);
  std::snprintf(label, sizeof label, "%.4f", lo);
  dl->AddText(ImVec2(at.x + 6, at.y + height - 18), IM_COL32(220, 220, 220, 160), label);
  ImGui::TextColored(ImVec4(0.4f, 0.67f, 1.0f, 1.0f), "training loss");
  same_line_if_fits(ImGui::CalcTextSize("test MSE per epoch").x);
  ImGui::TextColored(ImVec4(1.0f, 0.67f, 0.24f, 1.0f), "test MSE per epoch");
}

}  // namespace

void draw_train(AppState& s, float width) {
  TrainView& t = s.train;
  panel_intro(s, "Train the same C++ model here, in a Web Worker; watch the codes move apart.");
  const bool busy = t.state == kDownloading || t.state == kTraining || t.state == kPaused;
  draw_settings(s, t, busy);
  draw_controls(t);
  if (t.state != kIdle) draw_progress(s, t);
  draw_chart(t, width, std::clamp(width * 0.35f, 80.0f, 180.0f));
}

// What follows a snapshot becoming the page's model: `codes` (n x the
// model's width) and their labels are the scatter, and every view is redrawn.
void train_snapshot_shown(AppState& s, const float* codes, const uint8_t* labels, int n) {
  const int width = std::max(1, s.data.model.model.latent());
  s.data.code_width = width;
  s.data.codes.assign(codes, codes + static_cast<size_t>(width) * n);
  s.data.labels.assign(labels, labels + n);
  code_space_model_changed(s);
  s.train.model_trained = true;
  ++s.model_serial;
  s.digit_dirty = s.manifold_dirty = s.recon_dirty = true;
  ++s.manifold_token;
  s.scatter_pixels = 0;
  ++s.train.serial;
}

}  // namespace lp::web

using lp::web::g_app;

extern "C" {

// Progress from page/train.js. state is an index into its TRAIN_STATES.
EMSCRIPTEN_KEEPALIVE void lp_train_status(int state, int epoch, int epochs, int batch, int batches,
                                          double images_per_s, double train_loss, double test_mse, double download,
                                          const char* message) {
  lp::web::TrainView& t = g_app->train;
  t.state = std::clamp(state, 0, 6);
  t.epoch = epoch;
  t.epochs_total = epochs;
  t.batch_done = batch;
  t.batches = batches;
  t.images_per_s = images_per_s;
  t.train_loss = train_loss;
  t.test_mse = test_mse;
  t.download = download;
  t.message = message;
  ++t.serial;
}

// The chart's points: n (step, loss) pairs and m test MSEs, replacing the old ones.
EMSCRIPTEN_KEEPALIVE void lp_train_history(const float* losses, int n, const float* test_mse, int m) {
  lp::web::TrainView& t = g_app->train;
  t.loss_steps.resize(n);
  t.losses.resize(n);
  for (int i = 0; i < n; ++i) t.loss_steps[i] = losses[2 * i], t.losses[i] = losses[2 * i + 1];
  t.test_mse_per_epoch.assign(test_mse, test_mse + m);
  ++t.serial;
}

// A snapshot of the run becomes the page's model: its decoder draws the digit
// and the manifold, and `codes` (n x 2, the first test images) with their
// labels are the scatter. Returns 1, or 0 if the model was refused.
EMSCRIPTEN_KEEPALIVE int lp_train_model(const uint8_t* bytes, int size, const float* codes, const uint8_t* labels,
                                        int n) {
  lp::web::AppState& s = *g_app;
  const std::string error = lp::web::demo_load(s.data, "model", bytes, static_cast<size_t>(size));
  if (!error.empty()) {
    s.train.message = "the trained model was refused: " + error;
    return 0;
  }
  lp::web::train_snapshot_shown(s, codes, labels, n);
  return 1;
}

// The same for a later snapshot of the run whose model the page shows: its
// `count` parameters, flat (autoencoder_parameters_get's order), set into that
// model. Returns 0, changing nothing, when the page's model is not a snapshot
// or has another parameter count; the page then loads the file
// (lp_train_model).
EMSCRIPTEN_KEEPALIVE int lp_train_weights(const float* parameters, int count, const float* codes,
                                          const uint8_t* labels, int n) {
  lp::web::AppState& s = *g_app;
  if (!s.train.model_trained || count < 0 || !lp::web::demo_set_parameters(s.data, parameters, count)) return 0;
  lp::web::train_snapshot_shown(s, codes, labels, n);
  return 1;
}

// The settings of a run started from the console (latentpad.train.start), so
// the panel shows what is running.
// A VAE's loss terms for the progress line (-1 each: an autoencoder's run).
EMSCRIPTEN_KEEPALIVE void lp_train_terms(double recon, double kl) {
  lp::web::TrainView& t = g_app->train;
  t.train_recon = recon;
  t.train_kl = kl;
  ++t.serial;
}

// kind 0 autoencoder or 1 VAE; hidden "256,128,64"; activation 0 tanh or 1
// ReLU; loss 0 MSE or 1 BCE.
EMSCRIPTEN_KEEPALIVE void lp_train_settings(int dataset, int epochs, double lr, int batch, int seed, int limit,
                                            int from_current, int kind, double beta, int latent, const char* hidden,
                                            int activation, int loss) {
  lp::web::TrainView& t = g_app->train;
  t.dataset = dataset;
  t.epochs = epochs;
  t.lr = static_cast<float>(lr);
  t.batch = batch;
  t.seed = seed;
  t.limit = limit;
  t.from_current = from_current != 0;
  t.kind = kind == 1 ? 1 : 0;
  t.beta = static_cast<float>(beta);
  t.latent = latent;
  std::snprintf(t.hidden, sizeof t.hidden, "%s", hidden);
  t.activation = activation == 1 ? 1 : 0;
  t.loss = loss == 1 ? 1 : 0;
  ++t.serial;
}

// Threads from page/train.js: requested (the next run's setting; 0 leaves the
// panel's), used (the current or last run's; 0 before any), the page's
// default, whether the page is cross-origin isolated, and why a run has fewer
// threads than asked for ("" if it has them all).
EMSCRIPTEN_KEEPALIVE void lp_train_threads(int requested, int used, int default_threads, int isolated,
                                           const char* note) {
  lp::web::TrainView& t = g_app->train;
  t.default_threads = std::clamp(default_threads, 1, 64);
  if (requested > 0) t.threads = std::clamp(requested, 1, 64);
  t.run_threads = std::max(0, used);
  t.isolated = isolated != 0;
  t.threads_note = note;
  ++t.serial;
}

// The panel's threads, for window.latentpad.train.panel(): the setting of the
// next run (what Start sends), and the line it shows of the run's threads.
EMSCRIPTEN_KEEPALIVE int lp_train_threads_setting() {
  const lp::web::TrainView& t = g_app->train;
  return t.threads > 0 ? t.threads : t.default_threads;
}
EMSCRIPTEN_KEEPALIVE const char* lp_train_threads_line() {
  static std::string line;
  line = lp::web::threads_line(g_app->train);
  return line.c_str();
}

// The page's model is not a trained one any more (the shipped model is back).
EMSCRIPTEN_KEEPALIVE void lp_train_forget() {
  g_app->train.model_trained = false;
  ++g_app->train.serial;
}

}  // extern "C"
