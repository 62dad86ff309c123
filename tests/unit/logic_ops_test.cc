// One-node tests of the logic and comparison operators (And, Or, Xor, Not, Equal, Greater,
// GreaterOrEqual, Less, LessOrEqual, Where) for cases the ONNX backend data misses: NaN,
// strings, rank 0, size-0 broadcasting, the legacy broadcast of opset 1 and the opset
// versions the data does not test, plus load-time folding of constant inputs. Expected
// values are worked out by hand in the comments.
#include <gtest/gtest.h>

#include <functional>
#include <limits>

#include "onyx/onyx.h"
#include "onyx/shape_inference.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::floats;
using testing::ints;
using testing::mentions;

using testing::kNaN;
using testing::OpTester;

Tensor bools(Shape shape, std::vector<bool> values) {
  return Tensor::from_vector<bool>(std::move(shape), values);
}
Tensor strings(Shape shape, std::vector<std::string> values) {
  return Tensor::from_vector<std::string>(std::move(shape), values);
}

Tensor binary(const std::string& op, const Tensor& a, const Tensor& b, int64_t opset) {
  OpTester t(op, opset);
  t.input("A", a).input("B", b).output("C");
  return t.run()[0];
}

std::vector<bool> bool_values(const Tensor& t) {
  EXPECT_EQ(t.dtype(), DType::Bool);
  return t.to_vector<bool>();
}

// The constant shape inference folds output 0 of `t` to (undefined when not folded).
Tensor folded_output(const OpTester& t) {
  Model m = t.model();
  const Registry& r = builtin_registry();
  InferenceResult res = infer_shapes(m.graph, [&r](const Node& n) { return r.shape_rule(n); });
  return res.constants[m.graph.outputs[0]];
}

// ---- comparisons ----

TEST(LogicCompare, NaNComparesFalse) {
  // Every comparison with NaN is false, NaN == NaN included.
  Tensor a = floats({3}, {kNaN, kNaN, 1});
  Tensor b = floats({3}, {kNaN, 1, 1});
  EXPECT_EQ(bool_values(binary("Equal", a, b, 13)), (std::vector<bool>{false, false, true}));
  EXPECT_EQ(bool_values(binary("Greater", a, b, 13)), (std::vector<bool>{false, false, false}));
  EXPECT_EQ(bool_values(binary("GreaterOrEqual", a, b, 12)),
            (std::vector<bool>{false, false, true}));
  EXPECT_EQ(bool_values(binary("Less", a, b, 9)), (std::vector<bool>{false, false, false}));
  EXPECT_EQ(bool_values(binary("LessOrEqual", a, b, 16)), (std::vector<bool>{false, false, true}));
}

TEST(LogicCompare, IntegerExtremes) {
  // uint64 max compares above 0 (no signed reinterpretation); int64 lowest below max.
  Tensor u = Tensor::from_vector<uint64_t>({2}, {std::numeric_limits<uint64_t>::max(), 0});
  Tensor z = Tensor::from_vector<uint64_t>({1}, {0});
  EXPECT_EQ(bool_values(binary("Greater", u, z, 13)), (std::vector<bool>{true, false}));
  EXPECT_EQ(bool_values(binary("LessOrEqual", u, z, 12)), (std::vector<bool>{false, true}));
  Tensor lo = ints({1}, {std::numeric_limits<int64_t>::min()});
  Tensor hi = ints({1}, {std::numeric_limits<int64_t>::max()});
  EXPECT_EQ(bool_values(binary("Less", lo, hi, 13)), (std::vector<bool>{true}));
}

