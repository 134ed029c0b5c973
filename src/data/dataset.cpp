#include "data/dataset.h"

namespace lp {
namespace {

// The same division as torchvision's ToTensor (and as this project always did):
// float(byte) / 255.
void to_floats(const uint8_t* bytes, Eigen::Index n, float* out) {
  for (Eigen::Index p = 0; p < n; ++p) out[p] = static_cast<float>(bytes[p]) / 255.0f;
}

}  // namespace

Eigen::MatrixXf Dataset::floats(int first, int count) const {
  Eigen::MatrixXf x(pixel_count(), count);
  to_floats(image(first), x.size(), x.data());
  return x;
}

void Dataset::truncate(int n) {
  labels.resize(static_cast<size_t>(n));
  pixels.resize(static_cast<size_t>(n) * pixel_count());
  pixels.shrink_to_fit();
}

Dataset dataset_subset(const Dataset& data, const std::vector<int>& indices) {
  Dataset out;
  out.rows = data.rows;
  out.cols = data.cols;
  out.pixels.reserve(indices.size() * static_cast<size_t>(data.pixel_count()));
  for (int i : indices) {
    out.pixels.insert(out.pixels.end(), data.image(i), data.image(i) + data.pixel_count());
    out.labels.push_back(data.labels[static_cast<size_t>(i)]);
  }
  return out;
}

void batch_gather(const Dataset& data, const int* order, int count, Eigen::MatrixXf& x) {
  x.resize(data.pixel_count(), count);
  for (int k = 0; k < count; ++k) to_floats(data.image(order[k]), x.rows(), x.col(k).data());
}

}  // namespace lp
