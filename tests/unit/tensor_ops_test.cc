// One-node tests of the tensor operators (Reshape, Flatten, Squeeze, Unsqueeze,
// Transpose, Concat, Constant, Identity, Shape, Gather) for cases the ONNX backend data
// misses, plus the load-time folding of a Shape -> Gather -> Unsqueeze -> Concat chain.
// Expected values are worked out by hand in the comments.
#include <gtest/gtest.h>

#include <functional>

#include "graph_builders.h"
#include "onyx/onyx.h"
#include "onyx/shape_inference.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::floats;
using testing::ints;

using testing::OpTester;

Tensor iota(Shape shape) {
  Tensor t(DType::Float, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = static_cast<float>(i);
  return t;
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

TypeInfo symbolic(std::vector<Dim> dims) { return TypeInfo::tensor(DType::Float, dims); }

Tensor reshape(const Tensor& x, std::vector<int64_t> shape, int64_t allowzero) {
  OpTester t("Reshape", 14);
  t.input("x", x)
      .constant("shape", ints({static_cast<int64_t>(shape.size())}, shape))
      .attr("allowzero", allowzero)
      .output("y");
  return t.run()[0];
}

TEST(Reshape, AllowZero) {
  // allowzero=1 keeps a literal 0: [0, 3] -> [3, 0]; allowzero=0 copies the input's dim.
  EXPECT_EQ(reshape(floats({0, 3}, {}), {3, 0}, 1).shape(), (Shape{3, 0}));
  EXPECT_EQ(reshape(iota({2, 3}), {0, -1}, 0).shape(), (Shape{2, 3}));
  EXPECT_NE(error_of([] {
              reshape(iota({2, 3}), {3, 0}, 1);
            }).find("cannot reshape"),
            std::string::npos);
  // 0 and -1 together are ambiguous with allowzero=1.
  EXPECT_NE(error_of([] {
              reshape(floats({0, 3}, {}), {0, -1}, 1);
            }).find("both 0 and -1"),
            std::string::npos);
}

TEST(Reshape, RankZeroAndBadTargets) {
  EXPECT_EQ(reshape(Tensor::scalar(5.0f), {1, 1}, 0).shape(), (Shape{1, 1}));
  Tensor s = reshape(floats({1}, {5}), {}, 0);
  EXPECT_EQ(s.shape(), Shape{});
  EXPECT_EQ(s.to_vector<float>(), std::vector<float>{5});
  // An empty input cannot infer -1 from the other dims (0 * ? = 0 for any ?).
  EXPECT_NE(error_of([] {
              reshape(floats({0, 3}, {}), {0, -1}, 0);
            }).find("-1"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              reshape(iota({2, 3}), {-1, -1}, 0);
            }).find("more than one -1"),
            std::string::npos);
}

TEST(Reshape, ShapeRuleInfersMinusOneOverSymbols) {
  OpTester t("Reshape", 13);
  t.input("x", iota({2, 3, 4})).constant("shape", ints({2}, {0, -1})).output("y");
  // [N, 3, 4] -> [0, -1]: N is copied, so -1 = 3 * 4.
  EXPECT_EQ(inferred_output(t, symbolic({Dim::symbol("N"), Dim::known(3), Dim::known(4)})),
            "float[N, 12]");
  // [3, N] -> [0, -1]: N is not copied, the -1 is unknown.
  EXPECT_EQ(inferred_output(t, symbolic({Dim::known(3), Dim::symbol("N")})), "float[3, ?]");
}

TEST(Flatten, EdgeAxes) {
  OpTester t("Flatten", 13);
  t.input("x", floats({2, 0, 3}, {})).attr("axis", int64_t{2}).output("y");
  EXPECT_EQ(t.run()[0].shape(), (Shape{0, 3}));
  OpTester s("Flatten", 13);
  s.input("x", Tensor::scalar(7.0f)).attr("axis", int64_t{0}).output("y");
  EXPECT_EQ(s.run()[0].shape(), (Shape{1, 1}));
  // Negative axes arrive with opset 11.
  OpTester old("Flatten", 9);
  old.input("x", iota({2, 3})).attr("axis", int64_t{-1}).output("y");
  EXPECT_NE(error_of([&] { old.run(); }).find("out of range"), std::string::npos);
  OpTester sym("Flatten", 13);
  sym.input("x", iota({1, 2, 3})).output("y");
  EXPECT_EQ(inferred_output(sym, symbolic({Dim::symbol("N"), Dim::known(2), Dim::known(3)})),
            "float[N, 6]");
}

TEST(Squeeze, AxesMustBeOne) {
  OpTester t("Squeeze", 13);
  t.input("x", iota({1, 2})).constant("axes", ints({1}, {1})).output("y");
  EXPECT_NE(error_of([&] { t.run(); }).find("not 1"), std::string::npos);
  OpTester all("Squeeze", 13);  // no axes: every size-1 dim goes, a [1,1] becomes a scalar
  all.input("x", floats({1, 1}, {4})).output("y");
  EXPECT_EQ(all.run()[0].shape(), Shape{});
  OpTester sym("Squeeze", 11);  // a named axis over a symbol is taken as 1
  sym.input("x", iota({1, 3})).attr("axes", std::vector<int64_t>{-2}).output("y");
  EXPECT_EQ(inferred_output(sym, symbolic({Dim::symbol("B"), Dim::known(3)})), "float[3]");
}

TEST(Unsqueeze, ScalarAndDuplicates) {
  OpTester t("Unsqueeze", 13);
  t.input("x", Tensor::scalar(2.0f)).constant("axes", ints({2}, {0, -1})).output("y");
  EXPECT_EQ(t.run()[0].shape(), (Shape{1, 1}));
  OpTester dup("Unsqueeze", 11);
  dup.input("x", iota({2})).attr("axes", std::vector<int64_t>{0, -3}).output("y");
  EXPECT_NE(error_of([&] { dup.run(); }).find("twice"), std::string::npos);
}

TEST(Transpose, EmptyScalarAndStrings) {
  OpTester t("Transpose", 13);
  t.input("x", floats({0, 3}, {})).output("y");
  EXPECT_EQ(t.run()[0].shape(), (Shape{3, 0}));
  OpTester s("Transpose", 13);
  s.input("x", Tensor::scalar(3.0f)).output("y");
  EXPECT_EQ(s.run()[0].to_vector<float>(), std::vector<float>{3});
  // Strings [2,3] with perm [1,0]: row-major a b c / d e f -> a d / b e / c f.
  OpTester str("Transpose", 13);
  str.input("x", Tensor::from_vector<std::string>({2, 3}, {"a", "b", "c", "d", "e", "f"}))
      .attr("perm", std::vector<int64_t>{1, 0})
      .output("y");
  Tensor y = str.run()[0];
  EXPECT_EQ(y.shape(), (Shape{3, 2}));
  EXPECT_EQ(y.to_vector<std::string>(), (std::vector<std::string>{"a", "d", "b", "e", "c", "f"}));
  OpTester bad("Transpose", 13);
  bad.input("x", iota({2, 2})).attr("perm", std::vector<int64_t>{0, 0}).output("y");
  EXPECT_NE(error_of([&] { bad.run(); }).find("not a permutation"), std::string::npos);
}

TEST(Transpose, ThreeDims) {
  // x[i][j][k] = 6i + 3j + k over [2,2,3], perm [2,0,1]: y[k][i][j] = x[i][j][k].
  OpTester t("Transpose", 13);
  t.input("x", iota({2, 2, 3})).attr("perm", std::vector<int64_t>{2, 0, 1}).output("y");
  Tensor y = t.run()[0];
  EXPECT_EQ(y.shape(), (Shape{3, 2, 2}));
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11}));
}

