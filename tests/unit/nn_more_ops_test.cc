// One-node tests of GroupNormalization, LpNormalization, CenterCropPad, Col2Im, AffineGrid,
// TensorScatter and DeformConv: small cases whose expected values are worked out by hand
// in the comments, and bad attributes or inputs, whose errors must name the op.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "onyx/onyx.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::expect_near;
using testing::floats;
using testing::ints;
using testing::OpTester;

// The error of running `t` mentions both the op and `text`.
void expect_error(const OpTester& t, const std::string& op, const std::string& text) {
  const std::string e = error_of([&] { t.run(); });
  EXPECT_NE(e.find(op), std::string::npos) << e;
  EXPECT_NE(e.find(text), std::string::npos) << e;
}

// ---- GroupNormalization ----

// X (1, 4, 2) = [-3 -1 | 1 3 | 2 4 | 6 8], two groups of two channels. Each group has
// variance 5 around its mean (0 and 5), so with epsilon 0 both normalize to
// [-3 -1 1 3] / sqrt(5) = [-1.341641 -0.447214 0.447214 1.341641].
const std::vector<float> kGroupX = {-3, -1, 1, 3, 2, 4, 6, 8};

TEST(GroupNormalization, PerChannelScaleAtOpset21) {
  OpTester t("GroupNormalization", 21);
  t.input("X", floats({1, 4, 2}, kGroupX))
      .input("scale", floats({4}, {1, 0.5f, 1.5f, 2}))
      .input("bias", floats({4}, {0, 1, -1, 0.2f}))
      .attr("num_groups", int64_t{2})
      .attr("epsilon", 0.0f)
      .output("Y");
  // channel c: normalized * scale[c] + bias[c]
  expect_near(
      t.run()[0], {1, 4, 2},
      {-1.341641f, -0.447214f, 1.223607f, 1.670820f, -3.012461f, -1.670820f, 1.094427f, 2.883282f});
}

TEST(GroupNormalization, PerGroupScaleAtOpset18) {
  OpTester t("GroupNormalization", 18);
  t.input("X", floats({1, 4, 2}, kGroupX))
      .input("scale", floats({2}, {1, 2}))
      .input("bias", floats({2}, {0, 1}))
      .attr("num_groups", int64_t{2})
      .attr("epsilon", 0.0f)
      .output("Y");
  // group 1: normalized * 2 + 1
  expect_near(
      t.run()[0], {1, 4, 2},
      {-1.341641f, -0.447214f, 0.447214f, 1.341641f, -1.683282f, 0.105573f, 1.894427f, 3.683282f});
}

TEST(GroupNormalization, RejectsBadGroupsAndScale) {
  OpTester groups("GroupNormalization", 21);
  groups.input("X", floats({1, 4, 2}, kGroupX))
      .input("scale", floats({4}, {1, 1, 1, 1}))
      .input("bias", floats({4}, {0, 0, 0, 0}))
      .attr("num_groups", int64_t{3})
      .output("Y");
  expect_error(groups, "GroupNormalization", "does not divide");
  OpTester scale("GroupNormalization", 21);  // per-group parameters at opset 21
  scale.input("X", floats({1, 4, 2}, kGroupX))
      .input("scale", floats({2}, {1, 1}))
      .input("bias", floats({2}, {0, 0}))
      .attr("num_groups", int64_t{2})
      .output("Y");
  expect_error(scale, "GroupNormalization", "must have 4");
}

// ---- LpNormalization ----

TEST(LpNormalization, L1AlongAxis0) {
  OpTester t("LpNormalization", 22);
  t.input("X", floats({2, 2}, {1, 2, 3, -6})).attr("axis", int64_t{0}).attr("p", int64_t{1});
  t.output("Y");
  // column sums of |x|: 4 and 8
  expect_near(t.run()[0], {2, 2}, {0.25f, 0.25f, 0.75f, -0.75f});
}

TEST(LpNormalization, L2DefaultAxisZeroRowGivesZero) {
  OpTester t("LpNormalization", 1);
  t.input("X", floats({2, 2}, {3, 4, 0, 0})).output("Y");
  // |(3, 4)| = 5; the zero row stays 0 instead of 0/0
  expect_near(t.run()[0], {2, 2}, {0.6f, 0.8f, 0, 0});
}

TEST(LpNormalization, RejectsP3) {
  OpTester t("LpNormalization", 22);
  t.input("X", floats({2}, {1, 2})).attr("p", int64_t{3}).output("Y");
  expect_error(t, "LpNormalization", "p must be 1 or 2");
}

// ---- CenterCropPad ----

