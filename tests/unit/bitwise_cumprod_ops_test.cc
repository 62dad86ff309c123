// One-node tests of the bitwise operators (BitwiseAnd/Or/Xor/Not-18), BitCast-26,
// CumProd-26 and the activations Swish-24 and Mish-22. Expected values are worked out by
// hand in the comments.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

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
Tensor of(Shape shape, std::vector<T> values) {
  return Tensor::from_vector<T>(std::move(shape), values);
}

Tensor binary(const std::string& op, const Tensor& a, const Tensor& b) {
  OpTester t(op, 18);
  t.input("a", a).input("b", b).output("c");
  return t.run()[0];
}

TEST(Bitwise, AndOrXorBroadcast) {
  // [2, 2] against [2]: 12 & 10 = 0b1100 & 0b1010 = 0b1000 = 8; -1 & 7 = 7 (all ones);
  // 5 & 10 = 0b0101 & 0b1010 = 0; 0 & 7 = 0.
  Tensor c = binary("BitwiseAnd", of<int32_t>({2, 2}, {12, -1, 5, 0}), of<int32_t>({2}, {10, 7}));
  EXPECT_EQ(c.shape(), (Shape{2, 2}));
  EXPECT_EQ(c.to_vector<int32_t>(), (std::vector<int32_t>{8, 7, 0, 0}));
  // 0xF0 | 0x0F = 0xFF; 0x0F | 0x0F = 0x0F (B a scalar).
  EXPECT_EQ(binary("BitwiseOr", of<uint8_t>({2}, {0xF0, 0x0F}), Tensor::scalar<uint8_t>(0x0F))
                .to_vector<uint8_t>(),
            (std::vector<uint8_t>{0xFF, 0x0F}));
  // 5 ^ 3 = 0b101 ^ 0b011 = 0b110 = 6; -1 ^ 1 flips the low bit of all ones: -2.
  EXPECT_EQ(binary("BitwiseXor", of<int16_t>({2}, {5, -1}), of<int16_t>({2}, {3, 1}))
                .to_vector<int16_t>(),
            (std::vector<int16_t>{6, -2}));
  // uint64: the top bit survives. 2^63 | 1 = 9223372036854775809.
  EXPECT_EQ(binary("BitwiseOr", of<uint64_t>({1}, {uint64_t{1} << 63}), of<uint64_t>({1}, {1}))
                .to_vector<uint64_t>(),
            (std::vector<uint64_t>{(uint64_t{1} << 63) | 1}));
}

TEST(Bitwise, Not) {
  // ~0 = -1, ~-1 = 0, ~127 = -128 in int8; ~0 = 65535, ~1 = 65534 in uint16.
  OpTester s("BitwiseNot", 18);
  s.input("x", of<int8_t>({3}, {0, -1, 127})).output("y");
  EXPECT_EQ(s.run()[0].to_vector<int8_t>(), (std::vector<int8_t>{-1, 0, -128}));
  OpTester u("BitwiseNot", 18);
  u.input("x", of<uint16_t>({2}, {0, 1})).output("y");
  EXPECT_EQ(u.run()[0].to_vector<uint16_t>(), (std::vector<uint16_t>{65535, 65534}));
}

TEST(Bitwise, Errors) {
  // Two dtypes, floats, and shapes that do not broadcast are refused, naming the op.
  std::string e =
      error_of([] { binary("BitwiseAnd", of<int32_t>({1}, {1}), of<int64_t>({1}, {1})); });
  EXPECT_TRUE(mentions(e, "BitwiseAnd")) << e;
  e = error_of([] { binary("BitwiseOr", floats({1}, {1}), floats({1}, {1})); });
  EXPECT_TRUE(mentions(e, "BitwiseOr")) << e;
  e = error_of([] { binary("BitwiseXor", ints({2}, {1, 2}), ints({3}, {1, 2, 3})); });
  EXPECT_TRUE(mentions(e, "BitwiseXor")) << e;
}

