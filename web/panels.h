// The demo's user interface: one full-window ImGui layout, redrawn every frame.
#pragma once
#include "app_state.h"

namespace lp::web {

void panels_draw(AppState& s);

// Recomputes whatever the last frame marked dirty (digit, manifold, reconstruction).
void panels_update(AppState& s);

// Shows the in-flight manifold request's decoded digits (s.manifold_pixels),
// decoded by `workers` workers (0: the main thread).
void manifold_show(AppState& s, int workers);

// The Train tab (panel_train.cpp), `width` pixels wide.
void draw_train(AppState& s, float width);

}  // namespace lp::web