TEST(Concat, EmptyInputAndOpset1DefaultAxis) {
  OpTester t("Concat", 13);
  t.input("a", floats({2, 0}, {})).input("b", iota({2, 2})).attr("axis", int64_t{-1}).output("y");
  EXPECT_EQ(t.run()[0].to_vector<float>(), (std::vector<float>{0, 1, 2, 3}));
  // Opset 1 defaults to axis 1: [1,1] {9} next to [1,2] {0, 1}.
  OpTester old("Concat", 1);
  old.input("a", floats({1, 1}, {9})).input("b", iota({1, 2})).output("y");
  EXPECT_EQ(old.run()[0].to_vector<float>(), (std::vector<float>{9, 0, 1}));
  OpTester bad("Concat", 13);
  bad.input("a", iota({2, 2})).input("b", iota({3, 2})).attr("axis", int64_t{1}).output("y");
  EXPECT_NE(error_of([&] { bad.run(); }).find("cannot concatenate"), std::string::npos);
}

TEST(Constant, ValueForms) {
  OpTester t("Constant", 13);
  t.attr("value_ints", std::vector<int64_t>{3, -1}).output("y");
  Tensor y = t.run()[0];
  EXPECT_EQ(y.dtype(), DType::Int64);
  EXPECT_EQ(y.to_vector<int64_t>(), (std::vector<int64_t>{3, -1}));
  OpTester f("Constant", 12);
  f.attr("value_float", 0.5f).output("y");
  Tensor z = f.run()[0];
  EXPECT_EQ(z.shape(), Shape{});
  EXPECT_EQ(z.to_vector<float>(), std::vector<float>{0.5f});
  OpTester two("Constant", 13);
  two.attr("value_int", int64_t{1}).attr("value_float", 1.0f).output("y");
  EXPECT_NE(error_of([&] { two.run(); }).find("both set"), std::string::npos);
}

