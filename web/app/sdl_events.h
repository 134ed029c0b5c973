// SDL's events into ImGui 1.86, without losing quick key presses.
#pragma once

namespace lp::web {

// Hands every pending SDL event to ImGui (ImGui_ImplSDL2_ProcessEvent).
// Returns whether there was any, including key releases held back from the
// previous frame.
//
// ImGui 1.86 sees a key as held or not once a frame (io.KeysDown): a key
// pressed and released between two frames (a fast typist, a phone keyboard,
// a test driver, Ctrl+C typed in one go) would never be seen as pressed, so
// after a key goes down, the releases that follow it are kept for the next
// frame. Its SDL backend also reads the modifiers as they are now
// (SDL_GetModState()), after the whole batch: the Ctrl of a Ctrl+C released
// before the frame would be lost, so the modifiers are taken from each key
// event instead.
bool sdl_events_poll();

}  // namespace lp::web
