// One-node tests of the ai.onnx.preview.training optimizers (Adagrad, Adam, Momentum):
// single steps worked out by hand in the comments, update counts T > 0 (the backend data
// only has T = 0), double tensors, and malformed nodes.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "onyx/onyx.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::floats;
using testing::OpTester;
using Vec = std::vector<float>;

constexpr const char* kDomain = "ai.onnx.preview.training";

::testing::AssertionResult mentions(const std::string& error, const std::string& what) {
  if (error.find(what) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "error '" << error << "' does not mention '" << what << "'";
}

void expect_near(const Tensor& got, const Vec& want) {
  ASSERT_EQ(got.numel(), static_cast<int64_t>(want.size())) << got.describe();
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got.data<float>()[i], want[i], 1e-5f);
}

Tensor count(int64_t t) { return Tensor::scalar<int64_t>(t); }

TEST(Adagrad, TwoTensorsWithDecay) {
  // r = 0.1 / (1 + 1 * 0.5) = 1/15. With norm_coefficient 0.5:
  //   X1 = 2, G1 = -2: g = 0.5 * 2 - 2 = -1; H1_new = 3 + 1 = 4; X1_new = 2 + (1/15) / 2.
  //   X2 = {4, 0}, G2 = {1, -3}: g = {3, -3}; H2_new = {7 + 9, 0 + 9} = {16, 9};
  //   X2_new = {4 - (1/15) * 3 / 4, 0 + (1/15) * 3 / 3} = {3.95, 1/15}.
  OpTester t("Adagrad", 1, kDomain);
  t.input("R", Tensor::scalar(0.1f))
      .input("T", count(1))
      .input("X1", floats({1}, {2}))
      .input("X2", floats({2}, {4, 0}))
      .input("G1", floats({1}, {-2}))
      .input("G2", floats({2}, {1, -3}))
      .input("H1", floats({1}, {3}))
      .input("H2", floats({2}, {7, 0}))
      .attr("decay_factor", 0.5f)
      .attr("epsilon", 0.0f)
      .attr("norm_coefficient", 0.5f)
      .output("X1_new")
      .output("X2_new")
      .output("H1_new")
      .output("H2_new");
  std::vector<Tensor> out = t.run();
  expect_near(out[0], {2 + 1.0f / 30});
  expect_near(out[1], {3.95f, 1.0f / 15});
  expect_near(out[2], {4});
  expect_near(out[3], {16, 9});
}

TEST(Adam, BiasCorrectionAndPostNorm) {
  // T = 2, alpha 0.5, beta 0.75, X = 1, G = 2, V = 1, H = 4:
  //   V_new = 0.5 + 1 = 1.5; H_new = 3 + 0.25 * 4 = 4;
  //   R_adjusted = 0.1 * sqrt(1 - 0.75^2) / (1 - 0.5^2) = 0.1 * sqrt(0.4375) / 0.75;
  //   X_new = (1 - 0.1) * (1 - R_adjusted * 1.5 / 2).
  OpTester t("Adam", 1, kDomain);
  t.input("R", Tensor::scalar(0.1f))
      .input("T", count(2))
      .input("X", floats({1}, {1}))
      .input("G", floats({1}, {2}))
      .input("V", floats({1}, {1}))
      .input("H", floats({1}, {4}))
      .attr("alpha", 0.5f)
      .attr("beta", 0.75f)
      .attr("epsilon", 0.0f)
      .attr("norm_coefficient_post", 0.1f)
      .output("X_new")
      .output("V_new")
      .output("H_new");
  std::vector<Tensor> out = t.run();
  const float r_adjusted = 0.1f * std::sqrt(0.4375f) / 0.75f;
  expect_near(out[0], {0.9f * (1 - r_adjusted * 0.75f)});
  expect_near(out[1], {1.5f});
  expect_near(out[2], {4});
}

TEST(Adam, DefaultsWithDoubleTensors) {
  // T = 0: no bias correction. Defaults alpha 0.9, beta 0.999, epsilon 1e-6 (attributes
  // are float32, so 1 - beta is 1 - 0.999f, not exactly 0.001):
  //   V_new = 0.9 * 0 + 0.1 * 3 = 0.3; H_new = (1 - beta) * 9;
  //   X_new = 1 - 0.5 * 0.3 / (sqrt(H_new) + 1e-6).
  OpTester t("Adam", 1, kDomain);
  t.input("R", Tensor::scalar(0.5))
      .input("T", count(0))
      .input("X", Tensor::from_vector<double>({1}, {1}))
      .input("G", Tensor::from_vector<double>({1}, {3}))
      .input("V", Tensor::from_vector<double>({1}, {0}))
      .input("H", Tensor::from_vector<double>({1}, {0}))
      .output("X_new")
      .output("V_new")
      .output("H_new");
  std::vector<Tensor> out = t.run();
  const double h_new = (1 - double{0.999f}) * 9, v_new = (1 - double{0.9f}) * 3;
  EXPECT_NEAR(out[0].data<double>()[0], 1 - 0.5 * v_new / (std::sqrt(h_new) + double{1e-6f}),
              1e-12);
  EXPECT_NEAR(out[1].data<double>()[0], v_new, 1e-12);
  EXPECT_NEAR(out[2].data<double>()[0], h_new, 1e-12);
}

