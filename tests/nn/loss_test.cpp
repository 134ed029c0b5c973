#include "nn/loss.h"

#include <catch2/catch.hpp>

using namespace lp;

TEST_CASE("mse is the mean over every element, like nn.MSELoss", "[loss]") {
  Eigen::MatrixXf pred(2, 2), target(2, 2);
  pred << 1, 2, 3, 4;
  target << 0, 2, 5, 4;
  CHECK(mse_loss(pred, target) == Approx((1.0 + 0.0 + 4.0 + 0.0) / 4.0));
  CHECK(squared_error_sum(pred, target) == Approx(5.0));
  Eigen::MatrixXf grad;
  mse_loss_backward(pred, target, 4.0, grad);
  CHECK(grad(0, 0) == Approx(2.0 * 1.0 / 4.0));
  CHECK(grad(1, 0) == Approx(2.0 * -2.0 / 4.0));
  CHECK(grad(0, 1) == 0.0f);
}
