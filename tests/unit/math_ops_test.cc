// One-node tests of the math operators (Add, Sub, Mul, Div, Relu, Sigmoid, Tanh, Clip,
// PRelu) for cases the ONNX backend data misses. Expected values are worked out by hand
// in the comments.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "onyx/onyx.h"
#include "onyx/shape_inference.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::floats;
using testing::mentions;

using testing::OpTester;

void expect_floats(const Tensor& got, const Shape& shape, const std::vector<float>& want) {
  ASSERT_EQ(got.dtype(), DType::Float);
  ASSERT_EQ(got.shape(), shape);
  std::vector<float> v = got.to_vector<float>();
  ASSERT_EQ(v.size(), want.size());
  for (size_t i = 0; i < v.size(); ++i) EXPECT_NEAR(v[i], want[i], 1e-6) << "at " << i;
}

// One binary op at `opset` on inputs a, b.
Tensor binary(const std::string& op, const Tensor& a, const Tensor& b, int64_t opset = 14) {
  OpTester t(op, opset);
  t.input("A", a).input("B", b).output("C");
  return t.run()[0];
}

// The inferred type of the output when the inputs are declared as `a` and `b`.
std::string inferred_binary(const std::string& op, const TypeInfo& a, const TypeInfo& b) {
  OpTester t(op, 14);
  t.input("A", floats({1}, {0})).input("B", floats({1}, {0})).output("C");
  Model m = t.model();
  m.graph.value(m.graph.inputs[0]).type = a;
  m.graph.value(m.graph.inputs[1]).type = b;
  m.graph.value(m.graph.outputs[0]).type = TypeInfo{};
  const Registry& r = builtin_registry();
  InferenceResult res = infer_shapes(m.graph, [&r](const Node& n) { return r.shape_rule(n); });
  return res.types[m.graph.outputs[0]].to_string();
}

TEST(Binary, BroadcastsSizeOneDimsBothWays) {
  // A [2,1,3] = {1,2,3 | 4,5,6}, B [1,2,1] = {10, 20}: C[i][j][k] = A[i][0][k] + B[0][j][0].
  Tensor c = binary("Add", floats({2, 1, 3}, {1, 2, 3, 4, 5, 6}), floats({1, 2, 1}, {10, 20}));
  expect_floats(c, {2, 2, 3}, {11, 12, 13, 21, 22, 23, 14, 15, 16, 24, 25, 26});
}

TEST(Binary, BroadcastsAgainstSizeZeroDims) {
  // A size-0 dim wins over 1 and leaves nothing to compute.
  expect_floats(binary("Mul", floats({0, 3}, {}), floats({3}, {1, 2, 3})), {0, 3}, {});
  expect_floats(binary("Sub", floats({1, 3}, {1, 2, 3}), floats({0, 1}, {})), {0, 3}, {});
  // Integer division by a zero that is never used (the output is empty) is no error.
  Tensor a = Tensor::from_vector<int32_t>({0, 2}, {});
  Tensor b = Tensor::from_vector<int32_t>({2}, {0, 0});
  EXPECT_EQ(binary("Div", a, b).shape(), (Shape{0, 2}));
}

TEST(Binary, RankZero) {
  expect_floats(binary("Add", Tensor::scalar(1.5f), Tensor::scalar(2.0f)), {}, {3.5f});
  // scalar - [2,2]: 10 - {1,2,3,4}.
  expect_floats(binary("Sub", Tensor::scalar(10.0f), floats({2, 2}, {1, 2, 3, 4})), {2, 2},
                {9, 8, 7, 6});
}

TEST(Binary, IncompatibleShapesFail) {
  std::string err = error_of([] {
    binary("Add", floats({2, 3}, {1, 2, 3, 4, 5, 6}), floats({2}, {1, 2}));
  });
  EXPECT_NE(err.find("cannot be broadcast"), std::string::npos) << err;
}

TEST(Binary, IntegerDivisionByZeroFails) {
  Tensor a = Tensor::from_vector<int32_t>({2}, {6, 7});
  Tensor b = Tensor::from_vector<int32_t>({2}, {3, 0});
  std::string err = error_of([&] { binary("Div", a, b); });
  EXPECT_NE(err.find("integer division by zero"), std::string::npos) << err;
  EXPECT_NE(err.find("Div"), std::string::npos) << err;  // names the node
}

TEST(Binary, IntegerDivisionTruncatesAndWraps) {
  // -7 / 2 = -3.5 -> -3 (toward zero); 7 / -2 -> -3; lowest / -1 wraps to lowest.
  const int32_t lo = std::numeric_limits<int32_t>::lowest();
  Tensor a = Tensor::from_vector<int32_t>({3}, {-7, 7, lo});
  Tensor b = Tensor::from_vector<int32_t>({3}, {2, -2, -1});
  EXPECT_EQ(binary("Div", a, b).to_vector<int32_t>(), (std::vector<int32_t>{-3, -3, lo}));
  // uint8 at opset 14: 200 / 7 = 28.
  Tensor c = binary("Div", Tensor::from_vector<uint8_t>({1}, {200}),
                    Tensor::from_vector<uint8_t>({1}, {7}));
  EXPECT_EQ(c.to_vector<uint8_t>(), (std::vector<uint8_t>{28}));
}

