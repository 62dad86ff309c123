// One-node tests of the reduce family (the ten Reduce* ops, ArgMax/ArgMin, CumSum, TopK)
// for cases the ONNX backend data misses: the opset-18 axes input, noop_with_empty_axes,
// empty inputs, rank 0, NaN, integer extremes, bool, errors and the shape rule. Expected
// values are worked out by hand in the comments.
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
using testing::ints;

using testing::kInf;
using testing::kMax64;
using testing::kMin64;
using testing::kNaN;
using testing::OpTester;

Tensor int32s(Shape shape, std::vector<int32_t> values) {
  return Tensor::from_vector<int32_t>(std::move(shape), values);
}
Tensor bools(Shape shape, std::vector<bool> values) {
  Tensor t(DType::Bool, std::move(shape));
  for (size_t i = 0; i < values.size(); ++i) t.data<bool>()[i] = values[i];
  return t;
}
Tensor iota(Shape shape) {
  Tensor t(DType::Float, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = static_cast<float>(i);
  return t;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void expect_floats(const Tensor& t, const std::vector<float>& want) {
  std::vector<float> got = t.to_vector<float>();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "element " << i << " is " << got[i];
    } else if (std::isinf(want[i])) {
      EXPECT_EQ(got[i], want[i]) << "element " << i;
    } else {
      EXPECT_NEAR(got[i], want[i], 1e-5 * (1 + std::fabs(want[i]))) << "element " << i;
    }
  }
}

// Runs `op` at `opset` on x with the axes given as a run-time input (opset 18 style).
Tensor reduce_input_axes(const std::string& op, int64_t opset, const Tensor& x,
                         std::vector<int64_t> axes, int64_t keepdims = 1) {
  OpTester t(op, opset);
  t.input("x", x)
      .input("axes", ints({static_cast<int64_t>(axes.size())}, axes))
      .attr("keepdims", keepdims)
      .output("y");
  return t.run()[0];
}

// x = [[1, 2], [-3, 4]] reduced over axis 1 with keepdims=1 (shape [2, 1]).
TEST(ReduceOps, Opset18AxesInputForEachOp) {
  const Tensor x = floats({2, 2}, {1, 2, -3, 4});
  const std::vector<std::pair<std::string, std::vector<float>>> cases = {
      {"ReduceSum", {3, 1}},
      {"ReduceMean", {1.5f, 0.5f}},
      {"ReduceMax", {2, 4}},
      {"ReduceMin", {1, -3}},
      {"ReduceProd", {2, -12}},
      {"ReduceL1", {3, 7}},                // |1|+|2|, |-3|+|4|
      {"ReduceL2", {std::sqrt(5.0f), 5}},  // sqrt(1+4), sqrt(9+16)
      {"ReduceSumSquare", {5, 25}},
      {"ReduceLogSum", {std::log(3.0f), 0}},          // log 3, log(-3+4)
      {"ReduceLogSumExp", {2.3132617f, 4.0009115f}},  // 2+log(1+e^-1), 4+log(1+e^-7)
  };
  for (const auto& [op, want] : cases) {
    SCOPED_TRACE(op);
    Tensor y = reduce_input_axes(op, 18, x, {1});
    EXPECT_EQ(y.shape(), (Shape{2, 1}));
    expect_floats(y, want);
  }
}

TEST(ReduceOps, AxesAttributeBefore18) {
  const Tensor x = floats({2, 2}, {1, 2, -3, 4});
  OpTester mean("ReduceMean", 13);  // negative axes from opset 11
  mean.input("x", x).attr("axes", std::vector<int64_t>{-1}).output("y");
  expect_floats(mean.run()[0], {1.5f, 0.5f});
  OpTester prod("ReduceProd", 1);  // columns: 1 * -3, 2 * 4
  prod.input("x", x).attr("axes", std::vector<int64_t>{0}).attr("keepdims", int64_t{0}).output("y");
  Tensor y = prod.run()[0];
  EXPECT_EQ(y.shape(), (Shape{2}));
  expect_floats(y, {-3, 8});
  // Both axes, given as an initializer: a scalar sum 1 + 2 - 3 + 4 = 4.
  OpTester all("ReduceSum", 18);
  all.input("x", x).constant("axes", ints({2}, {0, 1})).attr("keepdims", int64_t{0}).output("y");
  Tensor s = all.run()[0];
  EXPECT_EQ(s.shape(), Shape{});
  expect_floats(s, {4});
}

