// One-node tests of the data-movement operators (Size, Split, Slice, GatherElements,
// GatherND, Scatter, ScatterElements, ScatterND, Expand, Tile, Pad, DepthToSpace,
// SpaceToDepth) for cases the ONNX backend data misses: opsets it does not cover, negative
// steps and clamping, reductions over repeated indices, index errors, empty and rank-0
// tensors. Expected values are worked out by hand in the comments.
#include <gtest/gtest.h>

#include <climits>
#include <functional>

#include "onyx/onyx.h"
#include "onyx/registry.h"
#include "onyx/shape_inference.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::floats;
using testing::ints;
using testing::mentions;

using testing::OpTester;

Tensor ints1(std::vector<int64_t> values) {
  return ints({static_cast<int64_t>(values.size())}, values);
}
Tensor iota(Shape shape) {
  Tensor t(DType::Float, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = static_cast<float>(i);
  return t;
}

// The inferred type of output 0 when input 0 is declared with `dims` instead.
std::string inferred_output(const OpTester& t, std::vector<Dim> dims) {
  Model m = t.model();
  m.graph.value(m.graph.inputs[0]).type = TypeInfo::tensor(DType::Float, dims);
  m.graph.value(m.graph.outputs[0]).type = TypeInfo{};
  const Registry& r = builtin_registry();
  InferenceResult res = infer_shapes(m.graph, [&r](const Node& n) { return r.shape_rule(n); });
  return res.types[m.graph.outputs[0]].to_string();
}

// ---- Slice ----

Tensor slice(const Tensor& x, std::vector<int64_t> starts, std::vector<int64_t> ends,
             std::vector<int64_t> axes, std::vector<int64_t> steps, int64_t opset = 13) {
  OpTester t("Slice", opset);
  t.input("x", x).constant("starts", ints1(starts)).constant("ends", ints1(ends));
  t.constant("axes", ints1(axes)).constant("steps", ints1(steps)).output("y");
  return t.run()[0];
}

TEST(Slice, NegativeStepsClamp) {
  // n = 10, step -3: start 20 clamps to 9, end -100 + 10 = -90 clamps to -1: 9, 6, 3, 0.
  EXPECT_EQ(slice(iota({10}), {20}, {-100}, {0}, {-3}).to_vector<float>(),
            (std::vector<float>{9, 6, 3, 0}));
  // The recommended INT64_MIN end walks the whole axis backwards.
  EXPECT_EQ(slice(iota({4}), {-1}, {INT64_MIN}, {0}, {-1}).to_vector<float>(),
            (std::vector<float>{3, 2, 1, 0}));
  // A step of INT64_MIN takes just the start element (no overflow computing |step|).
  EXPECT_EQ(slice(iota({4}), {-1}, {INT64_MIN}, {0}, {INT64_MIN}).to_vector<float>(),
            (std::vector<float>{3}));
  // [[0 1 2 3] [4 5 6 7]]: axis 1 from -1+4=3 to -5+4=-1 by -2 takes columns 3, 1; axis 0
  // from 5 (clamped to 1) to -3+2=-1 by -1 takes rows 1, 0.
  Tensor y = slice(iota({2, 4}), {-1, 5}, {-5, -3}, {1, 0}, {-2, -1});
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{7, 5, 3, 1}));
  // Forward past the end, and a start beyond the end: empty.
  EXPECT_EQ(slice(iota({5}), {3}, {INT64_MAX}, {0}, {1}).to_vector<float>(),
            (std::vector<float>{3, 4}));
  EXPECT_EQ(slice(iota({5}), {7}, {9}, {0}, {1}).shape(), Shape{0});
}

