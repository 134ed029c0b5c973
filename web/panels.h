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
// The Draw tab (panel_draw.cpp), its per-frame analysis, and its marker on the pad.
void draw_draw(AppState& s, float width);
void draw_update(AppState& s);
void draw_marker(const AppState& s, ImDrawList* dl, ImVec2 at);
// The Walk tab (panel_walk.cpp) and its per-frame update (strips, Play).
void draw_walk(AppState& s, float width);
void walk_update(AppState& s);

// The tabs under the digit, in order (AppState::requested_tab).
enum Tab { kTabManifold, kTabReconstruction, kTabDraw, kTabWalk, kTabTrain };

}  // namespace lp::web
