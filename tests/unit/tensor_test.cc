// Tensor storage, dtype table and float16/bfloat16 conversions.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "onyx/tensor.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::mentions;

TEST(DType, SizesAreInBits) {
  EXPECT_EQ(dtype_info(DType::Float).bits, 32);
  EXPECT_EQ(dtype_info(DType::Int4).bits, 4);
  EXPECT_EQ(dtype_storage_bytes(DType::Int4, 3), 2u);  // packed two per byte, rounded up
  EXPECT_EQ(dtype_storage_bytes(DType::Double, 5), 40u);
  EXPECT_STREQ(dtype_name(DType::BFloat16), "bfloat16");
  EXPECT_EQ(dtype_name_of_code(99), "dtype(99)");
}

TEST(Tensor, AllocatesZeroedAndAligned) {
  Tensor t(DType::Float, {2, 3});
  EXPECT_EQ(t.numel(), 6);
  EXPECT_EQ(t.nbytes(), 24u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw()) % 64, 0u);
  for (float v : t.to_vector<float>()) EXPECT_EQ(v, 0.0f);
}

TEST(Tensor, RefusesOverflowAndNegativeDims) {
  std::string e = error_of([] { Tensor(DType::Float, {-1, 2}); });
  EXPECT_TRUE(mentions(e, "negative dimension -1 in shape [-1, 2]")) << e;
  int64_t big = int64_t{1} << 40;
  e = error_of([big] { Tensor(DType::Float, {big, big}); });
  EXPECT_TRUE(mentions(
      e,
      "limit exceeded: shape [1099511627776, 1099511627776] has more elements than int64 counts"))
      << e;
}

TEST(Tensor, WrongTypedAccessIsAnError) {
  Tensor t(DType::Int64, {1});
  const std::string e = error_of([&] { t.data<float>(); });
  EXPECT_TRUE(mentions(e, "tensor of dtype int64 accessed as float")) << e;
}

TEST(Tensor, ReshapeSharesAndCloneCopies) {
  Tensor t = Tensor::from_vector<int32_t>({2, 2}, {1, 2, 3, 4});
  Tensor v = t.reshaped({4});
  EXPECT_TRUE(v.shares_storage_with(t));
  const std::string e = error_of([&] { t.reshaped({3}); });
  EXPECT_TRUE(mentions(e, "cannot view int32[2, 2] with shape [3]: element counts differ")) << e;
  Tensor c = t.clone();
  EXPECT_FALSE(c.shares_storage_with(t));
  c.data<int32_t>()[0] = 9;
  EXPECT_EQ(t.data<int32_t>()[0], 1);
}

TEST(Tensor, BitcastKeepsBytesAndRefusesOtherWidths) {
  Tensor u = Tensor::from_vector<uint16_t>({2}, {0x3f80, 0xc000});  // bfloat16 1.0 and -2.0
  Tensor b = u.bitcast(DType::BFloat16);
  EXPECT_TRUE(b.shares_storage_with(u));
  EXPECT_EQ(static_cast<float>(b.data<bfloat16_t>()[0]), 1.0f);
  EXPECT_EQ(static_cast<float>(b.data<bfloat16_t>()[1]), -2.0f);
  std::string e = error_of([&] { u.bitcast(DType::Float); });
  EXPECT_TRUE(mentions(e, "cannot reinterpret uint16[2] as float")) << e;
  e = error_of([&] { u.bitcast(DType::String); });
  EXPECT_TRUE(mentions(e, "cannot reinterpret uint16[2] as string")) << e;
}

TEST(Tensor, Strings) {
  Tensor t = Tensor::from_vector<std::string>({2}, {"a", "bc"});
  Tensor c = t.clone();
  EXPECT_EQ(c.data<std::string>()[1], "bc");
  Tensor empty(DType::String, {3});
  EXPECT_EQ(empty.data<std::string>()[2], "");
}

TEST(Float16, KnownBitPatterns) {
  // Values from the IEEE 754 binary16 definition.
  EXPECT_EQ(float16_t(1.0f).bits, 0x3c00);
  EXPECT_EQ(float16_t(-2.0f).bits, 0xc000);
  EXPECT_EQ(float16_t(65504.0f).bits, 0x7bff);
  EXPECT_EQ(float16_t(65520.0f).bits, 0x7c00);            // rounds to infinity
  EXPECT_EQ(float16_t(5.9604645e-8f).bits, 0x0001);       // smallest subnormal
  EXPECT_EQ(float16_t(6.1035156e-5f).bits, 0x0400);       // smallest normal
  EXPECT_EQ(float16_t(1.0f + 1.0f / 2048).bits, 0x3c00);  // tie rounds to even
  EXPECT_EQ(float16_t(1.0f + 3.0f / 2048).bits, 0x3c02);  // tie rounds to even (up)
  EXPECT_TRUE(std::isnan(static_cast<float>(float16_t(std::nanf("")))));
  EXPECT_EQ(static_cast<float>(float16_t(0.333251953125f)), 0.333251953125f);
  uint16_t sub;
  sub = 0x0003;
  EXPECT_FLOAT_EQ(float16_t::to_float(sub), 3 * 5.9604645e-8f);
}

TEST(BFloat16, RoundsToNearestEven) {
  EXPECT_EQ(bfloat16_t(1.0f).bits, 0x3f80);
  EXPECT_EQ(static_cast<float>(bfloat16_t(3.140625f)), 3.140625f);
  EXPECT_EQ(bfloat16_t(1.00390625f).bits, 0x3f80);  // halfway between 0x3f80 and 0x3f81
}

}  // namespace
}  // namespace onyx