TEST(Shape, SlicesAndScalars) {
  OpTester t("Shape", 15);
  t.input("x", iota({2, 3, 4})).attr("start", int64_t{-2}).attr("end", int64_t{1}).output("y");
  EXPECT_EQ(t.run()[0].shape(), (Shape{0}));  // start 1 > end 1: empty
  OpTester s("Shape", 13);
  s.input("x", Tensor::scalar(1.0f)).output("y");
  EXPECT_EQ(s.run()[0].shape(), (Shape{0}));
}

TEST(Gather, IndexOutOfRangeFails) {
  OpTester t("Gather", 13);
  t.input("data", iota({3, 2})).input("idx", ints({2}, {0, 3})).output("y");
  std::string err = error_of([&] { t.run(); });
  EXPECT_NE(err.find("index 3 is out of range [-3, 3)"), std::string::npos) << err;
  OpTester neg("Gather", 13);
  neg.input("data", iota({3})).input("idx", ints({1}, {-4})).output("y");
  EXPECT_NE(error_of([&] { neg.run(); }).find("out of range"), std::string::npos);
}

TEST(Gather, ScalarIndexEmptyIndicesStringsInt32) {
  // data [3,2] = 0..5, axis 1, scalar index -1: column 1 = {1, 3, 5}, rank drops to 1.
  OpTester t("Gather", 13);
  t.input("data", iota({3, 2})).input("idx", ints({}, {-1})).attr("axis", int64_t{1}).output("y");
  Tensor y = t.run()[0];
  EXPECT_EQ(y.shape(), (Shape{3}));
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{1, 3, 5}));
  OpTester e("Gather", 13);
  e.input("data", iota({3, 2})).input("idx", ints({0}, {})).output("y");
  EXPECT_EQ(e.run()[0].shape(), (Shape{0, 2}));
  OpTester s("Gather", 13);
  s.input("data", Tensor::from_vector<std::string>({3}, {"x", "y", "z"}))
      .input("idx", Tensor::from_vector<int32_t>({2}, {2, 0}))
      .output("y");
  EXPECT_EQ(s.run()[0].to_vector<std::string>(), (std::vector<std::string>{"z", "x"}));
}

TEST(ShapeChain, FoldsAtLoadTime) {
  // x [2,3,4] -> Shape -> Gather(0) -> Unsqueeze(0) -> Concat(with [-1]) -> Reshape(x):
  // the target [2, -1] is a constant at load time, so y is known to be float[2, 12].
  Graph g;
  test::add_input(g, "x", test::float_type({2, 3, 4}));
  g.initializers[g.intern("zero")] = Tensor::scalar(int64_t{0});
  g.initializers[g.intern("axes")] = ints({1}, {0});
  g.initializers[g.intern("rest")] = ints({1}, {-1});
  test::add_ir_node(g, "Shape", {"x"}, {"s"});
  test::add_ir_node(g, "Gather", {"s", "zero"}, {"n"});
  test::add_ir_node(g, "Unsqueeze", {"n", "axes"}, {"n1"});
  test::add_ir_node(g, "Concat", {"n1", "rest"}, {"target"}).attributes.push_back([] {
    Attribute a;
    a.name = "axis";
    a.type = AttrType::Int;
    return a;
  }());
  test::add_ir_node(g, "Reshape", {"x", "target"}, {"y"});
  int y = g.intern("y");
  g.outputs.push_back(y);
  for (Node& n : g.nodes) n.opset = 13;
  const Registry& r = builtin_registry();
  InferenceResult res = infer_shapes(g, [&r](const Node& n) { return r.shape_rule(n); });
  EXPECT_EQ(res.types[y].to_string(), "float[2, 12]");
  const Tensor& target = res.constants[g.find("target")];
  ASSERT_TRUE(target.defined());
  EXPECT_EQ(target.to_vector<int64_t>(), (std::vector<int64_t>{2, -1}));
}

}  // namespace
}  // namespace onyx
