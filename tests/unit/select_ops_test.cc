// One-node tests of the select operators (Compress, NonZero, Unique, ReverseSequence) for
// cases the ONNX backend data misses. Expected values are worked out by hand in the comments.
#include <gtest/gtest.h>

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

Tensor bools(std::vector<bool> values) {
  return Tensor::from_vector<bool>({static_cast<int64_t>(values.size())}, values);
}

TEST(Compress, ShortConditionAndErrors) {
  // [2,3] along axis 1 with condition {0, 1}: the third column lies past the condition.
  OpTester t("Compress", 11);
  t.input("x", floats({2, 3}, {1, 2, 3, 4, 5, 6}))
      .input("c", bools({false, true}))
      .attr("axis", int64_t{1})
      .output("y");
  Tensor y = t.run()[0];
  EXPECT_EQ(y.shape(), (Shape{2, 1}));
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{2, 5}));
  // No axis: the flattened input, here picking elements 0 and 3.
  OpTester flat("Compress", 11);
  flat.input("x", Tensor::from_vector<std::string>({2, 2}, {"a", "b", "c", "d"}))
      .input("c", bools({true, false, false, true}))
      .output("y");
  EXPECT_EQ(flat.run()[0].to_vector<std::string>(), (std::vector<std::string>{"a", "d"}));
  OpTester longer("Compress", 11);
  longer.input("x", floats({2}, {1, 2})).input("c", bools({true, true, true})).output("y");
  EXPECT_TRUE(mentions(error_of([&] { longer.run(); }), "condition has 3 entries"));
  // Negative axes arrive with opset 11.
  OpTester old("Compress", 9);
  old.input("x", floats({2}, {1, 2}))
      .input("c", bools({true}))
      .attr("axis", int64_t{-1})
      .output("y");
  EXPECT_TRUE(mentions(error_of([&] { old.run(); }), "out of range"));
}

Tensor non_zero(const Tensor& x) {
  OpTester t("NonZero", 13);
  t.input("x", x).output("y");
  return t.run()[0];
}

TEST(NonZero, EmptyAndRankZero) {
  // An empty [0, 3] input: 2 coordinates for each of 0 elements.
  Tensor e = non_zero(floats({0, 3}, {}));
  EXPECT_EQ(e.dtype(), DType::Int64);
  EXPECT_EQ(e.shape(), (Shape{2, 0}));
  // Rank 0: [rank, count] = [0, 1] for a non-zero scalar, [0, 0] for zero.
  EXPECT_EQ(non_zero(Tensor::scalar(3.0f)).shape(), (Shape{0, 1}));
  EXPECT_EQ(non_zero(Tensor::scalar(0.0f)).shape(), (Shape{0, 0}));
}

TEST(NonZero, NanStringsAndOrder) {
  // [2,2] {0, NaN, -0, 2}: NaN (at [0,1]) and 2 (at [1,1]) are non-zero, -0 is zero.
  Tensor y = non_zero(floats({2, 2}, {0, NAN, -0.0f, 2}));
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(y.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 1, 1}));
  // Strings: the empty string is zero.
  Tensor s = non_zero(Tensor::from_vector<std::string>({3}, {"", "x", ""}));
  EXPECT_EQ(s.to_vector<int64_t>(), std::vector<int64_t>{1});
  Tensor b = non_zero(Tensor::from_vector<bool>({2, 1}, {true, true}));
  EXPECT_EQ(b.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 0, 0}));
}

TEST(NonZero, BFloat16FromOpset13) {
  Tensor x = Tensor::from_vector<bfloat16_t>({2}, {bfloat16_t(0.0f), bfloat16_t(1.5f)});
  EXPECT_EQ(non_zero(x).to_vector<int64_t>(), std::vector<int64_t>{1});
  OpTester old("NonZero", 12);
  old.input("x", x).output("y");
  EXPECT_TRUE(mentions(error_of([&] { old.run(); }), "bfloat16"));
}

struct UniqueResult {
  Tensor y, indices, inverse, counts;
};

UniqueResult unique(const Tensor& x, int64_t sorted, std::optional<int64_t> axis) {
  OpTester t("Unique", 11);
  t.input("x", x).attr("sorted", sorted);
  if (axis) t.attr("axis", *axis);
  t.output("y").output("indices").output("inverse").output("counts");
  std::vector<Tensor> r = t.run();
  return {r[0], r[1], r[2], r[3]};
}

