// One-node tests of the nn operators for cases the ONNX backend data misses. Every
// expected value is worked out by hand in the comment next to it.
#include <gtest/gtest.h>

#include <cmath>

#include "onyx/onyx.h"
#include "onyx/shape_inference.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::floats;

using testing::expect_near;
using testing::OpTester;

// The type inference gives output 0 of `t` when input 0 is declared as `x_type`.
std::string inferred_output(const OpTester& t, const TypeInfo& x_type) {
  Model m = t.model();
  m.graph.value(m.graph.inputs[0]).type = x_type;
  m.graph.value(m.graph.outputs[0]).type = TypeInfo{};  // drop the type model() declared
  const Registry& r = builtin_registry();
  InferenceResult res = infer_shapes(m.graph, [&r](const Node& n) { return r.shape_rule(n); });
  return res.types[m.graph.outputs[0]].to_string();
}

TEST(Conv, AsymmetricPads) {
  // X = 1..9 as 3x3, W = 2x2 ones, pads top 1, left 0, bottom 0, right 1, B = 1:
  //   padded  0 0 0 0 / 1 2 3 0 / 4 5 6 0 / 7 8 9 0, 2x2 window sums plus 1.
  OpTester t("Conv", 11);
  t.input("X", floats({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}))
      .constant("W", floats({1, 1, 2, 2}, {1, 1, 1, 1}))
      .constant("B", floats({1}, {1}))
      .attr("pads", std::vector<int64_t>{1, 0, 0, 1})
      .output("Y");
  expect_near(t.run()[0], {1, 1, 3, 3}, {4, 6, 4, 13, 17, 10, 25, 29, 16});
}

TEST(Conv, SameLowerAndSameUpperPadOppositeEnds) {
  // X = [1 2 3 4], W = [1 10], stride 1: out 4, total pad (4-1) + 2 - 4 = 1.
  //   SAME_LOWER pads the front: [0 1 2 3 4] -> 0+10, 1+20, 2+30, 3+40
  //   SAME_UPPER pads the back:  [1 2 3 4 0] -> 1+20, 2+30, 3+40, 4+0
  for (auto [mode, want] : {std::pair{"SAME_LOWER", std::vector<float>{10, 21, 32, 43}},
                            std::pair{"SAME_UPPER", std::vector<float>{21, 32, 43, 4}}}) {
    OpTester t("Conv", 11);
    t.input("X", floats({1, 1, 4}, {1, 2, 3, 4}))
        .constant("W", floats({1, 1, 2}, {1, 10}))
        .attr("auto_pad", mode)
        .output("Y");
    expect_near(t.run()[0], {1, 1, 4}, want);
  }
}

TEST(Conv, ShapeRuleKeepsSymbolicBatch) {
  OpTester t("Conv", 11);
  t.input("X", floats({1, 2, 5, 5}, std::vector<float>(50, 0.0f)))
      .constant("W", Tensor(DType::Float, {4, 2, 3, 3}))
      .attr("strides", std::vector<int64_t>{2, 2})
      .output("Y");
  // (5 - 3) / 2 + 1 = 2 where H, W are known; unknown where they are symbolic.
  auto x = [](Dim h) {
    return TypeInfo::tensor(DType::Float,
                            std::vector<Dim>{Dim::symbol("N"), Dim::known(2), h, Dim::known(5)});
  };
  EXPECT_EQ(inferred_output(t, x(Dim::known(5))), "float[N, 4, 2, 2]");
  EXPECT_EQ(inferred_output(t, x(Dim::symbol("H"))), "float[N, 4, ?, 2]");
}

TEST(Conv, ChannelMismatchIsAnError) {
  OpTester t("Conv", 11);
  t.input("X", Tensor(DType::Float, {1, 3, 4, 4}))
      .constant("W", Tensor(DType::Float, {2, 2, 3, 3}))
      .output("Y");
  EXPECT_NE(error_of([&] { t.run(); }).find("channels"), std::string::npos);
}

