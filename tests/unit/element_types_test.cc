// The narrow element types: float8 (E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ), float8e8m0,
// float4e2m1, int4/uint4 and int2/uint2. Every expected code is worked out by hand from
// the format's layout (sign | exponent | mantissa, bias) in the comments, not taken from
// the code under test.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "onyx/loader.h"
#include "onyx/narrow_tensor.h"
#include "onyx/onyx.h"
#include "onyx/packed.h"
#include "op_tester.h"
#include "unit/graph_builders.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::mentions;
using testing::OpTester;

constexpr float kInf = std::numeric_limits<float>::infinity();

uint8_t enc(DType t, float x, bool saturate = true) { return small_float_encode(t, x, saturate); }
float dec(DType t, uint8_t code) { return small_float_decode(t, code); }

// ---- float8 ----

TEST(ElementTypes, Float8E4M3FN) {
  const DType t = DType::Float8E4M3FN;  // bias 7, NaN S.1111.111, no inf
  EXPECT_EQ(enc(t, 1.0f), 0x38);        // 0.0111.000: 2^(7-7)
  EXPECT_EQ(enc(t, 0.5f), 0x30);        // 0.0110.000
  EXPECT_EQ(enc(t, 448.0f), 0x7E);      // 0.1111.110: 1.75 * 2^8, the largest
  EXPECT_EQ(enc(t, 0x1p-9f), 0x01);     // 0.0000.001: 1/8 * 2^-6, the smallest subnormal
  EXPECT_EQ(enc(t, 0x1p-10f), 0x00);    // half of it: a tie, to the even 0
  EXPECT_EQ(enc(t, 1.0625f), 0x38);     // between 1 (.000) and 1.125 (.001): to even
  EXPECT_EQ(enc(t, 1.1875f), 0x3A);     // between 1.125 (.001) and 1.25 (.010): to even
  EXPECT_EQ(enc(t, 464.0f), 0x7E);      // between 448 and 480 (the NaN code): to even 448
  EXPECT_EQ(enc(t, -0.0f), 0x80);       // -0 exists
  EXPECT_EQ(enc(t, NAN), 0x7F);
  EXPECT_EQ(enc(t, kInf), 0x7E);  // saturate: the largest finite value
  EXPECT_EQ(enc(t, -kInf), 0xFE);
  EXPECT_EQ(enc(t, kInf, false), 0x7F);  // no inf: NaN
  EXPECT_EQ(enc(t, 500.0f, false), 0x7F);
  EXPECT_EQ(enc(t, 500.0f, true), 0x7E);
  EXPECT_EQ(dec(t, 0x01), 0x1p-9f);
  EXPECT_EQ(dec(t, 0xFE), -448.0f);
  EXPECT_EQ(dec(t, 0x78), 256.0f);  // 0.1111.000: exponent 15 is a number here
  EXPECT_TRUE(std::isnan(dec(t, 0x7F)));
  EXPECT_TRUE(std::isnan(dec(t, 0xFF)));
}

TEST(ElementTypes, Float8E4M3FNUZ) {
  const DType t = DType::Float8E4M3FNUZ;  // bias 8, NaN 1.0000.000, no inf, no -0
  EXPECT_EQ(enc(t, 1.0f), 0x40);          // 0.1000.000
  EXPECT_EQ(enc(t, 0.5f), 0x38);
  EXPECT_EQ(enc(t, 240.0f), 0x7F);     // 0.1111.111: 1.875 * 2^7, the largest
  EXPECT_EQ(enc(t, 0x1p-10f), 0x01);   // 1/8 * 2^-7
  EXPECT_EQ(enc(t, -0.0f), 0x00);      // no negative zero
  EXPECT_EQ(enc(t, -0x1p-12f), 0x00);  // rounds to -0, which is +0 here
  EXPECT_EQ(enc(t, NAN), 0x80);
  EXPECT_EQ(enc(t, kInf), 0x7F);
  EXPECT_EQ(enc(t, -kInf), 0xFF);
  EXPECT_EQ(enc(t, -kInf, false), 0x80);
  EXPECT_TRUE(std::isnan(dec(t, 0x80)));
  EXPECT_EQ(dec(t, 0xFF), -240.0f);
}