TEST(Slice, ErrorsEmptyAndOpset1) {
  EXPECT_TRUE(mentions(error_of([] { slice(iota({4}), {0}, {4}, {0}, {0}); }), "cannot be 0"));
  EXPECT_TRUE(mentions(error_of([] {
                         slice(iota({2, 2}), {0, 0}, {1, 1}, {1, -1}, {1, 1});
                       }),
                       "listed twice"));
  // Negative axes need opset 11.
  EXPECT_TRUE(
      mentions(error_of([] { slice(iota({4}), {0}, {2}, {-1}, {1}, 10); }), "out of range"));
  EXPECT_EQ(slice(floats({0, 3}, {}), {0}, {2}, {1}, {1}).shape(), (Shape{0, 2}));
  OpTester t("Slice", 1);
  t.input("x", iota({5})).attr("starts", std::vector<int64_t>{1});
  t.attr("ends", std::vector<int64_t>{1000}).output("y");
  EXPECT_EQ(t.run()[0].to_vector<float>(), (std::vector<float>{1, 2, 3, 4}));
}

// ---- Split ----

std::vector<Tensor> split18(const Tensor& x, int64_t num_outputs, int outputs) {
  OpTester t("Split", 18);
  t.input("x", x).attr("num_outputs", num_outputs);
  const char* names[] = {"y0", "y1", "y2", "y3"};
  for (int i = 0; i < outputs; ++i) t.output(names[i]);
  return t.run();
}

TEST(Split, NumOutputsOpset18) {
  // ceil(5 / 3) = 2: pieces of 2, 2 and the rest, 1.
  std::vector<Tensor> y = split18(iota({5}), 3, 3);
  EXPECT_EQ(y[0].to_vector<float>(), (std::vector<float>{0, 1}));
  EXPECT_EQ(y[1].to_vector<float>(), (std::vector<float>{2, 3}));
  EXPECT_EQ(y[2].to_vector<float>(), (std::vector<float>{4}));
  // ceil(4 / 3) = 2 leaves nothing for the last piece.
  EXPECT_EQ(split18(iota({4}), 3, 3)[2].shape(), Shape{0});
  // ceil(5 / 4) = 2 cannot make 4 pieces: 2 + 2 + 2 > 5.
  EXPECT_TRUE(mentions(error_of([] { split18(iota({5}), 4, 4); }), "cannot cut"));
  EXPECT_TRUE(mentions(error_of([] { split18(iota({4}), 3, 2); }), "num_outputs"));
  OpTester none("Split", 18);  // opset 18 needs split or num_outputs
  none.input("x", iota({4})).output("a").output("b");
  EXPECT_TRUE(mentions(error_of([&] { none.run(); }), "required"));
}

TEST(Split, AttributeAndInputForms) {
  OpTester t("Split", 2);  // split attribute, zero-length piece allowed
  t.input("x", iota({2, 3})).attr("axis", int64_t{1}).attr("split", std::vector<int64_t>{0, 3});
  t.output("a").output("b");
  std::vector<Tensor> y = t.run();
  EXPECT_EQ(y[0].shape(), (Shape{2, 0}));
  EXPECT_EQ(y[1].to_vector<float>(), (std::vector<float>{0, 1, 2, 3, 4, 5}));
  OpTester bad("Split", 13);  // lengths that do not add up to the axis
  bad.input("x", iota({4})).constant("split", ints1({1, 2})).output("a").output("b");
  EXPECT_TRUE(mentions(error_of([&] { bad.run(); }), "add up"));
  OpTester uneven("Split", 13);  // default: equal pieces only
  uneven.input("x", iota({5})).output("a").output("b");
  EXPECT_TRUE(mentions(error_of([&] { uneven.run(); }), "equal pieces"));
}

// ---- GatherElements and GatherND ----

