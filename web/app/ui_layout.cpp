// The layout helpers every panel uses (panels.h): one wording for a test
// image, and the checks that keep every label and value inside its panel.
#include "panels.h"

#include <algorithm>
#include <cstdio>

#include "imgui_internal.h"  // the window's cursor extent

namespace lp::web {

std::string test_image_name(const AppState& s, int index) {
  static const char* const kFashion[10] = {"a T-shirt/top", "a trouser", "a pullover", "a dress", "a coat",
                                           "a sandal",      "a shirt",   "a sneaker",  "a bag",   "an ankle boot"};
  const int label = index >= 0 && index < static_cast<int>(s.data.labels.size()) ? s.data.labels[index] : -1;
  char text[64];
  if (label < 0 || label > 9) std::snprintf(text, sizeof text, "test image %d", index);
  else if (s.dataset == 1) std::snprintf(text, sizeof text, "test image %d (%s)", index, kFashion[label]);
  else std::snprintf(text, sizeof text, "test image %d (a %d)", index, label);
  return text;
}

float fit_begin() {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const float saved = w->DC.CursorMaxPos.x;
  w->DC.CursorMaxPos.x = w->DC.CursorPos.x;
  return saved;
}

void fit_end(AppState& s, float saved, const char* what) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const float used = w->DC.CursorMaxPos.x, right = w->ContentRegionRect.Max.x, left = w->ContentRegionRect.Min.x;
  if (used > right + 1.0f) {
    char note[160];
    std::snprintf(note, sizeof note, "%s: %.0f px wide in %.0f px", what, used - left, right - left);
    s.clipped.push_back(note);
  }
  w->DC.CursorMaxPos.x = std::max(saved, used);
}

void fit_text(AppState& s, const char* what, const char* text, float given) {
  const float needed = ImGui::CalcTextSize(text).x;
  if (needed > given + 0.5f) {
    char note[200];
    std::snprintf(note, sizeof note, "%s: \"%s\" needs %.0f px, has %.0f px", what, text, needed, given);
    s.clipped.push_back(note);
  }
}

const char* field_label(const char* label, float field, float* width) {
  static std::string id;
  const float avail = ImGui::GetContentRegionAvail().x;
  if (field + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label).x <= avail) {
    ImGui::SetNextItemWidth(field);
    if (width) *width = field;
    return label;
  }
  ImGui::TextUnformatted(label);
  const float line = ImGui::GetContentRegionAvail().x;
  ImGui::SetNextItemWidth(line);
  if (width) *width = line;
  id = std::string("##") + label;
  return id.c_str();
}

void same_line_if_fits(float width) {
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + width <= right + 0.5f) ImGui::SameLine();
}

float button_width(const char* label) {
  return ImGui::CalcTextSize(label, nullptr, true).x + 2 * ImGui::GetStyle().FramePadding.x;
}

void text_wrapped_disabled(const char* text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s", text);
  ImGui::PopStyleColor();
}

ImVec4 item_rect() {
  const ImVec2 at = ImGui::GetItemRectMin(), size = ImGui::GetItemRectSize();
  return ImVec4(at.x, at.y, size.x, size.y);
}

void panel_intro(AppState& s, const char* text) {
  text_wrapped_disabled(text);
  s.intro_rect = item_rect();
}

}  // namespace lp::web