TEST(MaxPool, SameLowerAndSameUpper) {
  // X = [1 5 2 4 3], kernel 2, stride 2: out ceil(5/2) = 3, total pad 2*2 + 2 - 5 = 1.
  //   SAME_LOWER windows start at -1: {1}, {5 2}, {4 3} -> 1 5 4
  //   SAME_UPPER windows start at 0:  {1 5}, {2 4}, {3} -> 5 4 3
  for (auto [mode, want] : {std::pair{"SAME_LOWER", std::vector<float>{1, 5, 4}},
                            std::pair{"SAME_UPPER", std::vector<float>{5, 4, 3}}}) {
    OpTester t("MaxPool", 12);
    t.input("X", floats({1, 1, 5}, {1, 5, 2, 4, 3}))
        .attr("kernel_shape", std::vector<int64_t>{2})
        .attr("strides", std::vector<int64_t>{2})
        .attr("auto_pad", mode)
        .output("Y");
    expect_near(t.run()[0], {1, 1, 3}, want);
  }
}

TEST(AveragePool, SameLowerCountsPadOnlyWhenAsked) {
  // As above with SAME_LOWER: windows {pad, 1}, {5 2}, {4 3}.
  //   count_include_pad 0: 1/1, 7/2, 7/2;   count_include_pad 1: 1/2, 7/2, 7/2
  for (auto [include, first] : {std::pair{int64_t{0}, 1.0f}, std::pair{int64_t{1}, 0.5f}}) {
    OpTester t("AveragePool", 11);
    t.input("X", floats({1, 1, 5}, {1, 5, 2, 4, 3}))
        .attr("kernel_shape", std::vector<int64_t>{2})
        .attr("strides", std::vector<int64_t>{2})
        .attr("auto_pad", "SAME_LOWER")
        .attr("count_include_pad", include)
        .output("Y");
    expect_near(t.run()[0], {1, 1, 3}, {first, 3.5f, 3.5f});
  }
}

TEST(MaxPool, CeilModeDropsWindowStartingInEndPadding) {
  // X = [1 2 3 4 5], kernel 2, stride 2, pads 1/1, ceil_mode: ceil((5+2-2)/2) + 1 = 4, but
  // window 4 would start at 3*2 - 1 = 5, past the input: 3 windows {pad 1}, {2 3}, {4 5}.
  OpTester t("MaxPool", 12);
  t.input("X", floats({1, 1, 5}, {1, 2, 3, 4, 5}))
      .attr("kernel_shape", std::vector<int64_t>{2})
      .attr("strides", std::vector<int64_t>{2})
      .attr("pads", std::vector<int64_t>{1, 1})
      .attr("ceil_mode", int64_t{1})
      .output("Y");
  expect_near(t.run()[0], {1, 1, 3}, {1, 3, 5});
}

// X (1, 1, 4, 4, 4) holding its own flat index: x[d][h][w] = 16d + 4h + w.
Tensor index_cube() {
  std::vector<float> v(64);
  for (int i = 0; i < 64; ++i) v[i] = static_cast<float>(i);
  return floats({1, 1, 4, 4, 4}, v);
}

TEST(MaxPool, ThreeDimsWithDilationAndIndices) {
  // Kernel 2x2x2 with dilation 2 spans 3 per axis: output 2x2x2, taps at o + {0, 2}.
  // The max sits at o + 2 on every axis: 16(od+2) + 4(oh+2) + (ow+2) = 42 + 16od + 4oh + ow,
  // which is also its flat index. Column-major (storage_order 1): 42 + od + 4oh + 16ow.
  for (int64_t order : {0, 1}) {
    OpTester t("MaxPool", 12);
    t.input("X", index_cube())
        .attr("kernel_shape", std::vector<int64_t>{2, 2, 2})
        .attr("dilations", std::vector<int64_t>{2, 2, 2})
        .attr("storage_order", order)
        .output("Y")
        .output("I");
    std::vector<Tensor> out = t.run();
    expect_near(out[0], {1, 1, 2, 2, 2}, {42, 43, 46, 47, 58, 59, 62, 63});
    std::vector<int64_t> want = order == 0 ? std::vector<int64_t>{42, 43, 46, 47, 58, 59, 62, 63}
                                           : std::vector<int64_t>{42, 58, 46, 62, 43, 59, 47, 63};
    EXPECT_EQ(out[1].to_vector<int64_t>(), want);
  }
}