TEST(CenterCropPad, PadsAndCropsAroundTheCentre) {
  OpTester pad("CenterCropPad", 18);
  pad.input("X", floats({3}, {1, 2, 3})).input("shape", ints({1}, {5})).output("Y");
  expect_near(pad.run()[0], {5}, {0, 1, 2, 3, 0});  // 2 more: one each side
  OpTester crop("CenterCropPad", 18);
  crop.input("X", floats({3}, {1, 2, 3})).input("shape", ints({1}, {1})).output("Y");
  expect_near(crop.run()[0], {1}, {2});  // 2 fewer: one off each side
  // (2, 3) -> (3, 2): axis 0 grows by 1 (input at 0, zero row after), axis 1 shrinks by 1
  // (from 0, the last column dropped).
  OpTester both("CenterCropPad", 18);
  both.input("X", floats({2, 3}, {1, 2, 3, 4, 5, 6})).input("shape", ints({2}, {3, 2}));
  both.output("Y");
  expect_near(both.run()[0], {3, 2}, {1, 2, 4, 5, 0, 0});
}

TEST(CenterCropPad, NegativeAxis) {
  OpTester t("CenterCropPad", 18);
  t.input("X", floats({2, 3}, {1, 2, 3, 4, 5, 6})).input("shape", ints({1}, {1}));
  t.attr("axes", std::vector<int64_t>{-1}).output("Y");
  expect_near(t.run()[0], {2, 1}, {2, 5});
}

TEST(CenterCropPad, RejectsBadShapeAndAxes) {
  OpTester count("CenterCropPad", 18);
  count.input("X", floats({2, 3}, {1, 2, 3, 4, 5, 6})).input("shape", ints({2}, {1, 1}));
  count.attr("axes", std::vector<int64_t>{-1}).output("Y");
  expect_error(count, "CenterCropPad", "values but 1 axes");
  OpTester axis("CenterCropPad", 18);
  axis.input("X", floats({2, 3}, {1, 2, 3, 4, 5, 6})).input("shape", ints({1}, {1}));
  axis.attr("axes", std::vector<int64_t>{2}).output("Y");
  expect_error(axis, "CenterCropPad", "out of range");
  OpTester negative("CenterCropPad", 18);
  negative.input("X", floats({3}, {1, 2, 3})).input("shape", ints({1}, {-1})).output("Y");
  expect_error(negative, "CenterCropPad", "negative");
}

// ---- Col2Im ----

TEST(Col2Im, OneBlockFillsTheImage) {
  OpTester t("Col2Im", 18);
  t.input("input", floats({1, 4, 1}, {1, 2, 3, 4}))
      .input("image_shape", ints({2}, {2, 2}))
      .input("block_shape", ints({2}, {2, 2}))
      .output("Y");
  expect_near(t.run()[0], {1, 1, 2, 2}, {1, 2, 3, 4});
}

TEST(Col2Im, OverlappingBlocksAdd) {
  // Image 1 x 3, block 1 x 2: two blocks, at columns 0-1 and 1-2. Row b of the input is
  // tap b, column l block l: out = [a0, a1 + b0, b1] = [1, 2 + 10, 20].
  OpTester t("Col2Im", 18);
  t.input("input", floats({1, 2, 2}, {1, 2, 10, 20}))
      .input("image_shape", ints({2}, {1, 3}))
      .input("block_shape", ints({2}, {1, 2}))
      .output("Y");
  expect_near(t.run()[0], {1, 1, 1, 3}, {1, 12, 20});
}

TEST(Col2Im, RejectsBadSizes) {
  OpTester blocks("Col2Im", 18);  // 2 blocks fit, the input has 3
  blocks.input("input", floats({1, 2, 3}, {1, 2, 3, 4, 5, 6}))
      .input("image_shape", ints({2}, {1, 3}))
      .input("block_shape", ints({2}, {1, 2}))
      .output("Y");
  expect_error(blocks, "Col2Im", "sliding blocks");
  OpTester zero("Col2Im", 18);
  zero.input("input", floats({1, 2, 2}, {1, 2, 3, 4}))
      .input("image_shape", ints({2}, {1, 3}))
      .input("block_shape", ints({2}, {0, 2}))
      .output("Y");
  expect_error(zero, "Col2Im", "must be positive");
  OpTester strides("Col2Im", 18);
  strides.input("input", floats({1, 2, 2}, {1, 2, 3, 4}))
      .input("image_shape", ints({2}, {1, 3}))
      .input("block_shape", ints({2}, {1, 2}))
      .attr("strides", std::vector<int64_t>{1})
      .output("Y");
  expect_error(strides, "Col2Im", "strides must have 2 values");
}

// ---- AffineGrid ----

TEST(AffineGrid, Identity2DAtPixelCentres) {
  // align_corners 0 on a length-2 axis: positions -1 + (2i + 1) / 2 = -0.5, 0.5
  OpTester t("AffineGrid", 20);
  t.input("theta", floats({1, 2, 3}, {1, 0, 0, 0, 1, 0}))
      .input("size", ints({4}, {1, 1, 2, 2}))
      .output("grid");
  expect_near(t.run()[0], {1, 2, 2, 2}, {-0.5f, -0.5f, 0.5f, -0.5f, -0.5f, 0.5f, 0.5f, 0.5f});
}

