// One-node tests of ConvTranspose and the loss operators for cases the backend data
// misses. Every expected value is worked out by hand in the comment next to it.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "onyx/onyx.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::floats;

using testing::expect_near;
using testing::OpTester;

TEST(ConvTransposeLoss, OutputPadding) {
  // X = [1 2], W = [1 1], stride 2, output_padding 1: full = 2 * 1 + 1 + 2 = 5.
  //   x0 lands on 0, 1; x1 on 2, 3; position 4 only exists through the padding.
  OpTester t("ConvTranspose", 11);
  t.input("X", floats({1, 1, 2}, {1, 2}))
      .constant("W", floats({1, 1, 2}, {1, 1}))
      .attr("strides", std::vector<int64_t>{2})
      .attr("output_padding", std::vector<int64_t>{1})
      .output("Y");
  expect_near(t.run()[0], {1, 1, 5}, {1, 1, 2, 2, 0});
}

TEST(ConvTransposeLoss, OutputShapeSplitsPadding) {
  // Same scatter without padding gives [1 1 2 2] (full 4); output_shape 3 means total
  // padding 1, which (auto_pad NOTSET) goes to the beginning: [1 2 2].
  OpTester t("ConvTranspose", 1);
  t.input("X", floats({1, 1, 2}, {1, 2}))
      .constant("W", floats({1, 1, 2}, {1, 1}))
      .attr("strides", std::vector<int64_t>{2})
      .attr("output_shape", std::vector<int64_t>{3})
      .output("Y");
  expect_near(t.run()[0], {1, 1, 3}, {1, 2, 2});
}

TEST(ConvTransposeLoss, Grouped1D) {
  // group 2: channel 0 [1 2] with W0 = [1 10] -> [1, 10 + 2, 20];
  //          channel 1 [3 4] with W1 = [2 1]  -> [6, 3 + 8, 4].
  OpTester t("ConvTranspose", 11);
  t.input("X", floats({1, 2, 2}, {1, 2, 3, 4}))
      .constant("W", floats({2, 1, 2}, {1, 10, 2, 1}))
      .attr("group", int64_t{2})
      .output("Y");
  expect_near(t.run()[0], {1, 2, 3}, {1, 12, 20, 6, 11, 4});
}

TEST(ConvTransposeLoss, NllAllIgnoredMeanIsNaN) {
  // Every target equals ignore_index: loss sum 0 over total weight 0 = NaN, as the
  // spec's reference (sum of losses / sum of gathered weights) computes.
  OpTester t("NegativeLogLikelihoodLoss", 13);
  t.input("input", floats({2, 3}, {-1, -2, -3, -4, -5, -6}))
      .input("target", Tensor::from_vector<int64_t>({2}, {1, 1}))
      .attr("ignore_index", int64_t{1})
      .output("loss");
  Tensor y = t.run()[0];
  ASSERT_EQ(y.shape(), Shape{});
  EXPECT_TRUE(std::isnan(y.to_vector<float>()[0]));
}

TEST(ConvTransposeLoss, NllWeightedMean) {
  // targets 0 and 2, weights [2 1 3]: (1 * 2 + 6 * 3) / (2 + 3) = 4.
  OpTester t("NegativeLogLikelihoodLoss", 12);
  t.input("input", floats({2, 3}, {-1, -2, -3, -4, -5, -6}))
      .input("target", Tensor::from_vector<int32_t>({2}, {0, 2}))
      .input("weight", floats({3}, {2, 1, 3}))
      .output("loss");
  expect_near(t.run()[0], {}, {4});
}

TEST(ConvTransposeLoss, NllTargetOutOfRange) {
  OpTester t("NegativeLogLikelihoodLoss", 13);
  t.input("input", floats({1, 3}, {-1, -2, -3}))
      .input("target", Tensor::from_vector<int64_t>({1}, {3}))
      .output("loss");
  EXPECT_NE(error_of([&] { t.run(); }).find("outside [0, 3)"), std::string::npos);
}

}  // namespace
}  // namespace onyx