TEST(AveragePool, ThreeDimsWithDilation) {
  // Same windows averaged (opset 19 has dilations): the mean of o + {0, 2} is o + 1 per
  // axis, so 16(od+1) + 4(oh+1) + (ow+1) = 21 + 16od + 4oh + ow.
  OpTester t("AveragePool", 19);
  t.input("X", index_cube())
      .attr("kernel_shape", std::vector<int64_t>{2, 2, 2})
      .attr("dilations", std::vector<int64_t>{2, 2, 2})
      .output("Y");
  expect_near(t.run()[0], {1, 1, 2, 2, 2}, {21, 22, 25, 26, 37, 38, 41, 42});
}

TEST(MaxPool, WindowOnlyOnPaddingIsAnError) {
  // Length 1, kernel 2, dilation 5, pad 3 before: taps at -3 and 2, neither inside.
  OpTester t("MaxPool", 12);
  t.input("X", floats({1, 1, 1}, {7}))
      .attr("kernel_shape", std::vector<int64_t>{2})
      .attr("dilations", std::vector<int64_t>{5})
      .attr("pads", std::vector<int64_t>{3, 3})
      .output("Y");
  EXPECT_NE(error_of([&] { t.run(); }).find("covers no input"), std::string::npos);
}

TEST(BatchNormalization, Opset6SpatialIsTest) {
  // epsilon 0: channel 0 (x - 1) / 2 * 2 + 0.5 = x - 0.5; channel 1 (x - 3) / 0.5 * 0.5 - 1.
  OpTester t("BatchNormalization", 6);
  t.input("X", floats({1, 2, 1, 2}, {1, 2, 3, 4}))
      .constant("scale", floats({2}, {2, 0.5f}))
      .constant("B", floats({2}, {0.5f, -1}))
      .constant("mean", floats({2}, {1, 3}))
      .constant("var", floats({2}, {4, 0.25f}))
      .attr("epsilon", 0.0f)
      .attr("is_test", int64_t{1})
      .attr("spatial", int64_t{1})
      .output("Y");
  expect_near(t.run()[0], {1, 2, 1, 2}, {0.5f, 1.5f, -1, 0});
}

TEST(BatchNormalization, Opset6NonSpatialHasStatisticsPerElement) {
  // spatial 0: parameters per (c, h, w); mean 0 1 2 3, var 1 1 4 4, scale 1, B 0, eps 0.
  //   sample 0: (1-0)/1, (2-1)/1, (3-2)/2, (4-3)/2;  sample 1: 5, 5, 5/2, 5/2
  OpTester t("BatchNormalization", 6);
  t.input("X", floats({2, 2, 1, 2}, {1, 2, 3, 4, 5, 6, 7, 8}))
      .constant("scale", floats({2, 1, 2}, {1, 1, 1, 1}))
      .constant("B", floats({2, 1, 2}, {0, 0, 0, 0}))
      .constant("mean", floats({2, 1, 2}, {0, 1, 2, 3}))
      .constant("var", floats({2, 1, 2}, {1, 1, 4, 4}))
      .attr("epsilon", 0.0f)
      .attr("is_test", int64_t{1})
      .attr("spatial", int64_t{0})
      .output("Y");
  expect_near(t.run()[0], {2, 2, 1, 2}, {1, 1, 0.5f, 0.5f, 5, 5, 2.5f, 2.5f});
}

TEST(BatchNormalization, TrainingModeUpdatesRunningStatistics) {
  // X = 1 3 5 7 in one channel: batch mean 4, population var (9+1+1+9)/4 = 5.
  // Y = (x - 4) / sqrt(5); running mean 0 * 0.9 + 4 * 0.1, running var 1 * 0.9 + 5 * 0.1.
  OpTester t("BatchNormalization", 15);
  t.input("X", floats({2, 1, 2}, {1, 3, 5, 7}))
      .constant("scale", floats({1}, {1}))
      .constant("B", floats({1}, {0}))
      .constant("mean", floats({1}, {0}))
      .constant("var", floats({1}, {1}))
      .attr("epsilon", 0.0f)
      .attr("training_mode", int64_t{1})
      .output("Y")
      .output("running_mean")
      .output("running_var");
  std::vector<Tensor> out = t.run();
  const float r5 = std::sqrt(5.0f);
  expect_near(out[0], {2, 1, 2}, {-3 / r5, -1 / r5, 1 / r5, 3 / r5});
  expect_near(out[1], {1}, {0.4f});
  expect_near(out[2], {1}, {1.4f});
}