TEST(AffineGrid, AlignCornersScalesAndShifts) {
  // x in (-1, 0, 1), y in (-1, 1); theta maps (x, y) to (2x + 1, y)
  OpTester t("AffineGrid", 20);
  t.input("theta", floats({1, 2, 3}, {2, 0, 1, 0, 1, 0}))
      .input("size", ints({4}, {1, 1, 2, 3}))
      .attr("align_corners", int64_t{1})
      .output("grid");
  expect_near(t.run()[0], {1, 2, 3, 2}, {-1, -1, 1, -1, 3, -1, -1, 1, 1, 1, 3, 1});
}

TEST(AffineGrid, Identity3D) {
  // D = H = 1 put z = y = 0; x = -0.5, 0.5
  OpTester t("AffineGrid", 20);
  t.input("theta", floats({1, 3, 4}, {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}))
      .input("size", ints({5}, {1, 1, 1, 1, 2}))
      .output("grid");
  expect_near(t.run()[0], {1, 1, 1, 2, 3}, {-0.5f, 0, 0, 0.5f, 0, 0});
}

TEST(AffineGrid, RejectsMismatchedTheta) {
  OpTester t("AffineGrid", 20);
  t.input("theta", floats({1, 3, 4}, std::vector<float>(12, 0)))
      .input("size", ints({4}, {1, 1, 2, 2}))
      .output("grid");
  expect_error(t, "AffineGrid", "theta must be");
}

// ---- TensorScatter ----

OpTester scatter(const std::string& mode, int64_t start) {
  // cache (1, 4, 1) of zeros; update (1, 2, 1) = [7, 8] along the default axis -2
  OpTester t("TensorScatter", 24);
  t.input("past", floats({1, 4, 1}, {0, 0, 0, 0}))
      .input("update", floats({1, 2, 1}, {7, 8}))
      .input("write_indices", ints({1}, {start}))
      .attr("mode", mode)
      .output("present");
  return t;
}

TEST(TensorScatter, LinearAndCircularWrites) {
  expect_near(scatter("linear", 1).run()[0], {1, 4, 1}, {0, 7, 8, 0});
  expect_near(scatter("circular", 3).run()[0], {1, 4, 1}, {8, 0, 0, 7});  // 3, then 0
}

TEST(TensorScatter, OmittedIndicesWriteAtZero) {
  OpTester t("TensorScatter", 24);
  t.input("past", floats({2, 3}, {1, 1, 1, 2, 2, 2}))
      .input("update", floats({2, 1}, {5, 6}))
      .attr("axis", int64_t{1})
      .output("present");
  expect_near(t.run()[0], {2, 3}, {5, 1, 1, 6, 2, 2});
}

TEST(TensorScatter, RejectsOutOfRangeIndicesAndBadAttributes) {
  expect_error(scatter("linear", 3), "TensorScatter", "runs past");
  expect_error(scatter("circular", -1), "TensorScatter", "negative");
  expect_error(scatter("ring", 0), "TensorScatter", "mode must be");
  OpTester axis("TensorScatter", 24);
  axis.input("past", floats({1, 4, 1}, {0, 0, 0, 0}))
      .input("update", floats({1, 2, 1}, {7, 8}))
      .attr("axis", int64_t{0})
      .output("present");
  expect_error(axis, "TensorScatter", "batch");
}

// ---- DeformConv ----

// X (1, 1, 2, 2) = [[1, 2], [3, 4]], a 1 x 1 kernel of weight 1, every tap moved by
// (dh, dw) = (0, 0.5): each output samples halfway to its right neighbour, which is 0
// past the last column: [(1 + 2) / 2, 2 / 2, (3 + 4) / 2, 4 / 2].
OpTester deform(bool bias, bool mask) {
  OpTester t("DeformConv", 19);
  t.input("X", floats({1, 1, 2, 2}, {1, 2, 3, 4}))
      .input("W", floats({1, 1, 1, 1}, {1}))
      .input("offset", floats({1, 2, 2, 2}, {0, 0, 0, 0, 0.5f, 0.5f, 0.5f, 0.5f}));
  if (bias)
    t.input("B", floats({1}, {1}));
  else if (mask)
    t.omitted();
  if (mask) t.input("mask", floats({1, 1, 2, 2}, {1, 0, 1, 0.5f}));
  t.output("Y");
  return t;
}

TEST(DeformConv, BilinearOffsetsBiasAndMask) {
  expect_near(deform(false, false).run()[0], {1, 1, 2, 2}, {1.5f, 1, 3.5f, 2});
  expect_near(deform(true, false).run()[0], {1, 1, 2, 2}, {2.5f, 2, 4.5f, 3});
  expect_near(deform(false, true).run()[0], {1, 1, 2, 2}, {1.5f, 0, 3.5f, 1});
}

TEST(DeformConv, RejectsBadOffsetShape) {
  OpTester t("DeformConv", 19);
  t.input("X", floats({1, 1, 2, 2}, {1, 2, 3, 4}))
      .input("W", floats({1, 1, 1, 1}, {1}))
      .input("offset", floats({1, 1, 2, 2}, {0, 0, 0, 0}))
      .output("Y");
  expect_error(t, "DeformConv", "offset must be");
}

}  // namespace
}  // namespace onyx
