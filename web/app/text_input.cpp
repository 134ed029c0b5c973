// See text_input.h. The page's side is page/text_input.js.
#include "text_input.h"

#include <SDL.h>
#include <emscripten.h>

#include <string>
#include <vector>

#include "imgui.h"
#include "imgui_internal.h"

namespace lp::web {
namespace {

// Text the page's input received since the last frame (lp_text_insert).
std::string g_typed;
// What ImGui copied last (Ctrl+C / Ctrl+X in a field).
std::string g_copied;
// Keys the page pressed (lp_text_key): down for one frame, released after it.
std::vector<int> g_pressed;
// Where the active field was when the page was told last.
int g_told[4] = {-1, -1, -1, -1};

EM_JS(void, js_text_copy, (const char* text), {
  if (window.lpTextInput) window.lpTextInput.copy(UTF8ToString(text));
});

EM_JS(void, js_text_field, (int state, int x, int y, int w, int h), {
  if (window.lpTextInput) window.lpTextInput.field(state, x, y, w, h);
});

void set_clipboard(void*, const char* text) {
  g_copied = text;
  js_text_copy(text);
}

// Pasting comes through the browser's paste event (lp_text_insert) instead:
// the system clipboard cannot be read synchronously. Returning "" makes
// ImGui's own Ctrl+V / Shift+Insert insert nothing, so nothing arrives twice.
const char* get_clipboard(void*) { return ""; }

}  // namespace

bool text_input_poll() {
  if (g_typed.empty()) return false;
  ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) {
    // ImGui 1.86 drops typed characters while Ctrl (or Cmd) is held, taking
    // them for a shortcut; but a paste arrives while Ctrl+V's Ctrl is still
    // down. V itself never reaches ImGui (page/text_input.js keeps it), so
    // no shortcut is lost by releasing Ctrl for this one frame.
    io.KeyCtrl = io.KeySuper = false;
    io.AddInputCharactersUTF8(g_typed.c_str());
  }
  g_typed.clear();
  return true;
}

void text_input_frame() {
  ImGuiIO& io = ImGui::GetIO();
  static bool set_up = false;
  if (!set_up) {
    set_up = true;
    io.SetClipboardTextFn = set_clipboard;
    io.GetClipboardTextFn = get_clipboard;
    // A click or tap without moving turns a drag field (the code's x and y)
    // into a text field, so a phone user can type a value.
    io.ConfigDragClickToInputText = true;
  }
  for (const int key : g_pressed) io.KeysDown[key] = false;
  g_pressed.clear();

  const ImGuiContext& g = *ImGui::GetCurrentContext();
  // Whether a field takes text: ImGui's request for the next frame, made
  // during this one. io.WantTextInput follows it only in the next NewFrame;
  // set now, it also keeps main.cpp's frame loop drawing until then (a drag
  // field turns into text a frame after it is released, with no input left
  // to wake the loop).
  const bool active = g.WantTextInputNextFrame == 1;
  io.WantTextInput = active;
  // The active field's frame: ImGui focuses (navigation rect) the item it
  // activates; failing that, the caret's line (ImGui's IME position).
  const float line = ImGui::GetFrameHeight();
  ImRect field(g.PlatformImePos.x, g.PlatformImePos.y - g.Style.FramePadding.y, g.PlatformImePos.x + 6 * line,
               g.PlatformImePos.y - g.Style.FramePadding.y + line);
  if (g.NavWindow && g.NavId == g.ActiveId && g.ActiveId != 0)
    field = ImGui::WindowRectRelToAbs(g.NavWindow, g.NavWindow->NavRectRel[g.NavLayer]);
  const int rect[4] = {static_cast<int>(field.Min.x), static_cast<int>(field.Min.y),
                       static_cast<int>(field.GetWidth()), static_cast<int>(field.GetHeight())};
  // While an item is held (a drag field about to turn into text on release),
  // the page may focus its input inside the touch's user gesture.
  const bool pending = !active && g.ActiveId != 0 &&
                       g.ActiveIdUsingNavDirMask == ((1u << ImGuiDir_Left) | (1u << ImGuiDir_Right));
  const int state = active ? 1 : pending ? 2 : 0;
  static int told_state = 0;
  if (state != told_state || (active && (rect[0] != g_told[0] || rect[1] != g_told[1] || rect[2] != g_told[2]))) {
    told_state = state;
    for (int i = 0; i < 4; ++i) g_told[i] = rect[i];
    js_text_field(state, rect[0], rect[1], rect[2], rect[3]);
  }
}

}  // namespace lp::web

extern "C" {

// Text the page's hidden input received (typed, composed or pasted): UTF-8.
// It waits for the next frame (text_input_poll).
EMSCRIPTEN_KEEPALIVE void lp_text_insert(const char* text) { lp::web::g_typed += text; }

// A key a phone keyboard produced without a key code SDL knows (Backspace,
// Enter): pressed for the next frame (an SDL scancode).
EMSCRIPTEN_KEEPALIVE void lp_text_key(int scancode) {
  if (!ImGui::GetCurrentContext() || scancode <= 0 || scancode >= 512) return;
  ImGui::GetIO().KeysDown[scancode] = true;
  lp::web::g_pressed.push_back(scancode);
}

}  // extern "C"