TEST(Softmax, Opset11CoercesTo2DButOpset13UsesOneAxis) {
  // Zeros of shape (1, 2, 2), axis 1: opset 11 normalizes rows of (1, 4) -> 1/4 each;
  // opset 13 normalizes along dim 1 of size 2 -> 1/2 each.
  for (auto [opset, want] : {std::pair{11, 0.25f}, std::pair{13, 0.5f}}) {
    OpTester t("Softmax", opset);
    t.input("X", floats({1, 2, 2}, {0, 0, 0, 0})).attr("axis", int64_t{1}).output("Y");
    expect_near(t.run()[0], {1, 2, 2}, {want, want, want, want});
  }
}

TEST(Gemm, Opset6BroadcastAttribute) {
  // A = [1 2; 3 4], B = I, C = [10 20]: with broadcast 1, Y = A + C per row.
  auto gemm = [](int64_t broadcast) {
    OpTester t("Gemm", 6);
    t.input("A", floats({2, 2}, {1, 2, 3, 4}))
        .constant("B", floats({2, 2}, {1, 0, 0, 1}))
        .constant("C", floats({2}, {10, 20}))
        .attr("broadcast", broadcast)
        .output("Y");
    return t;
  };
  expect_near(gemm(1).run()[0], {2, 2}, {11, 22, 13, 24});
  // Without broadcast, C must already be (M, N).
  EXPECT_NE(error_of([&] { gemm(0).run(); }).find("broadcast = 0"), std::string::npos);
}

TEST(MatMul, VectorTimesBatchedMatrices) {
  // A = [1 2] (K = 2), B = two 2x1 matrices [3; 4] and [5; 6]: Y (2, 1) = 11, 17.
  OpTester t("MatMul", 13);
  t.input("A", floats({2}, {1, 2})).input("B", floats({2, 2, 1}, {3, 4, 5, 6})).output("Y");
  expect_near(t.run()[0], {2, 1}, {11, 17});
}

TEST(Dropout, TrainingWithSeedScalesKeptElements) {
  // ratio 0.5: each kept element is x / (1 - 0.5) = 2x, each dropped one 0, and the mask
  // says which. A seed makes every run draw the same mask.
  std::vector<float> x(1000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 7) + 1;
  OpTester t("Dropout", 13);
  t.input("X", floats({1000}, x))
      .constant("ratio", Tensor::scalar<float>(0.5f))
      .constant("training_mode", Tensor::scalar<bool>(true))
      .attr("seed", int64_t{42})
      .output("Y")
      .output("mask");
  std::vector<Tensor> a = t.run(), b = t.run();
  ASSERT_EQ(a[1].dtype(), DType::Bool);
  std::vector<float> y = a[0].to_vector<float>();
  std::vector<bool> mask = a[1].to_vector<bool>();
  int kept = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(y[i], mask[i] ? 2 * x[i] : 0.0f);
    kept += mask[i];
  }
  EXPECT_GT(kept, 400);  // about half survive
  EXPECT_LT(kept, 600);
  EXPECT_EQ(b[1].to_vector<bool>(), mask);
}

TEST(Dropout, InferenceIsIdentityWithAllTrueMask) {
  OpTester t("Dropout", 13);
  t.input("X", floats({3}, {1, -2, 3})).output("Y").output("mask");
  std::vector<Tensor> out = t.run();
  expect_near(out[0], {3}, {1, -2, 3});
  EXPECT_EQ(out[1].to_vector<bool>(), (std::vector<bool>{true, true, true}));
}

}  // namespace
}  // namespace onyx
