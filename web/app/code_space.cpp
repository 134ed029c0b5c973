// See code_space.h.
#include "code_space.h"

#include <algorithm>
#include <cmath>

#include "app_state.h"
#include "demo_data.h"
#include "nn/autoencoder.h"

namespace lp::web {
namespace {

std::vector<float> unit(int width, int axis) {
  std::vector<float> e(width, 0.0f);
  if (axis >= 0 && axis < width) e[axis] = 1.0f;
  return e;
}

// The anchor's code: the origin, a test image's code (mu for a VAE) or the
// drawing's.
std::vector<float> anchor_point(const AppState& s) {
  const int width = s.latent;
  std::vector<float> point(width, 0.0f);
  const CodePlane& p = s.plane;
  if (p.anchor == CodePlane::kTestImage && s.data.model.encoder() && p.anchor_image >= 0 &&
      p.anchor_image < s.data.image_count)
    autoencoder_encode(s.data.model.model, &s.data.images[static_cast<size_t>(p.anchor_image) * kPixels], 1,
                       point.data());
  else if (p.anchor == CodePlane::kDrawing && static_cast<int>(s.draw.code.size()) == width && s.draw.has_ink)
    point = s.draw.code;
  return point;
}

}  // namespace

bool codes_pca(const std::vector<float>& codes, int width, std::vector<float>* u, std::vector<float>* v) {
  const size_t n = width > 0 ? codes.size() / width : 0;
  if (width < 2 || n < 3) return false;
  // The covariance, in double (plain loops: Eigen's eigen-solver would add
  // tens of kilobytes to the page's first load for a 256x256 matrix at most).
  std::vector<double> mean(width, 0.0), cov(static_cast<size_t>(width) * width, 0.0);
  for (size_t i = 0; i < n; ++i)
    for (int k = 0; k < width; ++k) mean[k] += codes[i * width + k];
  for (double& m : mean) m /= static_cast<double>(n);
  std::vector<double> d(width);
  for (size_t i = 0; i < n; ++i) {
    for (int k = 0; k < width; ++k) d[k] = codes[i * width + k] - mean[k];
    for (int r = 0; r < width; ++r)
      for (int c = r; c < width; ++c) cov[static_cast<size_t>(r) * width + c] += d[r] * d[c];
  }
  for (int r = 0; r < width; ++r)
    for (int c = r; c < width; ++c) cov[static_cast<size_t>(c) * width + r] = cov[static_cast<size_t>(r) * width + c] /= (n - 1);
  // The two leading eigenvectors by power iteration, the second deflated
  // against the first (the covariance is symmetric positive semi-definite).
  auto leading = [&](const std::vector<double>* against, std::vector<double>* out) {
    std::vector<double> x(width), y(width);
    for (int k = 0; k < width; ++k) x[k] = 1.0 + 0.01 * k;  // not orthogonal to any eigenvector in practice
    for (int iteration = 0; iteration < 1000; ++iteration) {
      if (against) {
        double p = 0;
        for (int k = 0; k < width; ++k) p += x[k] * (*against)[k];
        for (int k = 0; k < width; ++k) x[k] -= p * (*against)[k];
      }
      double norm = 0;
      for (int r = 0; r < width; ++r) {
        double sum = 0;
        for (int c = 0; c < width; ++c) sum += cov[static_cast<size_t>(r) * width + c] * x[c];
        y[r] = sum;
        norm += sum * sum;
      }
      norm = std::sqrt(norm);
      if (!(norm > 1e-30)) return false;
      double change = 0;
      for (int k = 0; k < width; ++k) change = std::max(change, std::fabs(y[k] / norm - x[k])), x[k] = y[k] / norm;
      if (change < 1e-12) break;
    }
    // The largest component positive, so the plane does not flip.
    int largest = 0;
    for (int k = 1; k < width; ++k)
      if (std::fabs(x[k]) > std::fabs(x[largest])) largest = k;
    if (x[largest] < 0)
      for (double& value : x) value = -value;
    *out = x;
    return true;
  };
  std::vector<double> first, second;
  if (!leading(nullptr, &first) || !leading(&first, &second)) return false;
  u->assign(first.begin(), first.end());
  v->assign(second.begin(), second.end());
  return true;
}

void plane_update(AppState& s) {
  CodePlane& p = s.plane;
  const int width = s.latent;
  p.axes[0] = std::clamp(p.axes[0], 0, width - 1);
  p.axes[1] = std::clamp(p.axes[1], 0, width - 1);
  p.pca_ready = p.pca && static_cast<int>(s.data.codes.size()) >= 3 * width &&
                s.data.codes.size() % width == 0 && codes_pca(s.data.codes, width, &p.u, &p.v);
  p.origin = anchor_point(s);
  if (!p.pca_ready) {
    p.u = unit(width, p.axes[0]);
    // A 1-D code has no second direction; two equal axes neither.
    p.v = p.axes[1] != p.axes[0] ? unit(width, p.axes[1]) : std::vector<float>(width, 0.0f);
    // The plane's own coordinates are the code's: the anchor holds the others.
    p.origin[p.axes[0]] = 0.0f;
    if (p.axes[1] != p.axes[0]) p.origin[p.axes[1]] = 0.0f;
  }
  code_to_pad(s, s.code.data(), s.z);
  ++s.code_serial;
  s.manifold_dirty = true;
  s.scatter_pixels = 0;
}

void code_space_model_changed(AppState& s) {
  const int width = std::max(1, s.data.model.model.latent());
  const bool vae = s.data.model.model.is_vae();
  if (width != s.latent || vae != s.vae || static_cast<int>(s.code.size()) != width) {
    s.latent = width;
    s.vae = vae;
    s.code.assign(width, 0.0f);
    s.plane = CodePlane{};
    s.plane.axes[1] = width > 1 ? 1 : 0;
    // A wider code opens on the plane of its test codes' first two principal
    // components (axes 0 and 1 until there are codes to fit).
    s.plane.pca = width > 2;
    s.range = vae ? 3.0f : 1.0f;
  }
  plane_update(s);
}

void pad_to_code(const AppState& s, float a, float b, float* code) {
  const CodePlane& p = s.plane;
  for (int k = 0; k < s.latent; ++k) code[k] = p.origin[k] + a * p.u[k] + b * p.v[k];
}

void code_to_pad(const AppState& s, const float* code, float* ab) {
  const CodePlane& p = s.plane;
  double a = 0, b = 0;
  for (int k = 0; k < s.latent; ++k) {
    const double d = static_cast<double>(code[k]) - p.origin[k];
    a += d * p.u[k];
    b += d * p.v[k];
  }
  ab[0] = static_cast<float>(a);
  ab[1] = static_cast<float>(b);
}

void code_move_on_pad(AppState& s, float a, float b) {
  const float da = a - s.z[0], db = b - s.z[1];
  for (int k = 0; k < s.latent; ++k) s.code[k] += da * s.plane.u[k] + db * s.plane.v[k];
  s.z[0] = a;
  s.z[1] = b;
  ++s.code_serial;
  s.digit_dirty = true;
}

void code_set(AppState& s, const float* code) {
  s.code.assign(code, code + s.latent);
  code_to_pad(s, s.code.data(), s.z);
  ++s.code_serial;
  s.digit_dirty = true;
}

float normal_quantile(double p) {
  p = std::clamp(p, 1e-12, 1 - 1e-12);
  double lo = -8, hi = 8;
  for (int i = 0; i < 60; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p) lo = mid;
    else hi = mid;
  }
  return static_cast<float>(0.5 * (lo + hi));
}

}  // namespace lp::web