Tensor bitcast(const Tensor& x, int64_t to) {
  OpTester t("BitCast", 26);
  t.input("x", x).attr("to", to).output("y");
  return t.run()[0];
}

TEST(BitCast, SameWidthTypes) {
  // float 1.0 = 0x3F800000 = 1065353216; -2.0 = 0xC0000000 = -1073741824 as int32.
  Tensor y = bitcast(floats({2, 1}, {1.0f, -2.0f}), static_cast<int64_t>(DType::Int32));
  EXPECT_EQ(y.dtype(), DType::Int32);
  EXPECT_EQ(y.shape(), (Shape{2, 1}));
  EXPECT_EQ(y.to_vector<int32_t>(), (std::vector<int32_t>{1065353216, -1073741824}));
  // uint8 255 is int8 -1; 128 is -128.
  EXPECT_EQ(bitcast(of<uint8_t>({3}, {0, 128, 255}), static_cast<int64_t>(DType::Int8))
                .to_vector<int8_t>(),
            (std::vector<int8_t>{0, -128, -1}));
  // float16 1.0 is 0x3C00 = 15360: sign 0, exponent 15 (the bias), mantissa 0.
  Tensor h = bitcast(Tensor::scalar<uint16_t>(15360), static_cast<int64_t>(DType::Float16));
  EXPECT_EQ(h.dtype(), DType::Float16);
  EXPECT_EQ(static_cast<float>(h.data<float16_t>()[0]), 1.0f);
  // Bytes 0 and 1 are the bools false and true.
  EXPECT_EQ(bitcast(of<uint8_t>({2}, {1, 0}), static_cast<int64_t>(DType::Bool)).to_vector<bool>(),
            (std::vector<bool>{true, false}));
}

TEST(BitCast, Errors) {
  // float (32 bits) to int64 (64 bits): the widths differ.
  std::string e = error_of([] { bitcast(floats({1}, {1}), static_cast<int64_t>(DType::Int64)); });
  EXPECT_TRUE(mentions(e, "BitCast")) << e;
  EXPECT_TRUE(mentions(e, "widths differ")) << e;
  // Strings have no width; 999 is no type at all; `to` is required.
  e = error_of([] { bitcast(floats({1}, {1}), static_cast<int64_t>(DType::String)); });
  EXPECT_TRUE(mentions(e, "BitCast") && mentions(e, "string")) << e;
  e = error_of([] { bitcast(floats({1}, {1}), 999); });
  EXPECT_TRUE(mentions(e, "BitCast") && mentions(e, "names no data type")) << e;
  OpTester missing("BitCast", 26);
  missing.input("x", floats({1}, {1})).output("y");
  e = error_of([&] { missing.run(); });
  EXPECT_TRUE(mentions(e, "BitCast") && mentions(e, "'to' is required")) << e;
  // Byte 2 is no bool.
  e = error_of([] { bitcast(of<uint8_t>({2}, {1, 2}), static_cast<int64_t>(DType::Bool)); });
  EXPECT_TRUE(mentions(e, "BitCast") && mentions(e, "not a bool")) << e;
}

Tensor cumprod(const Tensor& x, int64_t axis, int64_t exclusive, int64_t reverse) {
  OpTester t("CumProd", 26);
  t.input("x", x).input("axis", Tensor::scalar<int64_t>(axis)).output("y");
  if (exclusive) t.attr("exclusive", exclusive);
  if (reverse) t.attr("reverse", reverse);
  return t.run()[0];
}

