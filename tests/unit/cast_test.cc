// One-node tests of Cast and CastLike for cases the ONNX backend data misses: strings in
// both directions (shortest float text, special values, bad text), integer extremes and
// out-of-range floats, bool, float16/bfloat16 rounding, opset limits, empty and rank-0
// tensors. Expected values are worked out by hand in the comments.
#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

#include "onyx/onyx.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::mentions;
using testing::OpTester;

Tensor cast(const Tensor& x, DType to, int64_t opset = 13) {
  OpTester t("Cast", opset);
  t.input("x", x).attr("to", static_cast<int64_t>(to)).output("y");
  return t.run()[0];
}

template <class T>
Tensor vec(std::vector<T> values) {
  return Tensor::from_vector<T>({static_cast<int64_t>(values.size())}, values);
}

using Strings = std::vector<std::string>;

TEST(Cast, FloatToStringIsShortest) {
  // 0.6048455f prints as its 7 digits, not "%.8g"'s 0.60484552; 0.1f as "0.1", not
  // 0.100000001. Special values use the spec's spellings.
  const float inf = std::numeric_limits<float>::infinity();
  Tensor y = cast(vec<float>({0.6048455f, 0.1f, 0.039187793f, 1e20f, -0.0f, NAN, inf, -inf}),
                  DType::String);
  EXPECT_EQ(y.to_vector<std::string>(),
            (Strings{"0.6048455", "0.1", "0.039187793", "1e+20", "-0", "NaN", "INF", "-INF"}));
  // double keeps its own shortest form; float16 0.1 (really 0.0999755859375) reads as "0.1".
  EXPECT_EQ(cast(vec<double>({0.1, 1.0 / 3}), DType::String).to_vector<std::string>(),
            (Strings{"0.1", "0.3333333333333333"}));
  EXPECT_EQ(cast(vec<float16_t>({float16_t(0.1f)}), DType::String).to_vector<std::string>(),
            Strings{"0.1"});
}

TEST(Cast, StringToNumbers) {
  Tensor s = vec<std::string>({" 3.5 ", "1e-5", "+INF", "-inf", "nAn", "1e400", "-1e-400"});
  std::vector<float> f = cast(s, DType::Float).to_vector<float>();
  EXPECT_EQ(f[0], 3.5f);
  EXPECT_EQ(f[1], 1e-5f);
  EXPECT_EQ(f[2], std::numeric_limits<float>::infinity());
  EXPECT_EQ(f[3], -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(f[4]));
  EXPECT_EQ(f[5], std::numeric_limits<float>::infinity());  // beyond double's range too
  EXPECT_TRUE(f[6] == 0 && std::signbit(f[6]));
  // Integers read exactly, including both int64 extremes; "100.5" truncates to 100.
  Tensor i = vec<std::string>({"-9223372036854775808", "9223372036854775807", "100.5", "+7"});
  EXPECT_EQ(cast(i, DType::Int64).to_vector<int64_t>(),
            (std::vector<int64_t>{INT64_MIN, INT64_MAX, 100, 7}));
  EXPECT_EQ(cast(vec<std::string>({"18446744073709551615"}), DType::UInt64).to_vector<uint64_t>(),
            std::vector<uint64_t>{UINT64_MAX});
  EXPECT_EQ(cast(vec<std::string>({"true", "FALSE", "0", "2.5"}), DType::Bool).to_vector<bool>(),
            (std::vector<bool>{true, false, false, true}));
  EXPECT_TRUE(mentions(error_of([] { cast(vec<std::string>({"Hello"}), DType::Float); }),
                       "cannot read \"Hello\" as float"));
}

TEST(Cast, IntegerExtremes) {
  // int64 extremes to text and back to double: 2^63 - 1 rounds to 2^63 = 9223372036854775808.
  Tensor x = vec<int64_t>({INT64_MIN, INT64_MAX});
  EXPECT_EQ(cast(x, DType::String).to_vector<std::string>(),
            (Strings{"-9223372036854775808", "9223372036854775807"}));
  EXPECT_EQ(cast(x, DType::Double).to_vector<double>(), (std::vector<double>{-0x1p63, 0x1p63}));
  // Integers narrow by keeping their low bits: INT64_MAX -> int32 -1, 300 -> uint8 44.
  EXPECT_EQ(cast(x, DType::Int32).to_vector<int32_t>(), (std::vector<int32_t>{0, -1}));
  EXPECT_EQ(cast(vec<int64_t>({300, -1}), DType::UInt8).to_vector<uint8_t>(),
            (std::vector<uint8_t>{44, 255}));
  // Floats truncate toward zero; NaN and out-of-range give x86's integer minimum (then
  // its low bits): 1e19 -> int64 INT64_MIN, 300.7 -> uint8 300 mod 256 = 44, -1.5 -> -1.
  Tensor d = vec<double>({-1.5, 300.7, 1e19, NAN});
  EXPECT_EQ(cast(d, DType::Int64).to_vector<int64_t>(),
            (std::vector<int64_t>{-1, 300, INT64_MIN, INT64_MIN}));
  EXPECT_EQ(cast(d, DType::Int32).to_vector<int32_t>(),
            (std::vector<int32_t>{-1, 300, INT32_MIN, INT32_MIN}));
  EXPECT_EQ(cast(d, DType::UInt8).to_vector<uint8_t>(), (std::vector<uint8_t>{255, 44, 0, 0}));
  // uint64 holds 1e19 exactly; -1.5 wraps to 2^64 - 1; NaN gives 2^63.
  EXPECT_EQ(cast(d, DType::UInt64).to_vector<uint64_t>(),
            (std::vector<uint64_t>{UINT64_MAX, 300, 10000000000000000000ull, 1ull << 63}));
}

