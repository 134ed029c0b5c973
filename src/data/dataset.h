// A labelled image set in memory, and the batches the trainer draws from it.
//
// Images stay the IDX file's bytes (47 MB for MNIST's training set, a quarter
// of it as floats) and become floats x / 255, like torchvision's ToTensor,
// only when a batch or a chunk is assembled.
#pragma once
#include <cstdint>
#include <vector>

#include <Eigen/Core>

namespace lp {

struct Dataset {
  std::vector<uint8_t> pixels;  // image after image, rows * cols bytes each, as in the IDX file
  std::vector<uint8_t> labels;  // one per image
  int rows = 0;
  int cols = 0;

  int size() const { return static_cast<int>(labels.size()); }
  int pixel_count() const { return rows * cols; }
  const uint8_t* image(int i) const { return pixels.data() + static_cast<size_t>(i) * pixel_count(); }
  // Images [first, first + count) as floats: [pixels, count], one per column.
  Eigen::MatrixXf floats(int first, int count) const;
  Eigen::MatrixXf floats() const { return floats(0, size()); }
  // Keeps the first n images (n <= size()).
  void truncate(int n);
};

// The images indices[...] of `data`, in that order, with their labels.
Dataset dataset_subset(const Dataset& data, const std::vector<int>& indices);

// x [pixels, count] = the images order[0..count) of `data` as floats, in that order.
void batch_gather(const Dataset& data, const int* order, int count, Eigen::MatrixXf& x);

}  // namespace lp
