// One-node tests of the attribute activations (ops/math/activations.cc) and of the
// normalizations and Lp pools (ops/nn/normalization.cc, layer_norm.cc, lp_pool.cc) for
// cases the ONNX backend data misses. Every expected value is worked out by hand in the
// comment next to it.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "onyx/onyx.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::floats;

using testing::expect_near;
using testing::OpTester;

const float kNaN = std::numeric_limits<float>::quiet_NaN();

TEST(ActivationNorm, ShrinkOnIntegers) {
  // lambd 1.5, bias 1: -3 < -1.5 -> -3 + 1 = -2; -1, 0 inside [-1.5, 1.5] -> 0; 2 -> 2 - 1.
  OpTester t("Shrink", 9);
  t.input("X", Tensor::from_vector<int32_t>({4}, {-3, -1, 0, 2}))
      .attr("lambd", 1.5f)
      .attr("bias", 1.0f)
      .output("Y");
  Tensor y = t.run()[0];
  EXPECT_EQ(y.dtype(), DType::Int32);
  EXPECT_EQ(y.to_vector<int32_t>(), (std::vector<int32_t>{-2, 0, 0, 1}));
}

TEST(ActivationNorm, NaNPropagatesThroughClampingActivations) {
  // HardSigmoid(0) = 0.5, HardSwish(-1) = -1 * (-1/6 + 1/2) = -1/3; NaN stays NaN.
  OpTester hs("HardSigmoid", 6);
  hs.input("X", floats({2}, {0, kNaN})).output("Y");
  std::vector<float> a = hs.run()[0].to_vector<float>();
  EXPECT_FLOAT_EQ(a[0], 0.5f);
  EXPECT_TRUE(std::isnan(a[1]));
  OpTester sw("HardSwish", 14);
  sw.input("X", floats({2}, {-1, kNaN})).output("Y");
  std::vector<float> b = sw.run()[0].to_vector<float>();
  EXPECT_NEAR(b[0], -1.0f / 3, 1e-6);
  EXPECT_TRUE(std::isnan(b[1]));
  OpTester lr("LeakyRelu", 16);
  lr.input("X", floats({1}, {kNaN})).output("Y");
  EXPECT_TRUE(std::isnan(lr.run()[0].to_vector<float>()[0]));
}

TEST(ActivationNorm, SoftplusAndMishDoNotOverflow) {
  // Softplus(100) = 100 + log(1 + e^-100) = 100; Mish(1) = tanh(log(1 + e)) = tanh(1.3132617).
  OpTester sp("Softplus", 1);
  sp.input("X", floats({2}, {100, -100})).output("Y");
  expect_near(sp.run()[0], {2}, {100, 0});
  OpTester mish("Mish", 18);
  mish.input("X", floats({1}, {1})).output("Y");
  expect_near(mish.run()[0], {1}, {0.8650984f});
}

TEST(ActivationNorm, CeluRejectsZeroAlpha) {
  OpTester t("Celu", 12);
  t.input("X", floats({1}, {1})).attr("alpha", 0.0f).output("Y");
  EXPECT_NE(error_of([&] { t.run(); }).find("alpha"), std::string::npos);
}

TEST(ActivationNorm, LayerNormNegativeAxisWithStashType) {
  // X (2, 1, 2) = [[[1, 3]], [[2, 2]]], axis -2 = 1: each row of 2 is normalized.
  // Scale [2, 1] and B [0.5] broadcast to (1, 2); epsilon 0.25.
  //   row 0: mean 2, var 1, inv 1/sqrt(1.25) = 0.894427 -> [-0.894427, 0.894427] * [2, 1]
  //          + 0.5 = [-1.288854, 1.394427]
  //   row 1: mean 2, var 0, inv 1/sqrt(0.25) = 2 -> [0, 0] + 0.5
  OpTester t("LayerNormalization", 17);
  t.input("X", floats({2, 1, 2}, {1, 3, 2, 2}))
      .input("Scale", floats({2}, {2, 1}))
      .input("B", floats({1}, {0.5f}))
      .attr("axis", int64_t{-2})
      .attr("epsilon", 0.25f)
      .attr("stash_type", int64_t{1})
      .output("Y")
      .output("Mean")
      .output("InvStdDev");
  std::vector<Tensor> out = t.run();
  expect_near(out[0], {2, 1, 2}, {-1.288854f, 1.394427f, 0.5f, 0.5f});
  expect_near(out[1], {2, 1, 1}, {2, 2});
  expect_near(out[2], {2, 1, 1}, {0.894427f, 2});
}