TEST(Cast, BoolAndHalfRounding) {
  // Anything nonzero, NaN included, is true; true is "1" as text.
  EXPECT_EQ(cast(vec<float>({0.0f, -0.0f, 0.5f, NAN}), DType::Bool).to_vector<bool>(),
            (std::vector<bool>{false, false, true, true}));
  EXPECT_EQ(cast(vec<bool>({true, false}), DType::String).to_vector<std::string>(),
            (Strings{"1", "0"}));
  // 65520 is halfway between float16's 65504 and 65536 (inf): ties to even give inf.
  EXPECT_EQ(cast(vec<float>({65520.0f}), DType::Float16).data<float16_t>()[0].bits, 0x7c00);
  // 1 + 2^-11 + 2^-40 is just above the tie between 1 and 1 + 2^-10: 0x3c01. Through a
  // rounded float it would look like the tie itself and round to 1.0 (0x3c00).
  EXPECT_EQ(cast(vec<double>({1 + 0x1p-11 + 0x1p-40}), DType::Float16).data<float16_t>()[0].bits,
            0x3c01);
  // bfloat16 of 0.48033667f (0x3ef5f1d5): ties-to-even rounds up to 0x3ef6 from opset 19;
  // opsets 13-18 drop the low bits (0x3ef5) as the backend data of those opsets does.
  EXPECT_EQ(cast(vec<float>({0.48033667f}), DType::BFloat16, 19).data<bfloat16_t>()[0].bits,
            0x3ef6);
  EXPECT_EQ(cast(vec<float>({0.48033667f}), DType::BFloat16, 13).data<bfloat16_t>()[0].bits,
            0x3ef5);
}

TEST(Cast, OpsetLimitsAndUnsupportedTypes) {
  EXPECT_TRUE(mentions(error_of([] { cast(vec<float>({1}), DType::String, 6); }),
                       "cannot cast to string at opset 6"));
  EXPECT_TRUE(mentions(error_of([] { cast(vec<float>({1}), DType::Float8E4M3FN, 18); }),
                       "cannot cast to float8e4m3fn at opset 18"));
  OpTester sat("Cast", 19);
  sat.input("x", vec<float>({1})).attr("to", int64_t{1}).attr("saturate", int64_t{2}).output("y");
  EXPECT_TRUE(mentions(error_of([&] { sat.run(); }), "'saturate' must be 0 or 1"));
  // Cast-1 names the type: "FLOAT16".
  OpTester old("Cast", 1);
  old.input("x", vec<double>({0.5})).attr("to", "FLOAT16").output("y");
  Tensor y = old.run()[0];
  EXPECT_EQ(y.dtype(), DType::Float16);
  EXPECT_EQ(static_cast<float>(y.data<float16_t>()[0]), 0.5f);
}

TEST(Cast, EmptyRankZeroAndCastLike) {
  Tensor e = cast(Tensor(DType::Float, {2, 0}), DType::String);
  EXPECT_EQ(e.dtype(), DType::String);
  EXPECT_EQ(e.shape(), (Shape{2, 0}));
  Tensor s = cast(Tensor::scalar<int32_t>(-7), DType::Float);
  EXPECT_EQ(s.shape(), Shape{});
  EXPECT_EQ(s.to_vector<float>(), std::vector<float>{-7});
  OpTester like("CastLike", 15);  // the target's dtype, not its values or shape
  like.input("x", vec<float>({2.75f, -2.75f})).input("like", vec<int8_t>({1, 2, 3}));
  like.output("y");
  Tensor y = like.run()[0];
  EXPECT_EQ(y.dtype(), DType::Int8);
  EXPECT_EQ(y.to_vector<int8_t>(), (std::vector<int8_t>{2, -2}));
}

}  // namespace
}  // namespace onyx
