#include "data/dataset.h"

namespace lp {

void batch_gather(const Eigen::MatrixXf& images, const int* order, int count, Eigen::MatrixXf& x) {
  x.resize(images.rows(), count);
  for (int k = 0; k < count; ++k) x.col(k) = images.col(order[k]);
}

}  // namespace lp
