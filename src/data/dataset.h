// A labelled image set in memory, and the batches the trainer draws from it.
#pragma once
#include <cstdint>
#include <vector>

#include <Eigen/Core>

namespace lp {

// Pixels scaled to [0, 1] like torchvision's ToTensor.
struct Dataset {
  Eigen::MatrixXf images;       // [rows * cols, N], one image per column
  std::vector<uint8_t> labels;  // [N]
  int rows = 0;
  int cols = 0;
  int size() const { return static_cast<int>(images.cols()); }
};

// x [pixels, count] = the images order[0..count) of `images`, in that order.
void batch_gather(const Eigen::MatrixXf& images, const int* order, int count, Eigen::MatrixXf& x);

}  // namespace lp