TEST(LogicCompare, DtypesFollowTheOpset) {
  // Greater takes floats until opset 8, integers from 9; Equal takes strings from 19.
  Tensor i = ints({1}, {1});
  std::string e = error_of([&] { binary("Greater", i, i, 8); });
  EXPECT_TRUE(mentions(e, "no kernel for Greater")) << e;
  EXPECT_TRUE(mentions(e, "opset 8, input dtypes int64, int64")) << e;
  EXPECT_EQ(bool_values(binary("Greater", i, i, 9)), (std::vector<bool>{false}));
  Tensor s = strings({3}, {"a", "b", ""});
  Tensor t = strings({3}, {"a", "B", ""});
  e = error_of([&] { binary("Equal", s, t, 18); });
  EXPECT_TRUE(mentions(e, "no kernel for Equal")) << e;
  EXPECT_TRUE(mentions(e, "opset 18, input dtypes string, string")) << e;
  EXPECT_EQ(bool_values(binary("Equal", s, t, 19)), (std::vector<bool>{true, false, true}));
  // Equal of bools at opset 7; mixed dtypes are an error.
  EXPECT_EQ(bool_values(binary("Equal", bools({2}, {true, false}), bools({1}, {false}), 7)),
            (std::vector<bool>{false, true}));
  e = error_of([&] { binary("Equal", i, floats({1}, {1}), 13); });
  EXPECT_TRUE(mentions(e, "different dtypes int64 and float")) << e;
}

TEST(LogicCompare, LegacyBroadcastAtOpsetOne) {
  // Opset 1, A [2,3], B [2] at axis 0 with broadcast=1: compares A[i][j] with B[i].
  OpTester t("Greater", 1);
  t.input("A", floats({2, 3}, {1, 2, 3, 4, 5, 6}))
      .input("B", floats({2}, {2, 4}))
      .attr("broadcast", int64_t{1})
      .attr("axis", int64_t{0})
      .output("C");
  Tensor c = t.run()[0];
  EXPECT_EQ(c.shape(), (Shape{2, 3}));
  EXPECT_EQ(bool_values(c), (std::vector<bool>{false, false, true, false, true, true}));
  // Without broadcast=1 the shapes must agree.
  const std::string e = error_of([] { binary("Less", floats({2}, {1, 2}), floats({1}, {1}), 1); });
  EXPECT_TRUE(mentions(e, "shapes [2] and [1] differ and broadcast=0")) << e;
}

TEST(LogicCompare, RankZeroAndSizeZero) {
  Tensor c = binary("Less", Tensor::scalar(1.0f), Tensor::scalar(2.0f), 13);
  EXPECT_EQ(c.shape(), Shape{});
  EXPECT_EQ(bool_values(c), (std::vector<bool>{true}));
  // [0,1] with [3] broadcasts to [0,3].
  EXPECT_EQ(binary("Equal", ints({0, 1}, {}), ints({3}, {1, 2, 3}), 13).shape(), (Shape{0, 3}));
}

TEST(LogicCompare, ConstantInputsFold) {
  // Equal([2, -1, 3], -1) on initializers is known at load time: [false, true, false].
  OpTester t("Equal", 13);
  t.constant("A", ints({3}, {2, -1, 3})).constant("B", ints({}, {-1})).output("C");
  Tensor c = folded_output(t);
  ASSERT_TRUE(c.defined());
  EXPECT_EQ(bool_values(c), (std::vector<bool>{false, true, false}));
}

// ---- And, Or, Xor, Not ----

TEST(LogicBoolean, TruthTablesWithBroadcast) {
  // A [2,1] = [T, F] against B [2] = [T, F]: row i, column j pairs A[i] with B[j].
  Tensor a = bools({2, 1}, {true, false});
  Tensor b = bools({2}, {true, false});
  EXPECT_EQ(bool_values(binary("And", a, b, 7)), (std::vector<bool>{true, false, false, false}));
  EXPECT_EQ(bool_values(binary("Or", a, b, 7)), (std::vector<bool>{true, true, true, false}));
  EXPECT_EQ(bool_values(binary("Xor", a, b, 7)), (std::vector<bool>{false, true, true, false}));
  // Only bools are accepted.
  const std::string e = error_of([] { binary("And", ints({1}, {1}), ints({1}, {1}), 7); });
  EXPECT_TRUE(mentions(e, "no kernel for And")) << e;
  EXPECT_TRUE(mentions(e, "input dtypes int64, int64")) << e;
}

TEST(LogicBoolean, LegacyBroadcastAtOpsetOne) {
  // Opset 1, A [2,2], scalar-like B [1] with broadcast=1.
  OpTester t("Or", 1);
  t.input("A", bools({2, 2}, {true, false, false, false}))
      .input("B", bools({1}, {false}))
      .attr("broadcast", int64_t{1})
      .output("C");
  EXPECT_EQ(bool_values(t.run()[0]), (std::vector<bool>{true, false, false, false}));
}

