// The code space the page shows: the full code of the model's width L, and
// the plane through code space that the pad draws (issue 20).
//
// The pad is a plane: the point anchor + a u + b v at pad coordinates (a, b),
// with u and v orthonormal. Either two code dimensions span it (u = e_i,
// v = e_j, the anchor holding every other coordinate), or the first two
// principal components of the test codes do. A 2-D model's default plane is
// its whole code space (axes 0 and 1, anchor at the origin), as before.
//
// The code itself may leave the plane (the per-dimension sliders); dragging
// on the pad moves it along u and v only.
#pragma once
#include <vector>

namespace lp::web {

struct AppState;

struct CodePlane {
  enum Anchor { kOrigin = 0, kTestImage = 1, kDrawing = 2 };
  bool pca = false;      // spanned by the test codes' first two principal components
  int axes[2] = {0, 1};  // else by these code dimensions
  int anchor = kOrigin;  // where the other coordinates are held
  int anchor_image = 0;  // the test image, for kTestImage
  // Derived by plane_update: the anchor point, the two directions (L floats
  // each; v is zero for a 1-D code), and whether PCA was possible.
  std::vector<float> origin, u, v;
  bool pca_ready = false;
};

// After the page's model or its test codes changed: a new code width resets
// the code to the origin and the plane to the first two axes, or for a code
// wider than two to the PCA plane of the test codes (the visible
// range to +-3 for a VAE, +-1 for an autoencoder's tanh codes); the same
// width keeps both, refitting a PCA plane to the new codes.
void code_space_model_changed(AppState& s);

// Recomputes the plane's anchor point and directions from its settings, and
// the pad coordinates of the code.
void plane_update(AppState& s);

// Pad coordinates (a, b) -> the code anchor + a u + b v (L floats).
void pad_to_code(const AppState& s, float a, float b, float* code);
// A code (L floats) -> its orthogonal projection onto the plane, (a, b).
void code_to_pad(const AppState& s, const float* code, float* ab);

// Moves the code to pad coordinates (a, b): along u and v only.
void code_move_on_pad(AppState& s, float a, float b);
// Sets the whole code (L floats); the pad shows its projection.
void code_set(AppState& s, const float* code);

// The standard normal's quantile function: x with P(N(0,1) <= x) = p, for p
// in (0, 1). Bisection on std::erfc, to float precision.
float normal_quantile(double p);

// Mean of the test codes and the two leading eigenvectors of their covariance
// (n codes of `width` floats): the PCA plane. Each vector's largest component
// is made positive, so the plane does not flip between runs. Returns false
// for fewer than 3 codes or a width below 2.
bool codes_pca(const std::vector<float>& codes, int width, std::vector<float>* u, std::vector<float>* v);

}  // namespace lp::web