TEST(Unique, UnsortedWithAxis) {
  // Rows {2,1}, {1,0}, {2,1}, {0,5}: first occurrences at rows 0, 1, 3, kept in that order.
  UniqueResult r = unique(floats({4, 2}, {2, 1, 1, 0, 2, 1, 0, 5}), 0, 0);
  EXPECT_EQ(r.y.shape(), (Shape{3, 2}));
  EXPECT_EQ(r.y.to_vector<float>(), (std::vector<float>{2, 1, 1, 0, 0, 5}));
  EXPECT_EQ(r.indices.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 3}));
  EXPECT_EQ(r.inverse.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 0, 2}));
  EXPECT_EQ(r.counts.to_vector<int64_t>(), (std::vector<int64_t>{2, 1, 1}));
  // Columns of [[1,0,1],[2,3,2]] are {1,2}, {0,3}, {1,2}; with axis -1 (= 1):
  // unsorted keeps {1,2}, {0,3}; sorted puts {0,3} first since 0 < 1.
  Tensor x = ints({2, 3}, {1, 0, 1, 2, 3, 2});
  UniqueResult u = unique(x, 0, -1);
  EXPECT_EQ(u.y.to_vector<int64_t>(), (std::vector<int64_t>{1, 0, 2, 3}));
  EXPECT_EQ(u.inverse.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 0}));
  UniqueResult s = unique(x, 1, -1);
  EXPECT_EQ(s.y.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 3, 2}));
  EXPECT_EQ(s.indices.to_vector<int64_t>(), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(s.inverse.to_vector<int64_t>(), (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(s.counts.to_vector<int64_t>(), (std::vector<int64_t>{1, 2}));
}

TEST(Unique, NanStringsAndEmpty) {
  // NaNs sort last and count as one value: {NaN, 1, NaN} -> {1, NaN}.
  UniqueResult n = unique(floats({3}, {NAN, 1, NAN}), 1, std::nullopt);
  std::vector<float> y = n.y.to_vector<float>();
  ASSERT_EQ(y.size(), 2u);
  EXPECT_EQ(y[0], 1);
  EXPECT_TRUE(std::isnan(y[1]));
  EXPECT_EQ(n.indices.to_vector<int64_t>(), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(n.inverse.to_vector<int64_t>(), (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(n.counts.to_vector<int64_t>(), (std::vector<int64_t>{1, 2}));
  UniqueResult s =
      unique(Tensor::from_vector<std::string>({4}, {"b", "a", "b", "c"}), 1, std::nullopt);
  EXPECT_EQ(s.y.to_vector<std::string>(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(s.inverse.to_vector<int64_t>(), (std::vector<int64_t>{1, 0, 1, 2}));
  UniqueResult e = unique(floats({0, 2}, {}), 1, 0);
  EXPECT_EQ(e.y.shape(), (Shape{0, 2}));
  EXPECT_EQ(e.counts.shape(), Shape{0});
  // A scalar is one element.
  EXPECT_EQ(unique(Tensor::scalar<int32_t>(4), 1, std::nullopt).y.shape(), Shape{1});
  EXPECT_TRUE(mentions(error_of([] { unique(floats({2}, {1, 2}), 1, 1); }), "out of range"));
  EXPECT_TRUE(mentions(error_of([] { unique(floats({2}, {1, 2}), 2, 0); }), "'sorted'"));
}

Tensor reverse(const Tensor& x, const Tensor& lens, int64_t batch_axis, int64_t time_axis) {
  OpTester t("ReverseSequence", 10);
  t.input("x", x)
      .input("lens", lens)
      .attr("batch_axis", batch_axis)
      .attr("time_axis", time_axis)
      .output("y");
  return t.run()[0];
}

TEST(ReverseSequence, LengthsZeroFullAndOutOfRange) {
  // [time 3, batch 2] (time_axis 0): column 0 reversed fully, column 1 untouched (length 0).
  Tensor x = floats({3, 2}, {1, 10, 2, 20, 3, 30});
  EXPECT_EQ(reverse(x, ints({2}, {3, 0}), 1, 0).to_vector<float>(),
            (std::vector<float>{3, 10, 2, 20, 1, 30}));
  EXPECT_TRUE(mentions(error_of([&] { reverse(x, ints({2}, {4, 1}), 1, 0); }), "out of range"));
  EXPECT_TRUE(mentions(error_of([&] { reverse(x, ints({2}, {-1, 1}), 1, 0); }), "out of range"));
  EXPECT_TRUE(mentions(error_of([&] { reverse(x, ints({3}, {1, 1, 1}), 1, 0); }), "entries"));
  EXPECT_TRUE(mentions(error_of([&] { reverse(x, ints({2}, {1, 1}), 0, 0); }), "0 and 1"));
}

TEST(ReverseSequence, BatchMajorWithInnerDims) {
  // [batch 2, time 2, 2] (batch_axis 0): batch 0 swaps its two steps, batch 1 keeps them.
  Tensor x = ints({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(reverse(x, ints({2}, {2, 1}), 0, 1).to_vector<int64_t>(),
            (std::vector<int64_t>{3, 4, 1, 2, 5, 6, 7, 8}));
}

}  // namespace
}  // namespace onyx