TEST(ReduceOps, NoopWithEmptyAxes) {
  const Tensor x = floats({2, 2}, {1, 2, -3, 4});
  OpTester sum("ReduceSum", 13);  // no axes + noop: the input itself
  sum.input("x", x).attr("noop_with_empty_axes", int64_t{1}).output("y");
  Tensor y = sum.run()[0];
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  expect_floats(y, {1, 2, -3, 4});
  // Each element is reduced alone: SumSquare squares, L1 takes |x|.
  OpTester sq("ReduceSumSquare", 18);
  sq.input("x", x)
      .input("axes", ints({0}, {}))
      .attr("noop_with_empty_axes", int64_t{1})
      .output("y");
  expect_floats(sq.run()[0], {1, 4, 9, 16});
  OpTester l1("ReduceL1", 18);
  l1.input("x", x).omitted().attr("noop_with_empty_axes", int64_t{1}).output("y");
  expect_floats(l1.run()[0], {1, 2, 3, 4});
  // An empty axes input without noop reduces everything: [1, 1] holding 4.
  OpTester all("ReduceSum", 13);
  all.input("x", x).input("axes", ints({0}, {})).output("y");
  Tensor a = all.run()[0];
  EXPECT_EQ(a.shape(), (Shape{1, 1}));
  expect_floats(a, {4});
}

TEST(ReduceOps, EmptyInputGivesIdentity) {
  const Tensor x = floats({2, 0}, {});
  const std::vector<std::pair<std::string, float>> cases = {
      {"ReduceSum", 0},       {"ReduceMean", kNaN},    {"ReduceMax", -kInf},
      {"ReduceMin", kInf},    {"ReduceProd", 1},       {"ReduceL1", 0},
      {"ReduceL2", 0},        {"ReduceLogSum", -kInf}, {"ReduceLogSumExp", -kInf},
      {"ReduceSumSquare", 0},
  };
  for (const auto& [op, want] : cases) {
    SCOPED_TRACE(op);
    Tensor y = reduce_input_axes(op, 18, x, {1});
    EXPECT_EQ(y.shape(), (Shape{2, 1}));
    expect_floats(y, {want, want});
    // Reducing a dim that is not the empty one leaves an empty output.
    EXPECT_EQ(reduce_input_axes(op, 18, x, {0}).shape(), (Shape{1, 0}));
  }
  // Integer max/min start from the dtype's far ends; mean and log sum have no answer.
  const Tensor xi = int32s({1, 0}, {});
  EXPECT_EQ(reduce_input_axes("ReduceMax", 18, xi, {1}).to_vector<int32_t>(),
            std::vector<int32_t>{std::numeric_limits<int32_t>::lowest()});
  EXPECT_EQ(reduce_input_axes("ReduceMin", 18, xi, {1}).to_vector<int32_t>(),
            std::vector<int32_t>{std::numeric_limits<int32_t>::max()});
  EXPECT_EQ(reduce_input_axes("ReduceProd", 18, xi, {1}).to_vector<int32_t>(),
            std::vector<int32_t>{1});
  EXPECT_TRUE(has(error_of([&] { reduce_input_axes("ReduceMean", 18, xi, {1}); }), "undefined"));
  EXPECT_TRUE(has(error_of([&] { reduce_input_axes("ReduceLogSum", 18, xi, {1}); }), "undefined"));
  // All of a [0] tensor, keepdims=0: a scalar 0.
  OpTester sum("ReduceSum", 13);
  sum.input("x", floats({0}, {})).attr("keepdims", int64_t{0}).output("y");
  Tensor s = sum.run()[0];
  EXPECT_EQ(s.shape(), Shape{});
  expect_floats(s, {0});
}

