// Typed text for ImGui's text and number fields in the browser (issue 19,
// fault 3): while a field is active, page/text_input.js keeps a hidden HTML
// <input> focused over it, which receives what the browser types, composes
// (IMEs, dictation, phone keyboards) and pastes; this side hands that text to
// ImGui, tells the page where the active field is, and writes ImGui's copies
// to the system clipboard.
#pragma once

namespace lp::web {

// Once per drawn frame, after ImGui::Render(): sets up the clipboard hooks on
// the first call, releases keys the page pressed for one frame, and tells the
// page when a field becomes active or inactive, and where it is (CSS pixels).
void text_input_frame();

// Before ImGui::NewFrame(), after SDL's events: hands the text the page typed
// since the last frame to the active field. Returns whether there was any.
bool text_input_poll();

}  // namespace lp::web
