#include "kernels/activation.h"

#include <catch2/catch.hpp>

#include "gradcheck.h"

using namespace lp;

TEST_CASE("activations compute their textbook values", "[activation]") {
  Eigen::MatrixXf z(1, 4);
  z << -2.0f, -0.5f, 0.0f, 1.5f;
  Eigen::MatrixXf t = z, s = z, r = z, i = z;
  activation_forward(Activation::tanh, t);
  activation_forward(Activation::sigmoid, s);
  activation_forward(Activation::relu, r);
  activation_forward(Activation::identity, i);
  for (int k = 0; k < 4; ++k) {
    CHECK(t(k) == Approx(std::tanh(z(k))).margin(1e-6));
    CHECK(s(k) == Approx(1.0 / (1.0 + std::exp(-z(k)))).margin(1e-6));
    CHECK(r(k) == std::max(0.0f, z(k)));
    CHECK(i(k) == z(k));
    for (uint32_t code = 0; code <= 3; ++code)
      CHECK(activation_apply(static_cast<Activation>(code), z(k)) ==
            Approx(code == 1 ? t(k) : code == 2 ? s(k) : code == 3 ? r(k) : z(k)).margin(1e-6));
  }
}

TEST_CASE("activation backward matches finite differences", "[activation][gradcheck]") {
  for (uint32_t code = 0; code <= 3; ++code) {
    const auto act = static_cast<Activation>(code);
    DYNAMIC_SECTION(activation_name(act)) {
      Eigen::MatrixXf z(3, 2);
      z << -1.3f, 0.4f, 0.7f, -0.2f, 2.1f, 0.9f;  // away from relu's kink at 0
      Eigen::MatrixXf weights(3, 2);
      weights << 0.3f, -1.1f, 0.8f, 0.5f, -0.7f, 1.9f;
      auto loss = [&] {
        Eigen::MatrixXf a = z;
        activation_forward(act, a);
        return static_cast<double>((a.array() * weights.array()).sum());
      };
      Eigen::MatrixXf a = z;
      activation_forward(act, a);
      Eigen::MatrixXf grad = weights;
      activation_backward(act, a, grad);
      test::gradcheck(z.data(), grad.data(), static_cast<int>(z.size()), loss, 1e-3, 2e-3);
    }
  }
}

TEST_CASE("activation names round-trip and unknown codes are rejected", "[activation]") {
  Activation act;
  for (uint32_t code = 0; code <= 3; ++code) {
    REQUIRE(activation_parse(activation_name(static_cast<Activation>(code)), &act));
    CHECK(static_cast<uint32_t>(act) == code);
  }
  CHECK_FALSE(activation_parse("softmax", &act));
  CHECK_FALSE(activation_is_valid(4));
}