TEST(ReduceOps, RankOneToRankZero) {
  OpTester sum("ReduceSum", 13);
  sum.input("x", floats({3}, {1, 2, 3})).attr("keepdims", int64_t{0}).output("y");
  Tensor y = sum.run()[0];
  EXPECT_EQ(y.shape(), Shape{});
  expect_floats(y, {6});
  OpTester max("ReduceMax", 11);
  max.input("x", floats({3}, {1, 3, 2}))
      .attr("axes", std::vector<int64_t>{-1})
      .attr("keepdims", int64_t{0})
      .output("y");
  Tensor m = max.run()[0];
  EXPECT_EQ(m.shape(), Shape{});
  expect_floats(m, {3});
  // A rank-0 input reduces to itself.
  OpTester scalar("ReduceL2", 18);
  scalar.input("x", Tensor::scalar(-2.0f)).output("y");
  expect_floats(scalar.run()[0], {2});
}

TEST(ReduceOps, NaNPropagatesThroughMaxAndMin) {
  expect_floats(reduce_input_axes("ReduceMax", 18, floats({3}, {1, kNaN, 3}), {0}), {kNaN});
  expect_floats(reduce_input_axes("ReduceMin", 18, floats({2}, {kNaN, 1}), {0}), {kNaN});
  expect_floats(reduce_input_axes("ReduceMax", 18, floats({2}, {-kInf, -kInf}), {0}), {-kInf});
}

TEST(ReduceOps, Int64ExtremesWrapLikeNumpy) {
  auto sum = [](std::vector<int64_t> v) {
    OpTester t("ReduceSum", 13);
    t.input("x", ints({static_cast<int64_t>(v.size())}, v)).output("y");
    return t.run()[0].to_vector<int64_t>()[0];
  };
  EXPECT_EQ(sum({kMax64, 1}), kMin64);
  EXPECT_EQ(sum({kMin64, -1}), kMax64);
  EXPECT_EQ(sum({kMax64, kMax64, 2}), 0);  // 2 * (2^63 - 1) + 2 = 2^64
  // 2^32 * 2^32 = 2^64 wraps to 0; lowest * -1 wraps to lowest; |lowest| is lowest.
  EXPECT_EQ(
      reduce_input_axes("ReduceProd", 18, ints({2}, {int64_t{1} << 32, int64_t{1} << 32}), {0})
          .to_vector<int64_t>()[0],
      0);
  EXPECT_EQ(reduce_input_axes("ReduceProd", 18, ints({2}, {kMin64, -1}), {0}).to_vector<int64_t>(),
            std::vector<int64_t>{kMin64});
  EXPECT_EQ(reduce_input_axes("ReduceL1", 18, ints({1}, {kMin64}), {0}).to_vector<int64_t>(),
            std::vector<int64_t>{kMin64});
  EXPECT_EQ(
      reduce_input_axes("ReduceMin", 18, ints({3}, {0, kMin64, kMax64}), {0}).to_vector<int64_t>(),
      std::vector<int64_t>{kMin64});
  // The integer mean truncates toward zero: (-3 + -4) / 2 = -3.5 -> -3.
  EXPECT_EQ(reduce_input_axes("ReduceMean", 18, int32s({2}, {-3, -4}), {0}).to_vector<int32_t>(),
            std::vector<int32_t>{-3});
  // log(0) has no int32 value.
  EXPECT_TRUE(has(error_of([] { reduce_input_axes("ReduceLogSum", 18, int32s({1}, {0}), {0}); }),
                  "not representable"));
}

TEST(ReduceOps, BoolMaxMinFromOpset20) {
  const Tensor x = bools({2, 2}, {true, false, false, false});
  Tensor any = reduce_input_axes("ReduceMax", 20, x, {1});
  EXPECT_EQ(any.shape(), (Shape{2, 1}));
  EXPECT_TRUE(any.data<bool>()[0]);
  EXPECT_FALSE(any.data<bool>()[1]);
  Tensor all = reduce_input_axes("ReduceMin", 20, bools({1, 2}, {true, true}), {1});
  EXPECT_TRUE(all.data<bool>()[0]);
  EXPECT_FALSE(reduce_input_axes("ReduceMax", 20, bools({1, 0}, {}), {1}).data<bool>()[0]);
  EXPECT_TRUE(reduce_input_axes("ReduceMin", 20, bools({1, 0}, {}), {1}).data<bool>()[0]);
  EXPECT_TRUE(has(error_of([&] { reduce_input_axes("ReduceMax", 18, x, {1}); }), "bool"));
}

