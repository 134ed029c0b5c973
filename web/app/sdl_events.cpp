// See sdl_events.h.
#include "sdl_events.h"

#include <SDL.h>

#include <vector>

#include "imgui.h"
#include "imgui_impl_sdl.h"

namespace lp::web {
namespace {

bool is_key(const SDL_Event& e) { return e.type == SDL_KEYDOWN || e.type == SDL_KEYUP; }

void process(SDL_Event& e) {
  ImGui_ImplSDL2_ProcessEvent(&e);
  if (!is_key(e)) return;
  // The modifiers as they were when this key moved (see the header).
  ImGuiIO& io = ImGui::GetIO();
  const Uint16 mod = e.key.keysym.mod;
  io.KeyShift = (mod & KMOD_SHIFT) != 0;
  io.KeyCtrl = (mod & KMOD_CTRL) != 0;
  io.KeyAlt = (mod & KMOD_ALT) != 0;
  io.KeySuper = (mod & KMOD_GUI) != 0;
}

}  // namespace

bool sdl_events_poll() {
  // Key events held back last frame, in their order.
  static std::vector<SDL_Event> held;
  std::vector<SDL_Event> batch;
  batch.swap(held);
  bool any = !batch.empty();
  SDL_Event event;
  while (SDL_PollEvent(&event)) {
    batch.push_back(event);
    any = true;
  }
  bool pressed = false, holding = false;
  for (SDL_Event& e : batch) {
    if (is_key(e)) {
      // Once a release follows a press in this frame, it and every key event
      // after it wait for the next frame, so their order is kept.
      if (holding || (e.type == SDL_KEYUP && pressed)) {
        holding = true;
        held.push_back(e);
        continue;
      }
      if (e.type == SDL_KEYDOWN && !e.key.repeat) pressed = true;
    }
    process(e);
  }
  return any;
}

}  // namespace lp::web