TEST(CumProd, AxesExclusiveReverse) {
  const Tensor x = floats({2, 3}, {1, 2, 3, 4, 5, 6});
  // Along axis 1, exclusive: [1, 1, 1*2], [1, 4, 4*5].
  EXPECT_EQ(cumprod(x, 1, 1, 0).to_vector<float>(), (std::vector<float>{1, 1, 2, 1, 4, 20}));
  // Along axis 0 from the end: row 0 = row 0 * row 1 = [4, 10, 18], row 1 unchanged.
  EXPECT_EQ(cumprod(x, 0, 0, 1).to_vector<float>(), (std::vector<float>{4, 10, 18, 4, 5, 6}));
  // Axis -1 is axis 1: [1, 2, 6], [4, 20, 120].
  EXPECT_EQ(cumprod(x, -1, 0, 0).to_vector<float>(), (std::vector<float>{1, 2, 6, 4, 20, 120}));
  // int32, exclusive and reversed: [3*4, 4, 1].
  EXPECT_EQ(cumprod(of<int32_t>({3}, {2, 3, 4}), 0, 1, 1).to_vector<int32_t>(),
            (std::vector<int32_t>{12, 4, 1}));
  // uint32 wraps like numpy: 65536 * 65536 = 2^32 = 0 (mod 2^32).
  EXPECT_EQ(cumprod(of<uint32_t>({2}, {65536, 65536}), 0, 0, 0).to_vector<uint32_t>(),
            (std::vector<uint32_t>{65536, 0}));
}

TEST(CumProd, Errors) {
  const Tensor x = floats({2, 3}, {1, 2, 3, 4, 5, 6});
  std::string e = error_of([&] { cumprod(x, 2, 0, 0); });  // rank 2: axis in [-2, 2)
  EXPECT_TRUE(mentions(e, "CumProd") && mentions(e, "out of range")) << e;
  e = error_of([&] { cumprod(x, 0, 2, 0); });
  EXPECT_TRUE(mentions(e, "CumProd") && mentions(e, "must be 0 or 1")) << e;
  // int8 is not among CumProd's types.
  e = error_of([] { cumprod(of<int8_t>({1}, {1}), 0, 0, 0); });
  EXPECT_TRUE(mentions(e, "CumProd")) << e;
}

TEST(Swish, Alpha) {
  // x * sigmoid(alpha x); sigmoid(ln 3) = 3 / (3 + 1) = 0.75.
  const float ln3 = std::log(3.0f);
  OpTester d("Swish", 24);
  d.input("x", floats({3}, {0.0f, ln3, -ln3})).output("y");
  std::vector<float> y = d.run()[0].to_vector<float>();
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_NEAR(y[1], 0.75f * ln3, 1e-6f);
  EXPECT_NEAR(y[2], -0.25f * ln3, 1e-6f);  // sigmoid(-ln 3) = 1 / 4
  // alpha 2 at x = ln(3) / 2: 2x = ln 3, so y = 0.75 x.
  OpTester a("Swish", 24);
  a.input("x", floats({1}, {ln3 / 2})).attr("alpha", 2.0f).output("y");
  EXPECT_NEAR(a.run()[0].to_vector<float>()[0], 0.75f * ln3 / 2, 1e-6f);
}

TEST(Mish, BFloat16FromOpset22) {
  // mish(1) = tanh(ln(1 + e)) = ((1 + e)^2 - 1) / ((1 + e)^2 + 1) = 12.8256 / 14.8256 = 0.8651;
  // bfloat16 keeps 8 significant bits, so within 1/128 of it.
  const Tensor x = of<bfloat16_t>({2}, {bfloat16_t(0.0f), bfloat16_t(1.0f)});
  OpTester t("Mish", 22);
  t.input("x", x).output("y");
  Tensor y = t.run()[0];
  EXPECT_EQ(y.dtype(), DType::BFloat16);
  EXPECT_EQ(static_cast<float>(y.data<bfloat16_t>()[0]), 0.0f);
  EXPECT_NEAR(static_cast<float>(y.data<bfloat16_t>()[1]), 0.8651f, 1.0f / 128);
  // Opset 18 has no bfloat16 Mish.
  OpTester old("Mish", 18);
  old.input("x", x).output("y");
  const std::string e = error_of([&] { old.run(); });
  EXPECT_TRUE(mentions(e, "Mish")) << e;
}

}  // namespace
}  // namespace onyx