Tensor momentum_step(const char* mode, int64_t t_count) {
  OpTester t("Momentum", 1, kDomain);
  t.input("R", Tensor::scalar(0.1f))
      .input("T", count(t_count))
      .input("X", floats({1}, {2}))
      .input("G", floats({1}, {1}))
      .input("V", floats({1}, {1}))
      .attr("alpha", 0.9f)
      .attr("beta", 0.5f)
      .attr("mode", mode)
      .attr("norm_coefficient", 0.1f)
      .output("X_new")
      .output("V_new");
  std::vector<Tensor> out = t.run();
  return out[0];
}

TEST(Momentum, StandardAndNesterovPastTheFirstStep) {
  // G_regularized = 0.1 * 2 + 1 = 1.2. T = 3 uses beta: V_new = 0.9 + 0.5 * 1.2 = 1.5.
  //   standard: X_new = 2 - 0.1 * 1.5 = 1.85
  //   nesterov: X_new = 2 - 0.1 * (1.2 + 0.9 * 1.5) = 1.745
  // T = 0 takes all of G: V_new = 0.9 + 1.2 = 2.1; standard X_new = 2 - 0.21 = 1.79.
  expect_near(momentum_step("standard", 3), {1.85f});
  expect_near(momentum_step("nesterov", 3), {1.745f});
  expect_near(momentum_step("standard", 0), {1.79f});
}

TEST(Momentum, MalformedNodes) {
  auto base = [](OpTester& t) -> OpTester& {
    return t.input("R", Tensor::scalar(0.1f)).input("T", count(0)).input("X", floats({2}, {1, 2}));
  };
  // Missing required attributes and a bad mode.
  OpTester no_alpha("Momentum", 1, kDomain);
  base(no_alpha).input("G", floats({2}, {1, 1})).input("V", floats({2}, {0, 0}));
  no_alpha.attr("beta", 1.0f).attr("mode", "standard").attr("norm_coefficient", 0.0f);
  no_alpha.output("X_new").output("V_new");
  EXPECT_TRUE(mentions(error_of([&] { no_alpha.run(); }), "'alpha' is missing"));
  OpTester bad_mode("Momentum", 1, kDomain);
  base(bad_mode).input("G", floats({2}, {1, 1})).input("V", floats({2}, {0, 0}));
  bad_mode.attr("alpha", 0.9f)
      .attr("beta", 1.0f)
      .attr("mode", "heavy")
      .attr("norm_coefficient", 0.0f);
  bad_mode.output("X_new").output("V_new");
  EXPECT_TRUE(mentions(error_of([&] { bad_mode.run(); }), "mode must be 'standard' or 'nesterov'"));
  // A gradient whose shape differs from X.
  OpTester bad_shape("Momentum", 1, kDomain);
  base(bad_shape).input("G", floats({3}, {1, 1, 1})).input("V", floats({2}, {0, 0}));
  bad_shape.attr("alpha", 0.9f)
      .attr("beta", 1.0f)
      .attr("mode", "standard")
      .attr("norm_coefficient", 0.0f);
  bad_shape.output("X_new").output("V_new");
  EXPECT_TRUE(mentions(error_of([&] { bad_shape.run(); }), "must match X1"));
}

TEST(Adagrad, MalformedNodes) {
  // R, T, X, G: the H list is missing.
  OpTester short_list("Adagrad", 1, kDomain);
  short_list.input("R", Tensor::scalar(0.1f))
      .input("T", count(0))
      .input("X", floats({1}, {1}))
      .input("G", floats({1}, {1}))
      .output("X_new");
  EXPECT_TRUE(mentions(error_of([&] { short_list.run(); }), "2 + 3 * n inputs"));
  // A negative update count, and an R that is not a scalar.
  auto adagrad = [](Tensor r, int64_t t_count) {
    OpTester t("Adagrad", 1, kDomain);
    t.input("R", r)
        .input("T", count(t_count))
        .input("X", floats({1}, {1}))
        .input("G", floats({1}, {1}))
        .input("H", floats({1}, {1}))
        .output("X_new")
        .output("H_new");
    return error_of([&] { t.run(); });
  };
  EXPECT_TRUE(mentions(adagrad(Tensor::scalar(0.1f), -1), "must be >= 0"));
  EXPECT_TRUE(mentions(adagrad(floats({2}, {0.1f, 0.2f}), 0), "R must be a scalar"));
}

}  // namespace
}  // namespace onyx