TEST(GatherElements, NegativeAndOutOfRange) {
  // data [[1 2] [3 4]], axis 1: index -1 is column 1.
  Tensor data = floats({2, 2}, {1, 2, 3, 4});
  OpTester t("GatherElements", 13);
  t.input("data", data).input("indices", ints({2, 2}, {-1, 0, 1, -2})).attr("axis", int64_t{1});
  t.output("y");
  EXPECT_EQ(t.run()[0].to_vector<float>(), (std::vector<float>{2, 1, 4, 3}));
  OpTester bad("GatherElements", 13);
  bad.input("data", data).input("indices", ints({1, 2}, {0, 2})).attr("axis", int64_t{1});
  bad.output("y");
  EXPECT_TRUE(mentions(error_of([&] { bad.run(); }), "index 2 is out of range [-2, 2)"));
}

TEST(GatherND, BatchDimsAndOutOfRange) {
  // data [2, 2, 2] = 0..7, batch_dims 1, indices [[1], [-2]]: batch 0 row 1 = [2 3],
  // batch 1 row 0 = [4 5].
  OpTester t("GatherND", 13);
  t.input("data", iota({2, 2, 2})).input("indices", ints({2, 1}, {1, -2}));
  t.attr("batch_dims", int64_t{1}).output("y");
  Tensor y = t.run()[0];
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{2, 3, 4, 5}));
  OpTester bad("GatherND", 13);
  bad.input("data", iota({2, 2})).input("indices", ints({1, 2}, {0, 2})).output("y");
  EXPECT_TRUE(mentions(error_of([&] { bad.run(); }), "out of range"));
  OpTester wide("GatherND", 13);  // tuples longer than the rank
  wide.input("data", iota({2})).input("indices", ints({1, 2}, {0, 0})).output("y");
  EXPECT_TRUE(mentions(error_of([&] { wide.run(); }), "length 2"));
}

// ---- ScatterND, ScatterElements, Scatter ----

Tensor scatter_nd(const std::string& reduction, int64_t opset) {
  // data [1 2 3 4]; tuples [1], [1], [3] with updates 10, 20, 30.
  OpTester t("ScatterND", opset);
  t.input("data", floats({4}, {1, 2, 3, 4})).input("indices", ints({3, 1}, {1, 1, 3}));
  t.input("updates", floats({3}, {10, 20, 30}));
  if (!reduction.empty()) t.attr("reduction", reduction);
  t.output("y");
  return t.run()[0];
}

TEST(ScatterND, DuplicateIndicesWithReduction) {
  using V = std::vector<float>;
  EXPECT_EQ(scatter_nd("add", 16).to_vector<float>(), (V{1, 32, 3, 34}));    // 2+10+20, 4+30
  EXPECT_EQ(scatter_nd("mul", 16).to_vector<float>(), (V{1, 400, 3, 120}));  // 2*10*20, 4*30
  EXPECT_EQ(scatter_nd("max", 18).to_vector<float>(), (V{1, 20, 3, 30}));
  EXPECT_EQ(scatter_nd("min", 18).to_vector<float>(), (V{1, 2, 3, 4}));
  EXPECT_EQ(scatter_nd("", 13).to_vector<float>(), (V{1, 20, 3, 30}));  // the last update wins
  EXPECT_TRUE(mentions(error_of([] { scatter_nd("max", 16); }), "unsupported reduction 'max'"));
}

TEST(ScatterND, IntegerAddWrapsAndErrors) {
  // int32: 2147483647 + 1 wraps to -2147483648, as numpy's int32 does.
  OpTester t("ScatterND", 16);
  t.input("data", Tensor::from_vector<int32_t>({2}, {INT32_MAX, 5}));
  t.input("indices", ints({1, 1}, {0})).input("updates", Tensor::from_vector<int32_t>({1}, {1}));
  t.attr("reduction", "add").output("y");
  EXPECT_EQ(t.run()[0].to_vector<int32_t>(), (std::vector<int32_t>{INT32_MIN, 5}));
  OpTester bad("ScatterND", 13);
  bad.input("data", iota({3})).input("indices", ints({1, 1}, {-4})).input("updates", iota({1}));
  bad.output("y");
  EXPECT_TRUE(mentions(error_of([&] { bad.run(); }), "index -4 is out of range [-3, 3)"));
  OpTester str("ScatterND", 16);  // strings cannot be added
  str.input("data", Tensor::from_vector<std::string>({1}, {"a"}));
  str.input("indices", ints({1, 1}, {0}));
  str.input("updates", Tensor::from_vector<std::string>({1}, {"b"})).attr("reduction", "add");
  str.output("y");
  EXPECT_TRUE(mentions(error_of([&] { str.run(); }), "got string"));
}