TEST(ReduceOps, HalfTypesAndStableLogSumExp) {
  OpTester h("ReduceSum", 13);
  h.input("x", Tensor::from_vector<float16_t>({2}, {float16_t(0.5f), float16_t(0.25f)}))
      .output("y");
  EXPECT_EQ(static_cast<float>(h.run()[0].data<float16_t>()[0]), 0.75f);
  OpTester b("ReduceMean", 13);
  b.input("x", Tensor::from_vector<bfloat16_t>({2}, {bfloat16_t(1.0f), bfloat16_t(2.0f)}))
      .output("y");
  EXPECT_EQ(static_cast<float>(b.run()[0].data<bfloat16_t>()[0]), 1.5f);
  // log(e^1000 + e^1000) = 1000 + log 2, though e^1000 overflows.
  std::vector<float> got =
      reduce_input_axes("ReduceLogSumExp", 18, floats({2}, {1000, 1000}), {0}).to_vector<float>();
  EXPECT_NEAR(got[0], 1000.693147f, 1e-3);
  expect_floats(reduce_input_axes("ReduceLogSumExp", 18, floats({2}, {kInf, 1}), {0}), {kInf});
}

TEST(ReduceOps, InnerAndOuterAxes) {
  // x[a][b][c] = 6a + 2b + c over [2, 3, 2].
  // Over a and c: 6*2 + 8b + 2 = 14 + 8b. Over b: 18a + 6 + 3c.
  Tensor y = reduce_input_axes("ReduceSum", 13, iota({2, 3, 2}), {0, 2}, 0);
  EXPECT_EQ(y.shape(), (Shape{3}));
  expect_floats(y, {14, 22, 30});
  expect_floats(reduce_input_axes("ReduceSum", 13, iota({2, 3, 2}), {1}, 0), {6, 9, 24, 27});
  // Max over a and c: 6 + 2b + 1.
  Tensor m = reduce_input_axes("ReduceMax", 18, iota({2, 3, 2}), {2, 0});
  EXPECT_EQ(m.shape(), (Shape{1, 3, 1}));
  expect_floats(m, {7, 9, 11});
  // Many rows over four threads: each row of 4096 ones sums to 4096.
  Tensor ones(DType::Float, {64, 4096});
  std::fill_n(ones.data<float>(), ones.numel(), 1.0f);
  OpTester t("ReduceSum", 13);
  t.input("x", ones).input("axes", ints({1}, {1})).attr("keepdims", int64_t{0}).output("y");
  EXPECT_EQ(t.run(4)[0].to_vector<float>(), std::vector<float>(64, 4096.0f));
}

TEST(ReduceOps, BadAxesAndAttributes) {
  const Tensor x = floats({2, 2}, {1, 2, 3, 4});
  EXPECT_TRUE(has(error_of([&] {
                    reduce_input_axes("ReduceSum", 13, x, {1, -1});
                  }),
                  "more than once"));
  EXPECT_TRUE(has(error_of([&] { reduce_input_axes("ReduceL1", 18, x, {2}); }), "out of range"));
  OpTester attr("ReduceMean", 18);
  attr.input("x", x).attr("axes", std::vector<int64_t>{0}).output("y");
  EXPECT_TRUE(has(error_of([&] { attr.run(); }), "replaced by input 'axes'"));
  OpTester two("ReduceMean", 11);
  two.input("x", x).input("axes", ints({1}, {0})).output("y");
  EXPECT_TRUE(has(error_of([&] { two.run(); }), "one input"));
  OpTester keep("ReduceMax", 13);
  keep.input("x", x).attr("keepdims", int64_t{2}).output("y");
  EXPECT_TRUE(has(error_of([&] { keep.run(); }), "must be 0 or 1"));
}

// The inferred type of output 0 when input 0 is declared as `x_type` instead.
std::string inferred_output(const OpTester& t, const TypeInfo& x_type) {
  Model m = t.model();
  m.graph.value(m.graph.inputs[0]).type = x_type;
  m.graph.value(m.graph.outputs[0]).type = TypeInfo{};
  const Registry& r = builtin_registry();
  InferenceResult res = infer_shapes(m.graph, [&r](const Node& n) { return r.shape_rule(n); });
  return res.types[m.graph.outputs[0]].to_string();
}