TEST(ElementTypes, Float8E5M2) {
  const DType t = DType::Float8E5M2;  // bias 15, IEEE-like: inf S.11111.00, NaN S.11111.xx
  EXPECT_EQ(enc(t, 1.0f), 0x3C);      // 0.01111.00
  EXPECT_EQ(enc(t, 0.5f), 0x38);
  EXPECT_EQ(enc(t, 57344.0f), 0x7B);         // 0.11110.11: 1.75 * 2^15
  EXPECT_EQ(enc(t, 0x1p-16f), 0x01);         // 1/4 * 2^-14
  EXPECT_EQ(enc(t, 1.125f), 0x3C);           // between 1 (.00) and 1.25 (.01): to even
  EXPECT_EQ(enc(t, 1.375f), 0x3E);           // between 1.25 (.01) and 1.5 (.10): to even
  EXPECT_EQ(enc(t, 61440.0f, false), 0x7C);  // halfway to 2^16: to even, which is inf
  EXPECT_EQ(enc(t, 61440.0f, true), 0x7B);
  EXPECT_EQ(enc(t, kInf, false), 0x7C);
  EXPECT_EQ(enc(t, -kInf, false), 0xFC);
  EXPECT_EQ(enc(t, kInf), 0x7B);
  EXPECT_EQ(enc(t, NAN), 0x7E);
  EXPECT_EQ(dec(t, 0x7C), kInf);
  EXPECT_EQ(dec(t, 0xFC), -kInf);
  EXPECT_TRUE(std::isnan(dec(t, 0x7D)));
  EXPECT_EQ(dec(t, 0x01), 0x1p-16f);
}

TEST(ElementTypes, Float8E5M2FNUZ) {
  const DType t = DType::Float8E5M2FNUZ;  // bias 16, NaN 1.00000.00, no inf, no -0
  EXPECT_EQ(enc(t, 1.0f), 0x40);          // 0.10000.00
  EXPECT_EQ(enc(t, 57344.0f), 0x7F);      // 0.11111.11: 1.75 * 2^15
  EXPECT_EQ(enc(t, 0x1p-17f), 0x01);      // 1/4 * 2^-15
  EXPECT_EQ(enc(t, NAN), 0x80);
  EXPECT_EQ(enc(t, kInf, false), 0x80);
  EXPECT_EQ(enc(t, -kInf), 0xFF);
  EXPECT_EQ(enc(t, -0.0f), 0x00);
  EXPECT_TRUE(std::isnan(dec(t, 0x80)));
}

// ---- float4e2m1 and float8e8m0 ----

TEST(ElementTypes, Float4E2M1) {
  const DType t = DType::Float4E2M1;  // bias 1, no inf, no NaN
  const float magnitudes[8] = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6};
  for (uint8_t c = 0; c < 8; ++c) {
    EXPECT_EQ(dec(t, c), magnitudes[c]);
    EXPECT_EQ(dec(t, c | 8), -magnitudes[c]);
    EXPECT_EQ(enc(t, magnitudes[c]), c);
  }
  EXPECT_EQ(enc(t, 5.0f), 6);         // between 4 (110) and 6 (111): to even
  EXPECT_EQ(enc(t, 0.25f), 0);        // between 0 and 0.5: to even
  EXPECT_EQ(enc(t, 7.0f, false), 7);  // no inf: always saturates
  EXPECT_EQ(enc(t, -kInf), 0xF);
  EXPECT_EQ(enc(t, NAN), 0x8);  // no NaN: ONNX's reference gives -0
}