TEST(ScatterElements, DuplicatesAddAndOldScatter) {
  // zeros [3], indices [0 0 2], updates [1 2 3], add: [1+2, 0, 3].
  OpTester t("ScatterElements", 16);
  t.input("data", floats({3}, {0, 0, 0})).input("indices", ints({3}, {0, 0, 2}));
  t.input("updates", floats({3}, {1, 2, 3})).attr("reduction", "add").output("y");
  EXPECT_EQ(t.run()[0].to_vector<float>(), (std::vector<float>{3, 0, 3}));
  // Scatter-9 knows no negative indices; Scatter-11 reads -1 as the last element.
  for (int64_t opset : {9, 11}) {
    OpTester s("Scatter", opset);
    s.input("data", floats({3}, {0, 0, 0})).input("indices", ints({1}, {-1}));
    s.input("updates", floats({1}, {7})).output("y");
    if (opset == 9) {
      EXPECT_TRUE(mentions(error_of([&] { s.run(); }), "opset 11"));
    } else {
      EXPECT_EQ(s.run()[0].to_vector<float>(), (std::vector<float>{0, 0, 7}));
    }
  }
  OpTester bad("ScatterElements", 13);
  bad.input("data", iota({2, 2})).input("indices", ints({1, 2}, {0, 5}));
  bad.input("updates", floats({1, 2}, {1, 1})).attr("axis", int64_t{-1}).output("y");
  EXPECT_TRUE(mentions(error_of([&] { bad.run(); }), "index 5 is out of range"));
}

// ---- Pad ----

Tensor pad(int64_t opset, const Tensor& x, std::vector<int64_t> pads, const std::string& mode,
           const Tensor* value = nullptr, const Tensor* axes = nullptr) {
  OpTester t("Pad", opset);
  t.input("x", x).constant("pads", ints1(pads));
  if (value) {
    t.constant("value", *value);
  } else if (axes) {
    t.omitted();
  }
  if (axes) t.constant("axes", *axes);
  t.attr("mode", mode).output("y");
  return t.run()[0];
}

TEST(Pad, AxesInputOpset18) {
  // [[1 2] [3 4]], axis 1 padded 1 before and 2 after with 9.
  Tensor x = floats({2, 2}, {1, 2, 3, 4});
  Tensor nine = Tensor::scalar(9.0f), axis1 = ints1({1}), last_but_one = ints1({-2});
  Tensor y = pad(18, x, {1, 2}, "constant", &nine, &axis1);
  EXPECT_EQ(y.shape(), (Shape{2, 5}));
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{9, 1, 2, 9, 9, 9, 3, 4, 9, 9}));
  // Axis -2 (rows), one row of the default 0 after.
  EXPECT_EQ(pad(18, x, {0, 1}, "constant", nullptr, &last_but_one).to_vector<float>(),
            (std::vector<float>{1, 2, 3, 4, 0, 0}));
  // Two pads per listed axis.
  EXPECT_TRUE(mentions(error_of([&] {
                         pad(18, x, {1, 2, 3, 4}, "constant", nullptr, &axis1);
                       }),
                       "pads has 4 values"));
}

