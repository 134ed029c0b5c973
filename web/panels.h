// The demo's user interface: one full-window ImGui layout, redrawn every frame.
#pragma once
#include "app_state.h"

namespace lp::web {

void panels_draw(AppState& s);

// Recomputes whatever the last frame marked dirty (digit, manifold, reconstruction).
void panels_update(AppState& s);

}  // namespace lp::web