TEST(Binary, IntegerOverflowWraps) {
  // int32 max + 1 = lowest; uint8 200 + 100 = 300 - 256 = 44; int16 300 * 300 = 90000
  // = 65536 + 24464.
  const int32_t hi = std::numeric_limits<int32_t>::max();
  EXPECT_EQ(binary("Add", Tensor::scalar(hi), Tensor::scalar(int32_t{1})).to_vector<int32_t>(),
            (std::vector<int32_t>{std::numeric_limits<int32_t>::lowest()}));
  EXPECT_EQ(binary("Add", Tensor::scalar(uint8_t{200}), Tensor::scalar(uint8_t{100}))
                .to_vector<uint8_t>(),
            (std::vector<uint8_t>{44}));
  EXPECT_EQ(binary("Mul", Tensor::scalar(int16_t{300}), Tensor::scalar(int16_t{300}))
                .to_vector<int16_t>(),
            (std::vector<int16_t>{24464}));
}

TEST(Binary, Float16ComputesInFloat) {
  // 1.5 + 2.25 = 3.75 and 1 / 3 rounded to half: 0.333251953125 (0x3555).
  Tensor a = Tensor::from_vector<float16_t>({2}, {float16_t(1.5f), float16_t(1.0f)});
  Tensor b = Tensor::from_vector<float16_t>({2}, {float16_t(2.25f), float16_t(3.0f)});
  EXPECT_EQ(static_cast<float>(binary("Add", a, b).data<float16_t>()[0]), 3.75f);
  EXPECT_EQ(binary("Div", a, b).data<float16_t>()[1].bits, 0x3555);
}

TEST(Binary, DtypesFollowTheOpset) {
  // int8 arithmetic arrives with opset 14; opset 13 has no kernel for it.
  Tensor a = Tensor::from_vector<int8_t>({1}, {5});
  EXPECT_EQ(binary("Sub", a, a, 14).to_vector<int8_t>(), (std::vector<int8_t>{0}));
  std::string e = error_of([&] { binary("Sub", a, a, 13); });
  EXPECT_TRUE(mentions(e, "no kernel for Sub")) << e;
  EXPECT_TRUE(mentions(e, "opset 13, input dtypes int8, int8")) << e;
  Tensor i = Tensor::from_vector<int32_t>({1}, {5});
  e = error_of([&] { binary("Sub", i, Tensor::from_vector<int64_t>({1}, {5})); });
  EXPECT_TRUE(mentions(e, "different dtypes int32 and int64")) << e;
}

TEST(Binary, LegacyBroadcastAlongAxis) {
  // Opset 6, A [2,3,2], B [3] at axis 1: B[j] is added to A[i][j][k].
  OpTester t("Add", 6);
  t.input("A", floats({2, 3, 2}, std::vector<float>(12, 0.0f)))
      .input("B", floats({3}, {1, 2, 3}))
      .attr("broadcast", int64_t{1})
      .attr("axis", int64_t{1})
      .output("C");
  expect_floats(t.run()[0], {2, 3, 2}, {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3});
}

TEST(Binary, LegacySuffixAndScalar) {
  // No axis: B [2] matches A's last dim. A one-element B [1,1] acts as a scalar.
  OpTester t("Mul", 6);
  t.input("A", floats({2, 2}, {1, 2, 3, 4}))
      .input("B", floats({2}, {10, 100}))
      .attr("broadcast", int64_t{1})
      .output("C");
  expect_floats(t.run()[0], {2, 2}, {10, 200, 30, 400});
  OpTester s("Div", 1);
  s.input("A", floats({3}, {2, 4, 6}))
      .input("B", floats({1, 1}, {2}))
      .attr("broadcast", int64_t{1})
      .output("C");
  expect_floats(s.run()[0], {3}, {1, 2, 3});
}

TEST(Binary, LegacyWithoutBroadcastNeedsEqualShapes) {
  OpTester t("Add", 6);
  t.input("A", floats({2, 2}, {1, 2, 3, 4})).input("B", floats({2}, {1, 2})).output("C");
  std::string err = error_of([&] { t.run(); });
  EXPECT_NE(err.find("broadcast=0"), std::string::npos) << err;
}

TEST(Binary, ShapeRuleKeepsSymbols) {
  auto t = [](std::vector<Dim> d) { return TypeInfo::tensor(DType::Float, d); };
  Dim n = Dim::symbol("N");
  EXPECT_EQ(inferred_binary("Add", t({n, Dim::known(3)}), t({Dim::known(3)})), "float[N, 3]");
  EXPECT_EQ(inferred_binary("Mul", t({n, Dim::known(1)}), t({Dim::known(4)})), "float[N, 4]");
  EXPECT_EQ(inferred_binary("Div", t({Dim::known(1)}), t({})), "float[1]");
}

