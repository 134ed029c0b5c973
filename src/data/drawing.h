// A drawing made MNIST-like, the way MNIST itself was made (LeCun et al.):
// crop to the ink's bounding box, scale it into a 20x20 box keeping its
// aspect ratio (averaging the pixels each output pixel covers), and place it
// in a 28x28 field with its centre of mass at the field's centre.
#pragma once
#include <vector>

namespace lp {

constexpr int kDrawingSide = 28;  // the field
constexpr int kDrawingBox = 20;   // the box the ink is scaled into

// canvas: width x height ink values in [0, 1], row-major. Returns the 28x28
// image, row-major, in [0, 1]; all zeros when there is no ink.
std::vector<float> drawing_to_mnist(const float* canvas, int width, int height);

// A soft, round pen: adds a stroke segment from (x0, y0) to (x1, y1) (canvas
// pixels) of the given radius to `canvas`, ink = 1 within radius - 1 and
// falling linearly to 0 at radius + 1, keeping the maximum where strokes cross.
void drawing_stroke(float* canvas, int width, int height, float x0, float y0, float x1, float y1, float radius);

}  // namespace lp
