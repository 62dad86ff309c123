// One-node tests of the generate operators (Range, ConstantOfShape, EyeLike, OneHot, Trilu)
// for cases the ONNX backend data misses. Expected values are worked out by hand in the
// comments.
#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <functional>

#include "onyx/onyx.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::floats;
using testing::ints;
using testing::mentions;

using testing::OpTester;

template <class T>
Tensor range(T start, T limit, T delta) {
  OpTester t("Range", 11);
  t.input("start", Tensor::scalar(start))
      .input("limit", Tensor::scalar(limit))
      .input("delta", Tensor::scalar(delta))
      .output("y");
  return t.run()[0];
}

TEST(Range, NegativeDeltaAndEmpty) {
  // 10, 8, 6 (4 is the exclusive limit): ceil((4 - 10) / -2) = 3 elements.
  EXPECT_EQ(range<int32_t>(10, 4, -2).to_vector<int32_t>(), (std::vector<int32_t>{10, 8, 6}));
  // Counting down from 1 never reaches 5: max(ceil(4 / -1), 0) = 0 elements.
  Tensor empty = range<int64_t>(1, 5, -1);
  EXPECT_EQ(empty.shape(), Shape{0});
  EXPECT_EQ(range<float>(3, 3, 1).shape(), Shape{0});
  // Floats: ceil((2 - 0.5) / 0.5) = 3 -> 0.5, 1, 1.5; int16: ceil(5 / 2) = 3 -> -2, 0, 2.
  EXPECT_EQ(range<float>(0.5f, 2.0f, 0.5f).to_vector<float>(), (std::vector<float>{0.5, 1, 1.5}));
  EXPECT_EQ(range<int16_t>(-2, 3, 2).to_vector<int16_t>(), (std::vector<int16_t>{-2, 0, 2}));
  EXPECT_EQ(range<double>(1, 0, -0.25).to_vector<double>(),
            (std::vector<double>{1, 0.75, 0.5, 0.25}));
}

TEST(Range, Int64ExtremesAndErrors) {
  // span = 2^64 - 1, step = 2^63 - 1: 2 steps leave 1, so ceil gives 3 elements:
  // MIN, MIN + MAX = -1, -1 + MAX = MAX - 1.
  EXPECT_EQ(range<int64_t>(INT64_MIN, INT64_MAX, INT64_MAX).to_vector<int64_t>(),
            (std::vector<int64_t>{INT64_MIN, -1, INT64_MAX - 1}));
  // 2^64 - 1 elements do not fit int64: refused before anything is allocated.
  EXPECT_TRUE(mentions(error_of([] { range<int64_t>(INT64_MIN, INT64_MAX, 1); }), "elements"));
  EXPECT_TRUE(mentions(error_of([] { range<float>(0, 1e30f, 1e-30f); }), "too large"));
  EXPECT_TRUE(mentions(error_of([] { range<int32_t>(0, 5, 0); }), "delta must not be zero"));
  OpTester mixed("Range", 11);
  mixed.input("start", Tensor::scalar<int32_t>(0))
      .input("limit", Tensor::scalar<int64_t>(5))
      .input("delta", Tensor::scalar<int32_t>(1))
      .output("y");
  EXPECT_TRUE(mentions(error_of([&] { mixed.run(); }), "share one dtype"));
}

TEST(Range, ConstantInputsFold) {
  // All inputs are initializers: the shape rule computes the value at load time.
  OpTester t("Range", 11);
  t.constant("start", Tensor::scalar<int64_t>(0))
      .constant("limit", Tensor::scalar<int64_t>(7))
      .constant("delta", Tensor::scalar<int64_t>(3))
      .output("y");
  EXPECT_EQ(t.run()[0].to_vector<int64_t>(), (std::vector<int64_t>{0, 3, 6}));
}

// Range at `opset` (27 by default) on T, computed in `stash` (a TensorProto type code;
// -1 leaves the attribute out).
template <class T>
Tensor range_at(float start, float limit, float delta, int64_t stash = -1, int64_t opset = 27) {
  OpTester t("Range", opset);
  t.input("start", Tensor::scalar(T(start)))
      .input("limit", Tensor::scalar(T(limit)))
      .input("delta", Tensor::scalar(T(delta)));
  if (stash >= 0) t.attr("stash_type", stash);
  t.output("y");
  return t.run()[0];
}

TEST(Range, HalfTypesFromOpset27) {
  // 0, 0.25, 0.5, 0.75: exact in both half types.
  const std::vector<float> quarters = {0, 0.25f, 0.5f, 0.75f};
  Tensor h = range_at<float16_t>(0, 1, 0.25f);
  ASSERT_EQ(h.dtype(), DType::Float16);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(static_cast<float>(h.data<float16_t>()[i]), quarters[i]);
  Tensor b = range_at<bfloat16_t>(0, 1, 0.25f);
  ASSERT_EQ(b.dtype(), DType::BFloat16);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(static_cast<float>(b.data<bfloat16_t>()[i]), quarters[i]);
  // Before opset 27 Range takes no half type.
  EXPECT_TRUE(mentions(error_of([] { range_at<float16_t>(0, 1, 0.25f, -1, 26); }), "float16"));
}