TEST(Unary, EmptyAndScalar) {
  OpTester t("Relu", 14);
  t.input("X", floats({2, 0}, {})).output("Y");
  expect_floats(t.run()[0], {2, 0}, {});
  OpTester s("Tanh", 13);
  s.input("X", Tensor::scalar(0.0f)).output("Y");
  expect_floats(s.run()[0], {}, {0});
}

TEST(Unary, SigmoidSaturatesWithoutNaN) {
  // sigmoid(-100) = 1 / (1 + e^100) ~ 3.7e-44 (a float subnormal); sigmoid(100) = 1.
  OpTester t("Sigmoid", 13);
  t.input("X", floats({3}, {-100, 0, 100})).output("Y");
  expect_floats(t.run()[0], {3}, {0, 0.5f, 1});
}

TEST(Unary, ReluKeepsNaNAndTakesIntegersFromOpset14) {
  OpTester t("Relu", 14);
  t.input("X", floats({2}, {std::nanf(""), -1})).output("Y");
  std::vector<float> y = t.run()[0].to_vector<float>();
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_EQ(y[1], 0.0f);
  OpTester i("Relu", 14);
  i.input("X", Tensor::from_vector<int8_t>({3}, {-128, 0, 127})).output("Y");
  EXPECT_EQ(i.run()[0].to_vector<int8_t>(), (std::vector<int8_t>{0, 0, 127}));
}

TEST(Clip, OmittedMinIsPositional) {
  // Inputs (x, "", max): the one bound given is the max, whatever its name.
  OpTester t("Clip", 13);
  t.input("x", floats({3}, {-5, 0, 5})).omitted().constant("min", Tensor::scalar(1.0f)).output("y");
  expect_floats(t.run()[0], {3}, {-5, 0, 1});
}

TEST(Clip, MinAboveMaxGivesMaxAndNaNStays) {
  OpTester t("Clip", 13);
  t.input("x", floats({3}, {-1, 7, std::nanf("")}))
      .constant("lo", Tensor::scalar(2.0f))
      .constant("hi", Tensor::scalar(1.0f))
      .output("y");
  std::vector<float> y = t.run()[0].to_vector<float>();
  EXPECT_EQ(y[0], 1.0f);
  EXPECT_EQ(y[1], 1.0f);
  EXPECT_TRUE(std::isnan(y[2]));
}

TEST(Clip, AttributesBeforeOpset11) {
  // Opset 6 with only max: no lower bound.
  OpTester t("Clip", 6);
  t.input("x", floats({3}, {-1e30f, 0.5f, 3})).attr("max", 1.0f).output("y");
  expect_floats(t.run()[0], {3}, {-1e30f, 0.5f, 1});
}

TEST(Clip, IntegersAndBoundChecks) {
  OpTester t("Clip", 12);
  t.input("x", Tensor::from_vector<int32_t>({3}, {-9, 4, 9}))
      .constant("lo", Tensor::scalar(int32_t{-2}))
      .constant("hi", Tensor::scalar(int32_t{5}))
      .output("y");
  EXPECT_EQ(t.run()[0].to_vector<int32_t>(), (std::vector<int32_t>{-2, 4, 5}));
  OpTester bad("Clip", 13);
  bad.input("x", floats({1}, {0})).input("lo", floats({2}, {0, 1})).output("y");
  EXPECT_NE(error_of([&] { bad.run(); }).find("scalar"), std::string::npos);
}

TEST(PRelu, LegacyPerChannelSlope) {
  // Opset 6, X [1,3,2], slope [3] per channel: negatives scaled by 1, 2, 3.
  OpTester t("PRelu", 6);
  t.input("X", floats({1, 3, 2}, {-1, 1, -1, 1, -2, 2}))
      .constant("slope", floats({3}, {1, 2, 3}))
      .output("Y");
  expect_floats(t.run()[0], {1, 3, 2}, {-1, 1, -2, 1, -6, 2});
}

TEST(PRelu, UnidirectionalBroadcastAndIntegers) {
  // Opset 9, int32 X [2,2], slope [2] along the last dim.
  OpTester t("PRelu", 9);
  t.input("X", Tensor::from_vector<int32_t>({2, 2}, {-3, -3, 4, -1}))
      .constant("slope", Tensor::from_vector<int32_t>({2}, {2, 5}))
      .output("Y");
  EXPECT_EQ(t.run()[0].to_vector<int32_t>(), (std::vector<int32_t>{-6, -15, 4, -5}));
  // A slope that would grow X is refused.
  OpTester bad("PRelu", 16);
  bad.input("X", floats({2}, {1, 2})).constant("slope", floats({2, 2}, {1, 1, 1, 1})).output("Y");
  EXPECT_NE(error_of([&] { bad.run(); }).find("does not broadcast"), std::string::npos);
}

}  // namespace
}  // namespace onyx
