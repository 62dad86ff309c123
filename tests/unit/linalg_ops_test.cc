// One-node tests of the linalg operators (Einsum, Det) for cases the ONNX backend data
// misses. Expected values are worked out by hand in the comments.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "onyx/onyx.h"
#include "onyx/shape_inference.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::floats;
using testing::mentions;

using testing::OpTester;

Tensor einsum(const std::string& equation, const std::vector<Tensor>& inputs) {
  OpTester t("Einsum", 12);
  for (size_t i = 0; i < inputs.size(); ++i) t.input("x" + std::to_string(i), inputs[i]);
  t.attr("equation", equation).output("y");
  return t.run()[0];
}

TEST(Einsum, MalformedEquations) {
  Tensor m = floats({2, 2}, {1, 2, 3, 4});
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"ij,jk", "2 input terms but the node has 1"},
      {"ij->ii", "appears more than once"},
      {"ij->k", "does not appear in any input"},
      {"i.j", "part of '...'"},
      {"...i...", "more than one '...'"},
      {"ij->i->j", "'->'"},
      {"i-j", "'->'"},
      {"i$", "unexpected character '$'"},
      {"ij->i,j", "cannot contain ','"},
      {"ijk", "rank 2 but its term has 3 labels"},
      {"i", "rank 2 but its term has 1 labels"},
      {"...ijk", "rank 2 but its term has 3 labels and '...'"},
  };
  for (const auto& c : cases)  // not a structured binding: clang 14 cannot capture one
    EXPECT_TRUE(mentions(error_of([&] { einsum(c.first, {m}); }), c.second)) << c.first;
  // Sizes of one label must agree: i is 2 in one input and 3 in the other.
  EXPECT_TRUE(mentions(error_of([&] {
                         einsum("i,i", {floats({2}, {1, 2}), floats({3}, {1, 2, 3})});
                       }),
                       "label 'i' has size 2"));
  EXPECT_TRUE(mentions(error_of([] {
                         einsum("ii", {floats({2, 3}, {1, 2, 3, 4, 5, 6})});
                       }),
                       "repeats in input 0"));
}

TEST(Einsum, ImplicitOutputTraceAndOuterProduct) {
  Tensor a = floats({2, 2}, {1, 2, 3, 4});
  // "ba" implicitly outputs "ab": the transpose {1, 3, 2, 4}.
  EXPECT_EQ(einsum("ba", {a}).to_vector<float>(), (std::vector<float>{1, 3, 2, 4}));
  // "ij,jk" implicitly outputs "ik": [[1,2],[3,4]]^2 = [[7,10],[15,22]].
  EXPECT_EQ(einsum("ij,jk", {a, a}).to_vector<float>(), (std::vector<float>{7, 10, 15, 22}));
  // Trace: 1 + 4; a scalar output.
  Tensor trace = einsum("ii", {a});
  EXPECT_EQ(trace.shape(), Shape{});
  EXPECT_EQ(trace.to_vector<float>(), std::vector<float>{5});
  // Outer product [2] x [3]; "i,j" keeps both labels.
  Tensor outer = einsum("i,j", {floats({2}, {1, 2}), floats({3}, {1, 10, 100})});
  EXPECT_EQ(outer.shape(), (Shape{2, 3}));
  EXPECT_EQ(outer.to_vector<float>(), (std::vector<float>{1, 10, 100, 2, 20, 200}));
  // Uppercase letters sort before lowercase ones: "bA" outputs "Ab".
  EXPECT_EQ(einsum("bA", {a}).to_vector<float>(), (std::vector<float>{1, 3, 2, 4}));
}

TEST(Einsum, EllipsisBroadcastAndIntegers) {
  // "...i,...i->..." with [2,3] and [3]: row dot products {1+2+3, 4+5+6} against ones.
  Tensor y = einsum("...i,...i->...", {floats({2, 3}, {1, 2, 3, 4, 5, 6}), floats({3}, {1, 1, 1})});
  EXPECT_EQ(y.shape(), Shape{2});
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{6, 15}));
  // A broadcast dim of 1: [1,2] and [3,2] over "...i" give [3] rows.
  Tensor b = einsum("...i,...i->...", {floats({1, 2}, {1, 2}), floats({3, 2}, {1, 1, 2, 2, 3, 3})});
  EXPECT_EQ(b.to_vector<float>(), (std::vector<float>{3, 6, 9}));
  // int32 with wrap-around: 65536 * 65536 = 2^32 wraps to 0 in 32 bits, plus 1 * 1.
  OpTester t("Einsum", 12);
  t.input("a", Tensor::from_vector<int32_t>({2}, {65536, 1}))
      .input("b", Tensor::from_vector<int32_t>({2}, {65536, 1}))
      .attr("equation", "i,i->")
      .output("y");
  EXPECT_EQ(t.run()[0].to_vector<int32_t>(), std::vector<int32_t>{1});
  // An empty summed label gives zeros.
  EXPECT_EQ(einsum("ij->i", {floats({2, 0}, {})}).to_vector<float>(), (std::vector<float>{0, 0}));
}