TEST(Range, StashTypeSetsThePrecisionOfTheCount) {
  // start 1, limit 2050, delta 1 in float16. In float (stash_type 1, the default) the span
  // is 2049: 2049 elements, the last 1 + 2048 = 2049, which float16 (spacing 2 above
  // 2048) rounds to the even 2048. In float16 itself the span 2049 rounds to 2048 first:
  // 2048 elements, the last 1 + 2047 = 2048.
  Tensor in_float = range_at<float16_t>(1, 2050, 1);
  ASSERT_EQ(in_float.shape(), Shape{2049});
  EXPECT_EQ(static_cast<float>(in_float.data<float16_t>()[2048]), 2048.0f);
  EXPECT_EQ(range_at<float16_t>(1, 2050, 1, 1).shape(), Shape{2049});
  Tensor in_half = range_at<float16_t>(1, 2050, 1, 10);
  ASSERT_EQ(in_half.shape(), Shape{2048});
  EXPECT_EQ(static_cast<float>(in_half.data<float16_t>()[2047]), 2048.0f);
  // Only float types' codes; no stash_type before opset 27.
  EXPECT_TRUE(mentions(error_of([] { range_at<float16_t>(0, 1, 0.25f, 6); }),
                       "stash_type must be a float type's code"));
  EXPECT_TRUE(mentions(error_of([] { range_at<float>(0, 1, 0.5f, 1, 26); }), "stash_type"));
  // stash_type has no effect on the other types: float keeps its double arithmetic.
  EXPECT_EQ(range_at<float>(0.5f, 2, 0.5f, 10).to_vector<float>(),
            (std::vector<float>{0.5, 1, 1.5}));
}

TEST(ConstantOfShape, ScalarDefaultAndBadValues) {
  // An empty shape gives a scalar; no `value` gives float 0.
  OpTester s("ConstantOfShape", 9);
  s.input("shape", ints({0}, {})).output("y");
  Tensor y = s.run()[0];
  EXPECT_EQ(y.dtype(), DType::Float);
  EXPECT_EQ(y.shape(), Shape{});
  EXPECT_EQ(y.to_vector<float>(), std::vector<float>{0});
  OpTester v("ConstantOfShape", 9);
  v.input("shape", ints({2}, {2, 0})).attr("value", ints({1}, {7})).output("y");
  EXPECT_EQ(v.run()[0].shape(), (Shape{2, 0}));
  OpTester b("ConstantOfShape", 9);
  b.input("shape", ints({1}, {2}))
      .attr("value", Tensor::from_vector<bool>({1}, {true}))
      .output("y");
  EXPECT_EQ(b.run()[0].to_vector<bool>(), (std::vector<bool>{true, true}));
  OpTester two("ConstantOfShape", 9);
  two.input("shape", ints({1}, {2})).attr("value", floats({2}, {1, 2})).output("y");
  EXPECT_TRUE(mentions(error_of([&] { two.run(); }), "one element"));
  OpTester neg("ConstantOfShape", 9);
  neg.input("shape", ints({2}, {2, -1})).output("y");
  EXPECT_TRUE(mentions(error_of([&] { neg.run(); }), "negative"));
}

TEST(ConstantOfShape, BFloat16FromOpset20) {
  Tensor one = Tensor::from_vector<bfloat16_t>({1}, {bfloat16_t(1.5f)});
  OpTester old("ConstantOfShape", 19);
  old.input("shape", ints({1}, {2})).attr("value", one).output("y");
  EXPECT_TRUE(mentions(error_of([&] { old.run(); }), "does not allow"));
  OpTester t("ConstantOfShape", 21);
  t.input("shape", ints({1}, {2})).attr("value", one).output("y");
  Tensor y = t.run()[0];
  EXPECT_EQ(y.dtype(), DType::BFloat16);
  EXPECT_EQ(static_cast<float>(y.data<bfloat16_t>()[1]), 1.5f);
}

TEST(EyeLike, OffsetsBeyondTheMatrixAndDtype) {
  // 3x2 with k = -1: ones at [1, 0] and [2, 1]; dtype 6 = int32.
  OpTester t("EyeLike", 9);
  t.input("x", floats({3, 2}, {9, 9, 9, 9, 9, 9}))
      .attr("k", int64_t{-1})
      .attr("dtype", int64_t{6})
      .output("y");
  Tensor y = t.run()[0];
  EXPECT_EQ(y.dtype(), DType::Int32);
  EXPECT_EQ(y.to_vector<int32_t>(), (std::vector<int32_t>{0, 0, 1, 0, 0, 1}));
  // k past either edge: all zeros.
  for (int64_t k : {int64_t{2}, int64_t{-3}, INT64_MAX, INT64_MIN}) {
    OpTester far("EyeLike", 9);
    far.input("x", ints({3, 2}, {1, 1, 1, 1, 1, 1})).attr("k", k).output("y");
    EXPECT_EQ(far.run()[0].to_vector<int64_t>(), (std::vector<int64_t>(6, 0))) << k;
  }
  OpTester bad("EyeLike", 9);
  bad.input("x", floats({2}, {1, 2})).output("y");
  EXPECT_TRUE(mentions(error_of([&] { bad.run(); }), "2-D"));
  OpTester str("EyeLike", 9);
  str.input("x", floats({1, 1}, {1})).attr("dtype", int64_t{8}).output("y");
  EXPECT_TRUE(mentions(error_of([&] { str.run(); }), "dtype"));
}