TEST(ElementTypes, Float8E8M0) {
  const DType t = DType::Float8E8M0;  // 2^(code - 127); 0xFF NaN
  EXPECT_EQ(dec(t, 127), 1.0f);
  EXPECT_EQ(dec(t, 0), 0x1p-127f);
  EXPECT_EQ(dec(t, 254), 0x1p127f);
  EXPECT_TRUE(std::isnan(dec(t, 255)));
  using R = E8M0Rounding;
  EXPECT_EQ(small_float_encode(t, 1.0f, true, R::Up), 127);
  EXPECT_EQ(small_float_encode(t, 1.1f, true, R::Up), 128);  // up to 2
  EXPECT_EQ(small_float_encode(t, 1.1f, true, R::Down), 127);
  EXPECT_EQ(small_float_encode(t, 1.4f, true, R::Nearest), 127);
  EXPECT_EQ(small_float_encode(t, 1.5f, true, R::Nearest), 128);  // the tie goes up
  EXPECT_EQ(small_float_encode(t, -4.0f, true, R::Up), 129);      // the sign is dropped
  EXPECT_EQ(small_float_encode(t, kInf, true, R::Up), 255);
  EXPECT_EQ(small_float_encode(t, 0x1.8p127f, true, R::Up), 254);   // saturates at 2^127
  EXPECT_EQ(small_float_encode(t, 0x1.8p127f, false, R::Up), 255);  // else NaN
}

// ---- packed integers ----

TEST(ElementTypes, Int4PackingOfAnOddCount) {
  Tensor wide = Tensor::from_vector<int8_t>({3}, {-8, 7, -1});
  Tensor packed(DType::Int4, {3});
  ASSERT_EQ(packed.nbytes(), 2u);
  narrow_into(wide, packed);
  const uint8_t* b = static_cast<const uint8_t*>(packed.raw());
  EXPECT_EQ(b[0], 0x78);  // -8 is 1000 (low nibble), 7 is 0111 (high)
  EXPECT_EQ(b[1], 0x0F);  // -1 is 1111; the padding nibble is zero
  EXPECT_EQ(widen(packed).to_vector<int8_t>(), (std::vector<int8_t>{-8, 7, -1}));
}

TEST(ElementTypes, UInt2AndInt2Packing) {
  Tensor packed(DType::UInt2, {5});
  narrow_into(Tensor::from_vector<uint8_t>({5}, {0, 1, 2, 3, 1}), packed);
  const uint8_t* b = static_cast<const uint8_t*>(packed.raw());
  EXPECT_EQ(b[0], 0xE4);  // 11 10 01 00, the first element lowest
  EXPECT_EQ(b[1], 0x01);
  EXPECT_EQ(sign_extend(0b10, 2), -2);
  EXPECT_EQ(sign_extend(0b01, 2), 1);
}

TEST(ElementTypes, CastWrapsIntegersAndSaturatesFloat8) {
  OpTester to_int4("Cast", 21);
  to_int4.input("x", Tensor::from_vector<float>({4}, {9, -9, 7.9f, -8}))
      .attr("to", static_cast<int64_t>(DType::Int4))
      .output("y");
  // Truncated toward zero, then the low 4 bits: 9 -> -7, -9 -> 7, 7.9 -> 7.
  EXPECT_EQ(widen(to_int4.run()[0]).to_vector<int8_t>(), (std::vector<int8_t>{-7, 7, 7, -8}));

  OpTester no_sat("Cast", 19);
  no_sat.input("x", Tensor::from_vector<float>({2}, {1000, 1}))
      .attr("to", static_cast<int64_t>(DType::Float8E5M2))
      .attr("saturate", int64_t{0})
      .output("y");
  Tensor y = no_sat.run()[0];
  EXPECT_EQ(static_cast<const uint8_t*>(y.raw())[0], 0x64);  // 1000 -> 1024: 0.11001.00
  EXPECT_EQ(static_cast<const uint8_t*>(y.raw())[1], 0x3C);
  EXPECT_TRUE(mentions(error_of([] {
                         OpTester t("Cast", 19);
                         t.input("x", Tensor::from_vector<float>({1}, {1}))
                             .attr("to", static_cast<int64_t>(DType::Int4))
                             .output("y");
                         t.run();
                       }),
                       "cannot cast to int4 at opset 19"));
}