TEST(ReduceOps, ShapeRuleAndFolding) {
  const TypeInfo n3 =
      TypeInfo::tensor(DType::Float, std::vector<Dim>{Dim::symbol("N"), Dim::known(1)});
  OpTester known("ReduceSum", 13);
  known.input("x", iota({2, 1}))
      .constant("axes", ints({1}, {1}))
      .attr("keepdims", int64_t{0})
      .output("y");
  EXPECT_EQ(inferred_output(known, n3), "float[N]");
  // Axes known only at run time: with keepdims the rank stays and 1s stay 1.
  OpTester keep("ReduceSum", 13);
  keep.input("x", iota({2, 1})).input("axes", ints({1}, {1})).output("y");
  EXPECT_EQ(inferred_output(keep, n3), "float[?, 1]");
  OpTester drop("ReduceSum", 13);
  drop.input("x", iota({2, 1}))
      .input("axes", ints({1}, {1}))
      .attr("keepdims", int64_t{0})
      .output("y");
  EXPECT_EQ(inferred_output(drop, n3), "float[?]");
  // Constant in, constant out: the product 2 * 3 * 4 = 24 is known at load time.
  OpTester fold("ReduceProd", 18);
  fold.constant("x", ints({3}, {2, 3, 4}))
      .constant("axes", ints({1}, {0}))
      .attr("keepdims", int64_t{0})
      .output("y");
  Model m = fold.model();
  const Registry& r = builtin_registry();
  InferenceResult res = infer_shapes(m.graph, [&r](const Node& n) { return r.shape_rule(n); });
  const Tensor& c = res.constants[m.graph.outputs[0]];
  ASSERT_TRUE(c.defined());
  EXPECT_EQ(c.to_vector<int64_t>(), std::vector<int64_t>{24});
}

// ---- ArgMax, ArgMin ----

Tensor arg(const std::string& op, int64_t opset, const Tensor& x, int64_t axis, int64_t keepdims,
           int64_t last = -1) {
  OpTester t(op, opset);
  t.input("x", x).attr("axis", axis).attr("keepdims", keepdims);
  if (last >= 0) t.attr("select_last_index", last);
  t.output("y");
  return t.run()[0];
}

TEST(ArgMaxMin, NaNTiesAndLastIndex) {
  const Tensor x = floats({4}, {1, kNaN, 3, kNaN});  // NaN is the extreme for both ops
  EXPECT_EQ(arg("ArgMax", 13, x, 0, 0).to_vector<int64_t>(), std::vector<int64_t>{1});
  EXPECT_EQ(arg("ArgMax", 13, x, 0, 0, 1).to_vector<int64_t>(), std::vector<int64_t>{3});
  EXPECT_EQ(arg("ArgMin", 13, x, 0, 0).to_vector<int64_t>(), std::vector<int64_t>{1});
  EXPECT_EQ(arg("ArgMin", 12, x, 0, 0, 1).to_vector<int64_t>(), std::vector<int64_t>{3});
  const Tensor ties = floats({3}, {2, 5, 5});
  EXPECT_EQ(arg("ArgMax", 13, ties, 0, 1).to_vector<int64_t>(), std::vector<int64_t>{1});
  EXPECT_EQ(arg("ArgMax", 13, ties, 0, 1, 1).to_vector<int64_t>(), std::vector<int64_t>{2});
}

TEST(ArgMaxMin, Int64MinAndRankZeroOutput) {
  const Tensor x = ints({4}, {0, kMin64, 5, kMin64});
  Tensor first = arg("ArgMin", 13, x, 0, 0);
  EXPECT_EQ(first.shape(), Shape{});  // rank 1, keepdims=0: a scalar
  EXPECT_EQ(first.to_vector<int64_t>(), std::vector<int64_t>{1});
  EXPECT_EQ(arg("ArgMin", 13, x, 0, 0, 1).to_vector<int64_t>(), std::vector<int64_t>{3});
  EXPECT_EQ(arg("ArgMax", 13, ints({2}, {kMin64, kMin64}), 0, 1).to_vector<int64_t>(),
            std::vector<int64_t>{0});
  const Tensor u = Tensor::from_vector<uint16_t>({3}, {5, 0, 0});
  EXPECT_EQ(arg("ArgMin", 11, u, 0, 1).to_vector<int64_t>(), std::vector<int64_t>{1});
}

