// The page's one full-window layout: the title bar, the pad beside (or
// above) the tabbed panels, and a finger swipe that scrolls them. Each panel
// is its own file (panel_*.cpp); this one arranges them and runs their
// per-frame updates.
#include "panels.h"

#include <algorithm>
#include <cmath>

#include <emscripten.h>

#include "imgui_internal.h"  // the hovered window and scrolling

namespace lp::web {
namespace {

// A drag on a panel's empty area (not on a widget) scrolls the panel, as a
// finger swipe scrolls a page: touch screens have no wheel, and the
// scrollbar is a few pixels wide. Called at the end of the frame, when ImGui
// knows whether the press landed on a widget.
void swipe_scroll(AppState& s) {
  ImGuiContext& g = *GImGui;
  const ImGuiIO& io = ImGui::GetIO();
  if (!io.MouseDown[0]) {
    s.swipe_window = 0;
  } else if (ImGui::IsMouseClicked(0)) {
    s.swipe_window = 0;
    ImGuiWindow* w = g.HoveredWindow;
    if (w && g.HoveredId == 0 && g.ActiveId == 0) {
      // The nearest window under the press that can scroll.
      while (w && w->ScrollMax.y <= 0 && (w->Flags & ImGuiWindowFlags_ChildWindow)) w = w->ParentWindow;
      if (w && w->ScrollMax.y > 0) s.swipe_window = w->ID;
    }
  } else if (s.swipe_window != 0 && io.MouseDelta.y != 0) {
    if (ImGuiWindow* w = ImGui::FindWindowByID(s.swipe_window)) ImGui::SetScrollY(w, w->Scroll.y - io.MouseDelta.y);
  }
}

// Opens the page's hidden file input (page/index.html); app.js hands the
// chosen file to lp_load_user_model. Called from a click, so the browser
// still counts it as user-initiated.
EM_JS(void, open_model_picker, (), { document.getElementById('model-file').click(); });

// Asks page/app.js to show a shipped model: a data set ("mnist" or
// "fashion") and a kind ("ae" or "vae").
EM_JS(void, switch_model, (const char* name, const char* kind), {
  if (Module.latentpadSwitchModel) Module.latentpadSwitchModel(UTF8ToString(name), UTF8ToString(kind));
});

}  // namespace

void panels_update(AppState& s) {
  if (!s.data.model_ready) return;
  draw_update(s);
  walk_update(s);
  pad_update(s);
  manifold_update(s);
  reconstruction_update(s);
  compare_update(s);
}

void panels_draw(AppState& s) {
  s.clipped.clear();
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->WorkPos);
  ImGui::SetNextWindowSize(viewport->WorkSize);
  ImGui::Begin("LatentPad", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus);
  const char* subtitle = "drag the point through the code space of an autoencoder; the decoder draws live";
  const char* load_label = "Load model file...";
  const ImGuiStyle& style = ImGui::GetStyle();
  const float button_w = ImGui::CalcTextSize(load_label).x + 2 * style.FramePadding.x;
  const float switch_w = ImGui::CalcTextSize("Fashion-MNIST").x + ImGui::GetFrameHeight() + 2 * style.FramePadding.x;
  const float kind_w = ImGui::CalcTextSize("autoencoder").x + ImGui::GetFrameHeight() + 2 * style.FramePadding.x;
  const float title_w = ImGui::CalcTextSize("LatentPad").x;
  const float title_avail = ImGui::GetContentRegionAvail().x;
  // The model switches beside the title where they fit, else on a line of their own (phones).
  const bool one_line = title_avail >= title_w + switch_w + kind_w + button_w + 4 * style.ItemSpacing.x;
  float fit = fit_begin();
  ImGui::Text("LatentPad");
  // The subtitle only where it fits beside the title and the button (not on phones).
  if (one_line && title_avail > title_w + ImGui::CalcTextSize(subtitle).x + button_w + switch_w + kind_w + 60) {
    ImGui::SameLine();
    ImGui::TextDisabled("%s", subtitle);
  }
  ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - button_w);
  if (ImGui::SmallButton(load_label)) open_model_picker();
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("An .lpad, or PyTorch's .pth or .safetensors (pick the encoder and decoder\n"
                      "files together if they were saved apart). Dropping files on the page works too.");
  // The shipped models: each data set's autoencoder and VAE (all but MNIST's
  // autoencoder fetched on first use).
  if (one_line) ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - button_w - switch_w - kind_w - 2 * style.ItemSpacing.x);
  ImGui::SetNextItemWidth(switch_w);
  int dataset = s.dataset;
  if (ImGui::Combo("##dataset", &dataset, "MNIST\0Fashion-MNIST\0") && dataset != s.dataset)
    switch_model(dataset == 1 ? "fashion" : "mnist", s.site_kind == 1 ? "vae" : "ae");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(kind_w);
  int kind = s.site_kind;
  if (ImGui::Combo("##kind", &kind, "autoencoder\0VAE\0") && kind != s.site_kind)
    switch_model(s.dataset == 1 ? "fashion" : "mnist", kind == 1 ? "vae" : "ae");

  ImGui::PushTextWrapPos(0.0f);  // messages wrap at the window's edge
  if (!s.error.empty()) ImGui::TextColored(ImVec4(1.0f, 0.35f, 0.35f, 1.0f), "Error: %s", s.error.c_str());
  else if (s.data.model_ready && s.status.rfind("Loaded", 0) == 0) text_wrapped_disabled(s.status.c_str());
  if (!s.data.model_ready && s.error.empty()) ImGui::TextUnformatted(s.status.c_str());
  ImGui::PopTextWrapPos();
  fit_end(s, fit, "the title bar");
  if (!s.data.model_ready) {
    ImGui::End();
    return;
  }

  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const bool wide = avail.x > avail.y * 1.1f;
  const float legend_h = ImGui::GetFrameHeightWithSpacing();
  // Portrait phones keep the pad under 40 % of the height, so the panels
  // below (the Draw canvas among them) fit on the screen without scrolling.
  const float pad = wide ? std::min(avail.y - legend_h, avail.x * 0.55f)
                         : std::min(avail.x, avail.y * (avail.x < 500 ? 0.37f : 0.6f));

  ImGui::BeginGroup();
  draw_pad(s, std::max(100.0f, pad));
  draw_legend(pad);
  ImGui::EndGroup();
  if (wide) ImGui::SameLine();

  ImGui::BeginChild("panels", ImVec2(0, 0), false);
  {
    const ImVec2 at = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
    s.panels_rect = ImVec4(at.x, at.y, size.x, size.y);
    s.panels_scroll = ImGui::GetScrollY();
    s.panels_scroll_max = ImGui::GetScrollMaxY();
  }
  const float column = ImGui::GetContentRegionAvail().x;
  const float digit = std::clamp(column * 0.4f, 112.0f, 280.0f);
  fit = fit_begin();
  ImGui::BeginGroup();
  draw_digit(s, digit);
  ImGui::EndGroup();
  ImGui::SameLine();
  ImGui::BeginGroup();
  draw_latent_controls(s);
  ImGui::EndGroup();
  fit_end(s, fit, "the digit and its controls");
  // Tabs keep their whole names; on a narrow screen the bar scrolls (arrows) instead of cutting them.
  if (ImGui::BeginTabBar("views", ImGuiTabBarFlags_FittingPolicyScroll)) {
    // Sized to fit under the digit without scrolling.
    const float room = ImGui::GetContentRegionAvail().y - 3 * ImGui::GetFrameHeightWithSpacing();
    auto tab = [&](const char* label, int index) {
      const bool open = ImGui::BeginTabItem(label, nullptr, s.requested_tab == index ? ImGuiTabItemFlags_SetSelected : 0);
      return open;
    };
    if (tab("Manifold", kTabManifold)) {
      fit = fit_begin();
      panel_intro(s, "The decoder over an evenly spaced grid of the visible range.");
      draw_manifold(s, std::max(120.0f, std::min(column, room - ImGui::GetTextLineHeightWithSpacing())));
      fit_end(s, fit, "the Manifold panel");
      ImGui::EndTabItem();
    }
    if (tab("Reconstruction", kTabReconstruction)) {
      fit = fit_begin();
      panel_intro(s, "A test image through the encoder and back through the decoder.");
      draw_reconstruction(s, std::clamp(column * 0.45f, 84.0f, 196.0f));
      fit_end(s, fit, "the Reconstruction panel");
      ImGui::EndTabItem();
    }
    if (tab("Draw", kTabDraw)) {
      fit = fit_begin();
      draw_draw(s, column);
      fit_end(s, fit, "the Draw panel");
      ImGui::EndTabItem();
    }
    if (tab("Walk", kTabWalk)) {
      fit = fit_begin();
      draw_walk(s, column);
      fit_end(s, fit, "the Walk panel");
      ImGui::EndTabItem();
    }
    if (tab("Train", kTabTrain)) {
      fit = fit_begin();
      draw_train(s, column);
      fit_end(s, fit, "the Train panel");
      ImGui::EndTabItem();
    }
    if (tab("Compare", kTabCompare)) {
      fit = fit_begin();
      draw_compare(s, column);
      fit_end(s, fit, "the Compare panel");
      ImGui::EndTabItem();
    }
    s.requested_tab = -1;
    ImGui::EndTabBar();
  }
  ImGui::EndChild();
  ImGui::End();
  swipe_scroll(s);
}

}  // namespace lp::web