TEST(ElementTypes, CastRoundModeForFloat8E8M0) {
  auto e8m0 = [](const char* mode) {
    OpTester t("Cast", 25);
    t.input("x", Tensor::from_vector<float>({2}, {1.9f, 3.0f}))
        .attr("to", static_cast<int64_t>(DType::Float8E8M0))
        .attr("round_mode", mode)
        .output("y");
    const Tensor y = t.run()[0];
    const uint8_t* c = static_cast<const uint8_t*>(y.raw());
    return std::vector<uint8_t>(c, c + 2);
  };
  // 1.9 = 1.9 * 2^0 and 3 = 1.5 * 2^1: down keeps the exponent (127, 128), up adds one
  // (128, 129), nearest adds one from 1.5 on, the tie included.
  EXPECT_EQ(e8m0("down"), (std::vector<uint8_t>{127, 128}));
  EXPECT_EQ(e8m0("up"), (std::vector<uint8_t>{128, 129}));
  EXPECT_EQ(e8m0("nearest"), (std::vector<uint8_t>{128, 129}));
  EXPECT_TRUE(mentions(error_of([&] { e8m0("sideways"); }), "must be up, down or nearest"));
}

// ---- loading ----

TEST(ElementTypes, LoaderReadsPackedRawAndInt32Data) {
  Tensor t = load_tensor_proto(
      test::bytes_of(test::raw_tensor("w", static_cast<int32_t>(DType::Int4), {3}, {0x78, 0x0F})));
  EXPECT_EQ(t.dtype(), DType::Int4);
  EXPECT_EQ(widen(t).to_vector<int8_t>(), (std::vector<int8_t>{-8, 7, -1}));

  onnx::TensorProto p;  // int32_data holds one byte of storage per value
  p.set_data_type(static_cast<int32_t>(DType::UInt2));
  p.add_dims(5);
  p.add_int32_data(0xE4);
  p.add_int32_data(0x01);
  EXPECT_EQ(widen(load_tensor_proto(test::bytes_of(p))).to_vector<uint8_t>(),
            (std::vector<uint8_t>{0, 1, 2, 3, 1}));
  p.add_int32_data(0);
  EXPECT_TRUE(mentions(error_of([&] { load_tensor_proto(test::bytes_of(p)); }),
                       "int32_data has 3 values, expected 2"));
  p.clear_int32_data();
  p.add_int32_data(0x1E4);
  p.add_int32_data(0);
  EXPECT_TRUE(mentions(error_of([&] { load_tensor_proto(test::bytes_of(p)); }), "not a byte"));
}

TEST(ElementTypes, LoaderRefusesRawDataOfTheWrongLength) {
  // int4[3] needs 2 bytes, float8e4m3fn[2] 2, int2[5] 2.
  auto load_raw = [](DType t, int64_t n, std::initializer_list<uint8_t> bytes) {
    return error_of([&] {
      load_tensor_proto(test::bytes_of(test::raw_tensor("w", static_cast<int32_t>(t), {n}, bytes)));
    });
  };
  EXPECT_TRUE(mentions(load_raw(DType::Int4, 3, {1}), "raw_data has 1 bytes, expected 2"));
  EXPECT_TRUE(mentions(load_raw(DType::Int4, 3, {1, 2, 3}), "raw_data has 3 bytes, expected 2"));
  EXPECT_TRUE(
      mentions(load_raw(DType::Float8E4M3FN, 2, {1, 2, 3}), "raw_data has 3 bytes, expected 2"));
  EXPECT_TRUE(mentions(load_raw(DType::Int2, 5, {1}), "raw_data has 1 bytes, expected 2"));
}

}  // namespace
}  // namespace onyx
