// The output comparator of `onyx test` (tools/onyx/compare.cc): the ONNX backend
// runner's rules, floats within atol + rtol * |want| with NaN equal to NaN, everything
// else exact, dtypes and shapes equal. Tolerances below are powers of two, so every
// bound is exact in double.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "compare.h"
#include "onyx/narrow_tensor.h"
#include "op_tester.h"

namespace onyx {
namespace {

using cli::compare_tensors;
using cli::compare_values;
using testing::floats;
using testing::ints;
using testing::kInf;
using testing::kNaN;
using testing::mentions;

Tensor doubles(std::vector<double> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return Tensor::from_vector<double>({n}, v);
}

// Equal under (rtol, atol).
bool same(const Tensor& got, const Tensor& want, double rtol = 0, double atol = 0) {
  return compare_tensors(got, want, rtol, atol).empty();
}

TEST(Compare, NaNMatchesOnlyNaN) {
  EXPECT_TRUE(same(floats({2}, {kNaN, 1}), floats({2}, {kNaN, 1})));
  EXPECT_TRUE(same(floats({1}, {-kNaN}), floats({1}, {kNaN})));  // any NaN
  // NaN against a number fails either way round, whatever the tolerance.
  const std::string why = compare_tensors(floats({2}, {1, kNaN}), floats({2}, {1, 2}), 1, 1e9);
  EXPECT_TRUE(mentions(why, "1 of 2 values differ; first at flat index 1")) << why;
  EXPECT_FALSE(same(floats({1}, {2}), floats({1}, {kNaN}), 1, 1e9));
}

TEST(Compare, InfinitiesMatchOnlyTheSameInfinity) {
  EXPECT_TRUE(same(floats({2}, {kInf, -kInf}), floats({2}, {kInf, -kInf})));
  EXPECT_FALSE(same(floats({1}, {kInf}), floats({1}, {-kInf}), 1, 1e9));
  // No tolerance makes a finite value equal to an infinity, nor the reverse.
  EXPECT_FALSE(same(floats({1}, {3e38f}), floats({1}, {kInf}), 1, 1e9));
  EXPECT_FALSE(same(floats({1}, {-kInf}), floats({1}, {-3e38f}), 1, 1e9));
  EXPECT_FALSE(same(floats({1}, {kInf}), floats({1}, {kNaN})));
}

TEST(Compare, AbsoluteToleranceIncludesItsBound) {
  // |2.5 - 2| = 0.5: equal at atol 0.5, not at the next double below it.
  EXPECT_TRUE(same(doubles({2.5}), doubles({2}), 0, 0.5));
  EXPECT_FALSE(same(doubles({2.5}), doubles({2}), 0, std::nextafter(0.5, 0.0)));
  EXPECT_TRUE(same(doubles({1.5}), doubles({2}), 0, 0.5));  // below as well as above
  const std::string why = compare_tensors(doubles({0, 2.75}), doubles({0, 2}), 0, 0.5);
  EXPECT_TRUE(mentions(why, "first at flat index 1: got 2.75, expected 2")) << why;
  EXPECT_TRUE(mentions(why, "max abs error 0.75")) << why;
}

TEST(Compare, RelativeToleranceScalesWithTheExpectedValue) {
  // rtol 0.25: |3 - 4| = 1 <= 0.25 * |4|, but |4 - 3| = 1 > 0.25 * |3|.
  EXPECT_TRUE(same(doubles({3}), doubles({4}), 0.25, 0));
  EXPECT_FALSE(same(doubles({4}), doubles({3}), 0.25, 0));
  EXPECT_TRUE(same(doubles({-3}), doubles({-4}), 0.25, 0));  // |want|, not want
  // The two add: 1 <= 0.5 + 0.125 * 4, and not with half the atol.
  EXPECT_TRUE(same(doubles({5}), doubles({4}), 0.125, 0.5));
  EXPECT_FALSE(same(doubles({5}), doubles({4}), 0.125, 0.25));
  // Zero tolerances demand equality.
  EXPECT_TRUE(same(floats({2}, {0.1f, -0.0f}), floats({2}, {0.1f, 0.0f})));
  EXPECT_FALSE(same(floats({1}, {std::nextafter(1.0f, 2.0f)}), floats({1}, {1})));
}

TEST(Compare, DtypesMustMatch) {
  const std::string why = compare_tensors(doubles({1}), floats({1}, {1}), 1, 1);
  EXPECT_TRUE(mentions(why, "dtype double, expected float")) << why;
  EXPECT_TRUE(
      mentions(compare_tensors(Tensor::from_vector<int32_t>({1}, {1}), ints({1}, {1}), 0, 0),
               "dtype int32, expected int64"));
}

TEST(Compare, ShapesMustMatch) {
  // The same values in another shape, and a scalar against a [1].
  const std::string why =
      compare_tensors(floats({2, 2}, {1, 2, 3, 4}), floats({4}, {1, 2, 3, 4}), 1, 1);
  EXPECT_TRUE(mentions(why, "shape [2, 2], expected [4]")) << why;
  EXPECT_FALSE(same(Tensor::scalar(1.0f), floats({1}, {1})));
  EXPECT_TRUE(same(floats({0, 3}, {}), floats({0, 3}, {})));
}

TEST(Compare, StringsBoolsAndIntegersAreExact) {
  auto strings = [](std::vector<std::string> v) {
    return Tensor::from_vector<std::string>({static_cast<int64_t>(v.size())}, v);
  };
  EXPECT_TRUE(same(strings({"a", ""}), strings({"a", ""})));
  const std::string why = compare_tensors(strings({"a", "b "}), strings({"a", "b"}), 1, 1);
  EXPECT_TRUE(mentions(why, "first at flat index 1: got \"b \", expected \"b\"")) << why;
  EXPECT_FALSE(same(strings({"A"}), strings({"a"})));

  auto bools = [](std::vector<bool> v) {
    Tensor t(DType::Bool, {static_cast<int64_t>(v.size())});
    for (size_t i = 0; i < v.size(); ++i) t.data<bool>()[i] = v[i];
    return t;
  };
  EXPECT_TRUE(same(bools({true, false}), bools({true, false})));
  EXPECT_FALSE(same(bools({true, false}), bools({true, true}), 1, 1));

  // Integers ignore the tolerances: 1 apart fails at atol 10; int64 compares all 64 bits.
  EXPECT_FALSE(same(ints({1}, {6}), ints({1}, {5}), 1, 10));
  const int64_t big = std::numeric_limits<int64_t>::max();
  EXPECT_TRUE(same(ints({1}, {big}), ints({1}, {big})));
  EXPECT_FALSE(same(ints({1}, {big}), ints({1}, {big - 1}), 1, 10));
  EXPECT_FALSE(same(Tensor::from_vector<uint8_t>({1}, {255}),
                    Tensor::from_vector<uint8_t>({1}, {254}), 1, 10));
}

TEST(Compare, NarrowFloatsCompareAsValues) {
  // float8 E4M3FN: 0x7F and 0xFF are both NaN; 0x38 is 1.0 and 0x30 is 0.5.
  auto f8 = [](uint8_t bits) {
    Tensor t(DType::Float8E4M3FN, {1});
    *static_cast<uint8_t*>(t.raw()) = bits;
    return t;
  };
  EXPECT_TRUE(same(f8(0x7F), f8(0xFF)));
  EXPECT_TRUE(same(f8(0x38), f8(0x38)));
  EXPECT_FALSE(same(f8(0x38), f8(0x30)));
  EXPECT_TRUE(same(f8(0x38), f8(0x30), 0, 0.5));  // |1 - 0.5| <= 0.5
  EXPECT_FALSE(same(f8(0x38), f8(0x7F), 1, 1e9));
}

TEST(Compare, ValuesOfOtherKindsAndSequences) {
  const RuntimeValue t = floats({1}, {1});
  const RuntimeValue seq = TensorSequence{DType::Float, {floats({1}, {1}), floats({1}, {2})}};
  EXPECT_TRUE(compare_values(seq, seq, 0, 0).empty());
  EXPECT_TRUE(mentions(compare_values(t, seq, 0, 0), "got float[1], want seq(float) of 2"));
  const RuntimeValue shorter = TensorSequence{DType::Float, {floats({1}, {1})}};
  EXPECT_TRUE(mentions(compare_values(shorter, seq, 0, 0), "got a sequence of 1, want 2"));
  const RuntimeValue off = TensorSequence{DType::Float, {floats({1}, {1}), floats({1}, {3})}};
  const std::string why = compare_values(off, seq, 0, 0.5);
  EXPECT_TRUE(mentions(why, "item 1: 1 of 1 values differ")) << why;
  EXPECT_TRUE(compare_values(off, seq, 0, 1).empty());
  EXPECT_TRUE(
      compare_values(RuntimeValue::empty_optional(), RuntimeValue::empty_optional(), 0, 0).empty());
  EXPECT_TRUE(mentions(compare_values(RuntimeValue::empty_optional(), t, 0, 0),
                       "got optional(empty), want float[1]"));
}

}  // namespace
}  // namespace onyx