TEST(ArgMaxMin, AxesOpsetsAndErrors) {
  const Tensor x = floats({2, 3}, {1, 5, 3, 6, 2, 4});
  Tensor rows = arg("ArgMax", 11, x, -1, 1);
  EXPECT_EQ(rows.shape(), (Shape{2, 1}));
  EXPECT_EQ(rows.to_vector<int64_t>(), (std::vector<int64_t>{1, 0}));
  OpTester old("ArgMax", 1);  // default axis 0, keepdims 1
  old.input("x", x).output("y");
  EXPECT_EQ(old.run()[0].to_vector<int64_t>(), (std::vector<int64_t>{1, 0, 1}));
  EXPECT_TRUE(has(error_of([&] { arg("ArgMax", 11, x, 0, 1, 1); }), "opset 12"));
  EXPECT_TRUE(has(error_of([&] { arg("ArgMin", 13, x, 2, 1); }), "out of range"));
  EXPECT_TRUE(has(error_of([] { arg("ArgMax", 13, floats({2, 0}, {}), 1, 1); }), "empty axis"));
  EXPECT_EQ(arg("ArgMax", 13, floats({0, 3}, {}), 1, 1).shape(), (Shape{0, 1}));
}

// ---- CumSum ----

Tensor cumsum(int64_t opset, const Tensor& x, const Tensor& axis, int64_t exclusive = 0,
              int64_t reverse = 0) {
  OpTester t("CumSum", opset);
  t.input("x", x).input("axis", axis).attr("exclusive", exclusive).attr("reverse", reverse);
  t.output("y");
  return t.run()[0];
}

TEST(CumSum, ExclusiveReverseAndAxisTypes) {
  const Tensor x = int32s({2, 3}, {1, 2, 3, 4, 5, 6});
  // Along rows, from the end, leaving each element out: [2+3, 3, 0], [5+6, 6, 0].
  EXPECT_EQ(cumsum(14, x, Tensor::scalar<int64_t>(1), 1, 1).to_vector<int32_t>(),
            (std::vector<int32_t>{5, 3, 0, 11, 6, 0}));
  EXPECT_EQ(cumsum(11, x, Tensor::scalar<int32_t>(-2)).to_vector<int32_t>(),
            (std::vector<int32_t>{1, 2, 3, 5, 7, 9}));
  EXPECT_EQ(cumsum(14, ints({2}, {kMax64, 1}), Tensor::scalar<int64_t>(0)).to_vector<int64_t>(),
            (std::vector<int64_t>{kMax64, kMin64}));
  Tensor h = cumsum(14, Tensor::from_vector<float16_t>({2}, {float16_t(0.5f), float16_t(0.25f)}),
                    Tensor::scalar<int64_t>(0));
  EXPECT_EQ(static_cast<float>(h.data<float16_t>()[1]), 0.75f);
  EXPECT_EQ(cumsum(14, floats({0}, {}), Tensor::scalar<int64_t>(0)).shape(), (Shape{0}));
}

TEST(CumSum, Errors) {
  const Tensor x = floats({2, 2}, {1, 2, 3, 4});
  EXPECT_TRUE(has(error_of([&] { cumsum(14, x, Tensor::scalar<int64_t>(2)); }), "out of range"));
  EXPECT_TRUE(has(error_of([&] { cumsum(14, x, ints({2}, {0, 1})); }), "one value"));
  EXPECT_TRUE(has(error_of([&] { cumsum(14, x, Tensor::scalar<int64_t>(0), 2); }), "0 or 1"));
  // float16 arrives in opset 14.
  EXPECT_FALSE(error_of([] {
                 cumsum(11, Tensor::from_vector<float16_t>({1}, {float16_t(1.0f)}),
                        Tensor::scalar<int64_t>(0));
               }).empty());
}

// ---- TopK ----

std::vector<Tensor> topk(int64_t opset, const Tensor& x, int64_t k, int64_t axis = -1,
                         int64_t largest = 1) {
  OpTester t("TopK", opset);
  t.input("x", x).input("k", ints({1}, {k})).attr("axis", axis);
  if (opset >= 11) t.attr("largest", largest);
  t.output("values").output("indices");
  return t.run();
}

