// The demo's user interface: one full-window ImGui layout (window.cpp), redrawn
// every frame, and a file per panel.
#pragma once
#include <functional>
#include <string>

#include "app_state.h"

namespace lp::web {

void panels_draw(AppState& s);

// Recomputes whatever the last frame marked dirty (digit, manifold, reconstruction).
void panels_update(AppState& s);

// Shows the in-flight manifold request's decoded digits (s.manifold_pixels),
// decoded by `workers` workers (0: the main thread).
void manifold_show(AppState& s, int workers);

// The pad (panel_pad.cpp): the scatter of test codes with the draggable
// point, `size` px square; its class legend; the code fields and range
// presets; the decoded digit, `size` px square; and the digit's redecode.
void draw_pad(AppState& s, float size);
void draw_legend(float width);
void draw_latent_controls(AppState& s);
void draw_digit(AppState& s, float size);
void pad_update(AppState& s);
// The Manifold tab (panel_manifold.cpp), its grid `size` px square, and the
// grid's request to the decode workers.
void draw_manifold(AppState& s, float size);
void manifold_update(AppState& s);
// The Reconstruction tab (panel_reconstruction.cpp), each image `size` px.
void draw_reconstruction(AppState& s, float size);
void reconstruction_update(AppState& s);
// The Compare tab (panel_compare.cpp), `width` pixels wide, and its update
// (only while it is open).
void draw_compare(AppState& s, float width);
void compare_update(AppState& s);
// The Train tab (panel_train.cpp), `width` pixels wide.
void draw_train(AppState& s, float width);
// The Draw tab (panel_draw.cpp), its per-frame analysis, and its marker on the pad.
void draw_draw(AppState& s, float width);
void draw_update(AppState& s);
// to_screen maps pad coordinates to the screen.
void draw_marker(const AppState& s, ImDrawList* dl, const std::function<ImVec2(float, float)>& to_screen);
// The Walk tab (panel_walk.cpp) and its per-frame update (strips, Play).
void draw_walk(AppState& s, float width);
void walk_update(AppState& s);

// How every panel names a bundled test image: its number and its label,
// "test image 3 (a 0)" (Fashion-MNIST: "test image 3 (a trouser)").
std::string test_image_name(const AppState& s, int index);

// Layout helpers that keep every label and value readable at any width.
// fit_begin / fit_end bracket items that must all end inside the current
// window's content region; fit_text notes a value or caption wider than the
// `given` pixels its field or bar has. Both add to s.clipped (shown by
// latentpad.layout().clipped), which panels_draw clears every frame.
float fit_begin();
void fit_end(AppState& s, float saved, const char* what);
void fit_text(AppState& s, const char* what, const char* text, float given);
// The next widget's label: beside it (ImGui's way, the returned id is the
// label) when a `field` px wide field and the label fit in the rest of the
// line, else on its own line above a field as wide as the line (the returned
// id is "##label"). Sets the widget's width (also in *width); returns its id.
const char* field_label(const char* label, float field, float* width = nullptr);
// SameLine() when an item `width` px wide still fits on this line.
void same_line_if_fits(float width);
// A button's width for `label`.
float button_width(const char* label);
// Greyed text wrapped at the window's edge.
void text_wrapped_disabled(const char* text);
// The last ImGui item's screen rectangle (x, y, width, height), for layout().
ImVec4 item_rect();
// A tab's opening sentence: greyed, wrapped, and its rect kept in
// s.intro_rect (latentpad.layout().intro, a place to start a swipe).
void panel_intro(AppState& s, const char* text);

// The tabs under the digit, in order (AppState::requested_tab).
enum Tab { kTabManifold, kTabReconstruction, kTabDraw, kTabWalk, kTabTrain, kTabCompare };

}  // namespace lp::web