TEST(ActivationNorm, LayerNormRejectsUnknownStashType) {
  OpTester t("LayerNormalization", 17);
  t.input("X", floats({2}, {1, 2}))
      .input("Scale", floats({2}, {1, 1}))
      .attr("stash_type", int64_t{11})
      .output("Y");
  EXPECT_NE(error_of([&] { t.run(); }).find("stash_type"), std::string::npos);
}

TEST(ActivationNorm, InstanceNormConstantChannelUsesEpsilon) {
  // X (1, 2, 2): channel 0 = [5, 5] (var 0: no division by zero, Y = B[0] = 1);
  // channel 1 = [1, 3], mean 2, var 1, epsilon 0.25: (x - 2) / sqrt(1.25) * 1 + 0.
  OpTester t("InstanceNormalization", 6);
  t.input("X", floats({1, 2, 2}, {5, 5, 1, 3}))
      .input("scale", floats({2}, {2, 1}))
      .input("B", floats({2}, {1, 0}))
      .attr("epsilon", 0.25f)
      .output("Y");
  expect_near(t.run()[0], {1, 2, 2}, {1, 1, -0.894427f, 0.894427f});
}

TEST(ActivationNorm, LrnEvenSize) {
  // size 2: channels c .. c + 1 (floor(1/2) = 0 before, ceil(1/2) = 1 after).
  // alpha 2 (alpha / size = 1), beta 1, bias 1, X = [1, 2, 3] over C:
  //   c0: 1 / (1 + 1 + 4) = 1/6; c1: 2 / (1 + 4 + 9) = 1/7; c2: 3 / (1 + 9) = 0.3
  OpTester t("LRN", 13);
  t.input("X", floats({1, 3, 1, 1}, {1, 2, 3}))
      .attr("size", int64_t{2})
      .attr("alpha", 2.0f)
      .attr("beta", 1.0f)
      .attr("bias", 1.0f)
      .output("Y");
  expect_near(t.run()[0], {1, 3, 1, 1}, {1.0f / 6, 1.0f / 7, 0.3f});
}

TEST(ActivationNorm, MvnOverCustomAxes) {
  // axes [1]: X (2, 2) = [[1, 3], [2, 2]] -> row 0 mean 2, std 1 -> [-1, 1];
  // row 1 std 0 -> 0 / 1e-9 = 0.
  OpTester t("MeanVarianceNormalization", 13);
  t.input("X", floats({2, 2}, {1, 3, 2, 2})).attr("axes", std::vector<int64_t>{1}).output("Y");
  expect_near(t.run()[0], {2, 2}, {-1, 1, 0, 0});
}

TEST(ActivationNorm, LpPoolAsymmetricPads) {
  // X (1, 1, 2, 2) = [1, -2, 3, 4], kernel 2x2, pads top 0, left 1, bottom 1, right 0, p 1:
  //   padded rows [0 1 -2] / [0 3 4] / [0 0 0]; sums of |x| per 2x2 window:
  //   (0,0) 1 + 3 = 4, (0,1) 1 + 2 + 3 + 4 = 10, (1,0) 3, (1,1) 3 + 4 = 7
  OpTester t("LpPool", 18);
  t.input("X", floats({1, 1, 2, 2}, {1, -2, 3, 4}))
      .attr("kernel_shape", std::vector<int64_t>{2, 2})
      .attr("pads", std::vector<int64_t>{0, 1, 1, 0})
      .attr("p", int64_t{1})
      .output("Y");
  expect_near(t.run()[0], {1, 1, 2, 2}, {4, 10, 3, 7});
  // p 2 in 1-D, pads begin 1 end 0 on [3, 4, 12]: windows [0 3] [3 4] [4 12]
  //   -> 3, 5, sqrt(160) = 12.649111
  OpTester t2("LpPool", 11);
  t2.input("X", floats({1, 1, 3}, {3, 4, 12}))
      .attr("kernel_shape", std::vector<int64_t>{2})
      .attr("pads", std::vector<int64_t>{1, 0})
      .output("Y");
  expect_near(t2.run()[0], {1, 1, 3}, {3, 5, 12.649111f});
}

TEST(ActivationNorm, GlobalLpPoolFloatPInOpset1) {
  // Opset 1 has a float p: p 1 over [1, -2, 3, -4] = 10; opset 2 default p 2: sqrt(30).
  OpTester t("GlobalLpPool", 1);
  t.input("X", floats({1, 1, 2, 2}, {1, -2, 3, -4})).attr("p", 1.0f).output("Y");
  expect_near(t.run()[0], {1, 1, 1, 1}, {10});
  OpTester t2("GlobalLpPool", 2);
  t2.input("X", floats({1, 1, 2, 2}, {1, -2, 3, -4})).output("Y");
  expect_near(t2.run()[0], {1, 1, 1, 1}, {std::sqrt(30.0f)});
}

}  // namespace
}  // namespace onyx