TEST(TopK, Bfloat16FromOpset24) {
  const Tensor x =
      Tensor::from_vector<bfloat16_t>({3}, {bfloat16_t(1.0f), bfloat16_t(3.0f), bfloat16_t(2.0f)});
  std::vector<Tensor> top = topk(24, x, 2);
  ASSERT_EQ(top[0].dtype(), DType::BFloat16);
  EXPECT_EQ(static_cast<float>(top[0].data<bfloat16_t>()[0]), 3.0f);
  EXPECT_EQ(static_cast<float>(top[0].data<bfloat16_t>()[1]), 2.0f);
  EXPECT_EQ(top[1].to_vector<int64_t>(), (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(testing::mentions(error_of([&] { topk(23, x, 2); }), "bfloat16"));
}

TEST(TopK, TiesGoToTheLowerIndex) {
  const Tensor x = floats({4}, {3, 1, 3, 2});
  std::vector<Tensor> big = topk(11, x, 2);
  expect_floats(big[0], {3, 3});
  EXPECT_EQ(big[1].to_vector<int64_t>(), (std::vector<int64_t>{0, 2}));
  std::vector<Tensor> small = topk(11, x, 2, 0, 0);
  expect_floats(small[0], {1, 2});
  EXPECT_EQ(small[1].to_vector<int64_t>(), (std::vector<int64_t>{1, 3}));
}

TEST(TopK, NaNIntegersAndOpsets) {
  const Tensor nan = floats({3}, {1, kNaN, 2});  // NaN ranks above every number
  std::vector<Tensor> top = topk(11, nan, 1);
  expect_floats(top[0], {kNaN});
  EXPECT_EQ(top[1].to_vector<int64_t>(), std::vector<int64_t>{1});
  std::vector<Tensor> low = topk(11, nan, 3, 0, 0);
  expect_floats(low[0], {1, 2, kNaN});
  EXPECT_EQ(low[1].to_vector<int64_t>(), (std::vector<int64_t>{0, 2, 1}));
  std::vector<Tensor> i64 = topk(11, ints({3}, {kMin64, 5, kMax64}), 2);
  EXPECT_EQ(i64[0].to_vector<int64_t>(), (std::vector<int64_t>{kMax64, 5}));
  EXPECT_EQ(i64[1].to_vector<int64_t>(), (std::vector<int64_t>{2, 1}));
  // Opset 10, axis 0 of [[1, 5, 3], [6, 2, 4]]: the larger of each column.
  std::vector<Tensor> cols = topk(10, floats({2, 3}, {1, 5, 3, 6, 2, 4}), 1, 0);
  EXPECT_EQ(cols[0].shape(), (Shape{1, 3}));
  expect_floats(cols[0], {6, 5, 4});
  EXPECT_EQ(cols[1].to_vector<int64_t>(), (std::vector<int64_t>{1, 0, 1}));
  // Opset 1 takes k as an attribute; the default axis is the last.
  OpTester old("TopK", 1);
  old.input("x", floats({2, 3}, {1, 5, 3, 6, 2, 4})).attr("k", int64_t{1}).output("v").output("i");
  std::vector<Tensor> rows = old.run();
  expect_floats(rows[0], {5, 6});
  EXPECT_EQ(rows[1].to_vector<int64_t>(), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(topk(11, nan, 0)[0].shape(), (Shape{0}));
}

TEST(TopK, KOutOfRange) {
  const Tensor x = floats({4}, {3, 1, 3, 2});
  EXPECT_TRUE(has(error_of([&] { topk(11, x, 5); }), "out of range [0, 4]"));
  EXPECT_TRUE(has(error_of([&] { topk(11, x, -1); }), "out of range"));
  // A constant k is checked at load time against a known dim.
  OpTester t("TopK", 11);
  t.input("x", x).constant("k", ints({1}, {9})).output("v").output("i");
  EXPECT_TRUE(has(error_of([&] { t.session(); }), "k = 9"));
  // Integer inputs arrive in opset 11.
  const std::string e = error_of([] { topk(10, ints({2}, {1, 2}), 1); });
  EXPECT_TRUE(has(e, "no kernel for TopK")) << e;
  EXPECT_TRUE(has(e, "opset 10, input dtypes int64")) << e;
}

}  // namespace
}  // namespace onyx