TEST(Pad, ModesAndNegativePads) {
  // wrap (opset 19): [1 2 3] padded 2 before and 4 after repeats the row: 2 3 | 1 2 3 | 1 2 3 1.
  EXPECT_EQ(pad(19, floats({3}, {1, 2, 3}), {2, 4}, "wrap").to_vector<float>(),
            (std::vector<float>{2, 3, 1, 2, 3, 1, 2, 3, 1}));
  EXPECT_TRUE(mentions(error_of([] {
                         pad(18, floats({3}, {1, 2, 3}), {1, 1}, "wrap");
                       }),
                       "opset 19"));
  // reflect 3 before [1 2 3] reflects twice, as numpy.pad does: 2 3 2 | 1 2 3.
  EXPECT_EQ(pad(13, floats({3}, {1, 2, 3}), {3, 0}, "reflect").to_vector<float>(),
            (std::vector<float>{2, 3, 2, 1, 2, 3}));
  // -1 crops the 1 first, then edge pads the end from the cropped [2 3 4].
  EXPECT_EQ(pad(13, floats({4}, {1, 2, 3, 4}), {-1, 2}, "edge").to_vector<float>(),
            (std::vector<float>{2, 3, 4, 4, 4}));
  EXPECT_TRUE(mentions(error_of([] {
                         pad(13, floats({2}, {1, 2}), {-2, -1}, "constant");
                       }),
                       "crop more"));
  // An empty axis pads only with a constant.
  EXPECT_EQ(pad(13, floats({0}, {}), {1, 1}, "constant").to_vector<float>(),
            (std::vector<float>{0, 0}));
  EXPECT_TRUE(mentions(error_of([] {
                         pad(13, floats({0}, {}), {1, 0}, "edge");
                       }),
                       "only constant mode"));
  // Rank 0: no pads, the value itself.
  EXPECT_EQ(pad(13, Tensor::scalar(5.0f), {}, "reflect").to_vector<float>(),
            (std::vector<float>{5}));
  // Opset 2's attribute form, with its float `value`.
  OpTester t("Pad", 2);
  t.input("x", floats({1}, {1})).attr("pads", std::vector<int64_t>{1, 0});
  t.attr("value", 2.5f).output("y");
  EXPECT_EQ(t.run()[0].to_vector<float>(), (std::vector<float>{2.5f, 1}));
}

// ---- Expand, Tile, Size ----

TEST(Expand, ShorterShapeAndOnes) {
  OpTester t("Expand", 13);  // [3, 1] against [2, 1, 4] gives [2, 3, 4]
  t.input("x", floats({3, 1}, {1, 2, 3})).constant("shape", ints1({2, 1, 4})).output("y");
  Tensor y = t.run()[0];
  EXPECT_EQ(y.shape(), (Shape{2, 3, 4}));
  EXPECT_EQ(y.to_vector<float>()[4], 2.0f);  // [0, 1, 0]
  OpTester s("Expand", 8);                   // a shorter shape keeps the input's
  s.input("x", iota({2, 3})).constant("shape", ints1({1})).output("y");
  EXPECT_EQ(s.run()[0].shape(), (Shape{2, 3}));
  OpTester bad("Expand", 13);
  bad.input("x", iota({3})).constant("shape", ints1({2})).output("y");
  EXPECT_TRUE(mentions(error_of([&] { bad.run(); }), "cannot be broadcast"));
}

TEST(Tile, ZeroRepeatsAndOpset1) {
  OpTester t("Tile", 13);
  t.input("x", iota({2, 2})).constant("repeats", ints1({0, 3})).output("y");
  EXPECT_EQ(t.run()[0].shape(), (Shape{0, 6}));
  OpTester neg("Tile", 13);
  neg.input("x", iota({2})).constant("repeats", ints1({-1})).output("y");
  EXPECT_TRUE(mentions(error_of([&] { neg.run(); }), ">= 0"));
  // Tile-1: [[0 1] [2 3]] tiled 2 times along axis 1.
  OpTester old("Tile", 1);
  old.input("x", iota({2, 2})).constant("tiles", floats({}, {2})).constant("axis", floats({}, {1}));
  old.output("y");
  EXPECT_EQ(old.run()[0].to_vector<float>(), (std::vector<float>{0, 1, 0, 1, 2, 3, 2, 3}));
}