TEST(LogicBoolean, NotOfRankZeroAndEmpty) {
  OpTester t("Not", 1);
  t.input("X", bools({}, {true})).output("Y");
  Tensor y = t.run()[0];
  EXPECT_EQ(y.shape(), Shape{});
  EXPECT_EQ(bool_values(y), (std::vector<bool>{false}));
  OpTester e("Not", 1);
  e.input("X", bools({0, 2}, {})).output("Y");
  EXPECT_EQ(e.run()[0].shape(), (Shape{0, 2}));
  OpTester f("Not", 1);
  f.input("X", floats({1}, {1})).output("Y");
  const std::string msg = error_of([&] { f.run(); });
  EXPECT_TRUE(mentions(msg, "Not")) << msg;
  EXPECT_TRUE(mentions(msg, "input must be bool, got float")) << msg;
}

// ---- Where ----

Tensor where(const Tensor& c, const Tensor& x, const Tensor& y, int64_t opset = 16) {
  OpTester t("Where", opset);
  t.input("C", c).input("X", x).input("Y", y).output("Z");
  return t.run()[0];
}

TEST(LogicWhere, ThreeWayBroadcast) {
  // condition [2,1], X [3], Y rank 0: row i takes X where C[i], else Y.
  Tensor z = where(bools({2, 1}, {true, false}), floats({3}, {1, 2, 3}), Tensor::scalar(9.0f));
  EXPECT_EQ(z.shape(), (Shape{2, 3}));
  EXPECT_EQ(z.to_vector<float>(), (std::vector<float>{1, 2, 3, 9, 9, 9}));
  // condition [3] picks per column between X [2,1] and Y [1,3].
  Tensor w = where(bools({3}, {true, false, true}), ints({2, 1}, {1, 2}), ints({1, 3}, {7, 8, 9}));
  EXPECT_EQ(w.to_vector<int64_t>(), (std::vector<int64_t>{1, 8, 1, 2, 8, 2}));
  // A size-0 condition dim gives a size-0 output.
  EXPECT_EQ(where(bools({0, 1}, {}), floats({2}, {1, 2}), floats({1}, {0})).shape(), (Shape{0, 2}));
}

TEST(LogicWhere, StringsAndDtypes) {
  Tensor z = where(bools({2}, {false, true}), strings({2}, {"x0", "x1"}), strings({1}, {"y"}), 9);
  EXPECT_EQ(z.to_vector<std::string>(), (std::vector<std::string>{"y", "x1"}));
  // bfloat16 values join at opset 16.
  Tensor h = Tensor::from_vector<bfloat16_t>({1}, {bfloat16_t(1.0f)});
  std::string e = error_of([&] { where(bools({1}, {true}), h, h, 15); });
  EXPECT_TRUE(mentions(e, "no kernel for Where")) << e;
  EXPECT_TRUE(mentions(e, "opset 15, input dtypes bool, bfloat16, bfloat16")) << e;
  EXPECT_EQ(static_cast<float>(where(bools({1}, {true}), h, h, 16).to_vector<bfloat16_t>()[0]),
            1.0f);
  // The condition must be bool; X and Y share a dtype.
  e = error_of([] { where(ints({1}, {1}), ints({1}, {1}), ints({1}, {2})); });
  EXPECT_TRUE(mentions(e, "condition must be bool, got int64")) << e;
  e = error_of([] { where(bools({1}, {true}), ints({1}, {1}), floats({1}, {2})); });
  EXPECT_TRUE(mentions(e, "different dtypes int64 and float")) << e;
}

TEST(LogicWhere, ConstantInputsFold) {
  // Where([T, F], [1, 2], [7, 8]) = [1, 8], known at load time.
  OpTester t("Where", 16);
  t.constant("C", bools({2}, {true, false}))
      .constant("X", ints({2}, {1, 2}))
      .constant("Y", ints({2}, {7, 8}))
      .output("Z");
  Tensor z = folded_output(t);
  ASSERT_TRUE(z.defined());
  EXPECT_EQ(z.to_vector<int64_t>(), (std::vector<int64_t>{1, 8}));
}

}  // namespace
}  // namespace onyx