Tensor one_hot(int opset, const Tensor& indices, int64_t depth, int64_t axis = -1) {
  OpTester t("OneHot", opset);
  t.input("indices", indices)
      .input("depth", Tensor::scalar<int64_t>(depth))
      .input("values", floats({2}, {0, 1}))
      .attr("axis", axis)
      .output("y");
  return t.run()[0];
}

TEST(OneHot, NegativeAndOutOfRangeIndices) {
  // depth 3, opset 11: -1 wraps to 2, -3 to 0; 3 and -4 are outside [-3, 3): all-off rows.
  Tensor y = one_hot(11, ints({4}, {-1, 3, -3, -4}), 3);
  EXPECT_EQ(y.shape(), (Shape{4, 3}));
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0}));
  // Opset 9 has no wrapping: every index outside [0, 3) gives an all-off row.
  EXPECT_EQ(one_hot(9, ints({2}, {-1, 1}), 3).to_vector<float>(),
            (std::vector<float>{0, 0, 0, 0, 1, 0}));
  // Float indices are cast toward zero: 1.7 -> 1, -0.5 -> 0; NaN is out of range.
  EXPECT_EQ(one_hot(11, floats({3}, {1.7f, -0.5f, NAN}), 2).to_vector<float>(),
            (std::vector<float>{0, 1, 1, 0, 0, 0}));
  // axis 0 on [2] indices {1, 0} with depth 2: y[d][i] = (indices[i] == d).
  EXPECT_EQ(one_hot(11, ints({2}, {1, 0}), 2, 0).to_vector<float>(),
            (std::vector<float>{0, 1, 1, 0}));
  EXPECT_TRUE(mentions(error_of([] { one_hot(11, ints({2}, {0, 1}), 2, 2); }), "out of range"));
}

TEST(OneHot, StringValuesAndScalarIndices) {
  OpTester t("OneHot", 11);
  t.input("indices", Tensor::scalar<int32_t>(1))
      .input("depth", Tensor::from_vector<float>({1}, {3.9f}))  // cast to 3
      .input("values", Tensor::from_vector<std::string>({2}, {"off", "on"}))
      .output("y");
  Tensor y = t.run()[0];
  EXPECT_EQ(y.shape(), Shape{3});
  EXPECT_EQ(y.to_vector<std::string>(), (std::vector<std::string>{"off", "on", "off"}));
  OpTester bad("OneHot", 11);
  bad.input("indices", ints({1}, {0}))
      .input("depth", Tensor::scalar<int64_t>(2))
      .input("values", floats({3}, {0, 1, 2}))
      .output("y");
  EXPECT_TRUE(mentions(error_of([&] { bad.run(); }), "off_value, on_value"));
}

Tensor trilu(const Tensor& x, int64_t upper, std::optional<int64_t> k) {
  OpTester t("Trilu", 14);
  t.input("x", x);
  if (k) t.input("k", Tensor::scalar<int64_t>(*k));
  t.attr("upper", upper).output("y");
  return t.run()[0];
}

TEST(Trilu, DiagonalBeyondTheMatrix) {
  Tensor x = floats({2, 3}, {1, 2, 3, 4, 5, 6});
  // upper keeps j - i >= k: k = 5 keeps nothing, k = -5 everything.
  EXPECT_EQ(trilu(x, 1, 5).to_vector<float>(), (std::vector<float>(6, 0)));
  EXPECT_EQ(trilu(x, 1, -5).to_vector<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  // lower keeps j - i <= k: INT64_MAX keeps everything, INT64_MIN nothing.
  EXPECT_EQ(trilu(x, 0, INT64_MAX).to_vector<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(trilu(x, 0, INT64_MIN).to_vector<float>(), (std::vector<float>(6, 0)));
  // No k: upper keeps [0,0..2] and [1,1..2].
  EXPECT_EQ(trilu(x, 1, std::nullopt).to_vector<float>(), (std::vector<float>{1, 2, 3, 0, 5, 6}));
}

TEST(Trilu, BatchedEmptyAndBadAttributes) {
  // Two 2x2 matrices, lower with k = 0: [a 0; c d] each.
  Tensor x = ints({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(trilu(x, 0, 0).to_vector<int64_t>(), (std::vector<int64_t>{1, 0, 3, 4, 5, 0, 7, 8}));
  EXPECT_EQ(trilu(floats({0, 3}, {}), 1, 0).shape(), (Shape{0, 3}));
  EXPECT_TRUE(mentions(error_of([&] { trilu(x, 2, 0); }), "'upper'"));
  EXPECT_TRUE(mentions(error_of([] { trilu(floats({3}, {1, 2, 3}), 1, 0); }), "rank 2"));
}

}  // namespace
}  // namespace onyx