TEST(Size, RankZeroAndEmpty) {
  OpTester t("Size", 13);
  t.input("x", Tensor::scalar(1.0f)).output("n");
  EXPECT_EQ(t.run()[0].to_vector<int64_t>(), std::vector<int64_t>{1});
  OpTester e("Size", 1);
  e.input("x", floats({3, 0}, {})).output("n");
  Tensor n = e.run()[0];
  EXPECT_EQ(n.shape(), Shape{});
  EXPECT_EQ(n.to_vector<int64_t>(), std::vector<int64_t>{0});
}

// ---- shape rules over symbolic dims ----

TEST(MovementShapes, SymbolicDims) {
  const Dim n = Dim::symbol("N");
  // Slice [0:INT_MAX] keeps N; a slice of a known dim is computed; others become unknown.
  OpTester sl("Slice", 13);
  sl.input("x", iota({2, 6}))
      .constant("starts", ints1({0, 1}))
      .constant("ends", ints1({INT_MAX, -1}));
  sl.output("y");
  EXPECT_EQ(inferred_output(sl, {n, Dim::known(6)}), "float[N, 4]");
  OpTester pad("Pad", 13);  // only the padded dim changes
  pad.input("x", iota({2, 3})).constant("pads", ints1({0, 1, 0, 2})).output("y");
  EXPECT_EQ(inferred_output(pad, {n, Dim::known(3)}), "float[N, 6]");
  OpTester tile("Tile", 13);
  tile.input("x", iota({2, 3})).constant("repeats", ints1({1, 2})).output("y");
  EXPECT_EQ(inferred_output(tile, {n, Dim::known(3)}), "float[N, 6]");
  OpTester d2s("DepthToSpace", 13);
  d2s.input("x", iota({1, 8, 2, 2})).attr("blocksize", int64_t{2}).output("y");
  EXPECT_EQ(inferred_output(d2s, {n, Dim::known(8), Dim::known(2), Dim::symbol("W")}),
            "float[N, 2, 4, ?]");
  OpTester ex("Expand", 13);
  ex.input("x", iota({1, 3})).constant("shape", ints1({4, 1})).output("y");
  EXPECT_EQ(inferred_output(ex, {Dim::known(1), n}), "float[4, N]");
}

// ---- DepthToSpace and SpaceToDepth ----

TEST(DepthToSpace, ModesAndInverse) {
  // C = 8, b = 2, C' = 2. DCR: out[c][i][j] = in[(2i + j) * 2 + c]; CRD: in[4c + 2i + j].
  Tensor x = iota({1, 8, 1, 1});
  OpTester dcr("DepthToSpace", 13);
  dcr.input("x", x).attr("blocksize", int64_t{2}).output("y");
  Tensor y = dcr.run()[0];
  EXPECT_EQ(y.shape(), (Shape{1, 2, 2, 2}));
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{0, 2, 4, 6, 1, 3, 5, 7}));
  OpTester crd("DepthToSpace", 11);
  crd.input("x", x).attr("blocksize", int64_t{2}).attr("mode", "CRD").output("y");
  EXPECT_EQ(crd.run()[0].to_vector<float>(), (std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7}));
  OpTester back("SpaceToDepth", 13);  // SpaceToDepth undoes DCR
  back.input("y", y).attr("blocksize", int64_t{2}).output("x");
  EXPECT_EQ(back.run()[0].to_vector<float>(), x.to_vector<float>());
  OpTester bad("DepthToSpace", 13);
  bad.input("x", iota({1, 6, 1, 1})).attr("blocksize", int64_t{2}).output("y");
  EXPECT_TRUE(mentions(error_of([&] { bad.run(); }), "not divisible"));
}

}  // namespace
}  // namespace onyx