TEST(Einsum, IndexSpaceLimit) {
  // "i,j->" sums an outer product: 70000 * 70000 = 4.9e9 points, past the 2^32 limit, refused
  // before any work.
  Tensor v(DType::Float, {70000});
  EXPECT_TRUE(mentions(error_of([&] { einsum("i,j->", {v, v}); }), "more points than the limit"));
}

// The inferred type of the output when the inputs are declared with `types` instead.
std::string inferred_output(const OpTester& t, const std::vector<TypeInfo>& types) {
  Model m = t.model();
  for (size_t i = 0; i < types.size(); ++i) m.graph.value(m.graph.inputs[i]).type = types[i];
  m.graph.value(m.graph.outputs[0]).type = TypeInfo{};
  const Registry& r = builtin_registry();
  InferenceResult res = infer_shapes(m.graph, [&r](const Node& n) { return r.shape_rule(n); });
  return res.types[m.graph.outputs[0]].to_string();
}

TEST(Einsum, ShapeRuleOverSymbols) {
  OpTester t("Einsum", 12);
  t.input("a", floats({1, 2, 3}, {1, 2, 3, 4, 5, 6}))
      .input("b", floats({1, 3, 1}, {1, 2, 3}))
      .attr("equation", "bij,bjk->bik")
      .output("y");
  // [N, 2, 3] x [N, 3, K] -> [N, 2, K].
  TypeInfo a = TypeInfo::tensor(DType::Float,
                                std::vector<Dim>{Dim::symbol("N"), Dim::known(2), Dim::known(3)});
  TypeInfo b = TypeInfo::tensor(
      DType::Float, std::vector<Dim>{Dim::symbol("N"), Dim::known(3), Dim::symbol("K")});
  EXPECT_EQ(inferred_output(t, {a, b}), "float[N, 2, K]");
  // A broadcast 1 gives way to the other operand's size: [1, 2, 3] with [4, 3, 5].
  TypeInfo c =
      TypeInfo::tensor(DType::Float, std::vector<Dim>{Dim::known(4), Dim::known(3), Dim::known(5)});
  EXPECT_EQ(inferred_output(t, {TypeInfo::tensor_of(DType::Float, {1, 2, 3}), c}),
            "float[4, 2, 5]");
}

Tensor det(const Tensor& x) {
  OpTester t("Det", 11);
  t.input("x", x).output("y");
  return t.run()[0];
}

TEST(Det, SingularAndPivoting) {
  // [[1,2],[2,4]]: the rows are proportional, so 0.
  EXPECT_EQ(det(floats({2, 2}, {1, 2, 2, 4})).to_vector<float>(), std::vector<float>{0});
  // An all-zero first column is singular without any elimination.
  EXPECT_EQ(det(floats({2, 2}, {0, 1, 0, 1})).to_vector<float>(), std::vector<float>{0});
  // Batch of [[0,1],[1,0]] (one swap: -1) and the 3x3 [[2,-1,0],[-1,2,-1],[0,-1,2]]:
  // 2 * (4 - 1) - (-1) * (-2 - 0) = 6 - 2 = 4. Embedded in a [2, 3, 3] batch.
  Tensor batch = floats({2, 3, 3}, {0, 1, 0, 1, 0, 0, 0, 0, 1, 2, -1, 0, -1, 2, -1, 0, -1, 2});
  std::vector<float> d = det(batch).to_vector<float>();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_FLOAT_EQ(d[0], -1);
  EXPECT_FLOAT_EQ(d[1], 4);
}

TEST(Det, DtypesNanEmptyAndErrors) {
  Tensor h = Tensor::from_vector<float16_t>(
      {2, 2}, {float16_t(3.0f), float16_t(1.0f), float16_t(2.0f), float16_t(1.0f)});
  EXPECT_EQ(static_cast<float>(det(h).data<float16_t>()[0]), 1.0f);  // 3 - 2
  EXPECT_EQ(det(Tensor::from_vector<double>({1, 1}, {-2.5})).to_vector<double>(),
            std::vector<double>{-2.5});
  // A NaN off the pivot path still makes the determinant NaN.
  EXPECT_TRUE(std::isnan(det(floats({2, 2}, {0, 1, NAN, 1})).to_vector<float>()[0]));
  EXPECT_EQ(det(floats({0, 2, 2}, {})).shape(), Shape{0});
  EXPECT_TRUE(mentions(error_of([] { det(floats({2, 3}, {1, 2, 3, 4, 5, 6})); }), "square"));
  EXPECT_TRUE(mentions(error_of([] { det(floats({2}, {1, 2})); }), "rank 2"));
}

}  // namespace
}  // namespace onyx
