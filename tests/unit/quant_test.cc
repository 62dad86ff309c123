// One-node tests of the quant operators (QuantizeLinear, DequantizeLinear,
// DynamicQuantizeLinear, MatMulInteger, QLinearMatMul, ConvInteger, QLinearConv) for cases
// the ONNX backend data misses: non-leading axes, ties, saturation, opsets 19 and 21,
// per-row/column/channel parameters and bad inputs. Expected values are worked out by hand
// in the comments.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "onyx/narrow_tensor.h"
#include "onyx/onyx.h"
#include "onyx/shape_inference.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::floats;
using testing::OpTester;

#define EXPECT_ERROR(statement, text)                                   \
  EXPECT_NE(error_of([&] { statement; }).find(text), std::string::npos) \
      << error_of([&] { statement; })

// The type inference gives output 0 of `t` when input 0 is declared as `x_type`.
std::string inferred_output(const OpTester& t, const TypeInfo& x_type) {
  Model m = t.model();
  m.graph.value(m.graph.inputs[0]).type = x_type;
  m.graph.value(m.graph.outputs[0]).type = TypeInfo{};
  const Registry& r = builtin_registry();
  InferenceResult res = infer_shapes(m.graph, [&r](const Node& n) { return r.shape_rule(n); });
  return res.types[m.graph.outputs[0]].to_string();
}

template <class T>
Tensor tensor(Shape shape, std::vector<T> values) {
  return Tensor::from_vector<T>(std::move(shape), values);
}
template <class T>
Tensor scalar(T value) {
  return Tensor::scalar<T>(value);
}
Tensor halfs(Shape shape, const std::vector<float>& values) {
  std::vector<float16_t> v;
  for (float f : values) v.push_back(float16_t(f));
  return tensor<float16_t>(std::move(shape), v);
}

Tensor quantize(int opset, const Tensor& x, const Tensor& scale, const Tensor* zp,
                std::function<void(OpTester&)> attrs = {}) {
  OpTester t("QuantizeLinear", opset);
  t.input("x", x).input("scale", scale);
  if (zp) t.input("zp", *zp);
  if (attrs) attrs(t);
  t.output("y");
  return t.run()[0];
}

Tensor dequantize(int opset, const Tensor& x, const Tensor& scale, const Tensor* zp,
                  std::function<void(OpTester&)> attrs = {}) {
  OpTester t("DequantizeLinear", opset);
  t.input("x", x).input("scale", scale);
  if (zp) t.input("zp", *zp);
  if (attrs) attrs(t);
  t.output("y");
  return t.run()[0];
}

// ---- QuantizeLinear ----

TEST(QuantQuantize, RoundsHalfToEven) {
  // scale 1, zero point 10: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -0.5 -> 0, -1.5 -> -2, 3.5 -> 4,
  // 0.4 -> 0, 0.6 -> 1; plus 10.
  Tensor zp = scalar<uint8_t>(10);
  Tensor y = quantize(13, floats({8}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 3.5f, 0.4f, 0.6f}),
                      scalar(1.0f), &zp);
  EXPECT_EQ(y.to_vector<uint8_t>(), (std::vector<uint8_t>{10, 12, 12, 10, 8, 14, 10, 11}));
}

TEST(QuantQuantize, SaturatesInt8AndUint8) {
  // int8, zero point 0: 300 -> 127, 127.5 -> 128 -> 127, -128.5 -> -128, -200 -> -128, 126.5 ->
  // 126.
  Tensor zi = scalar<int8_t>(0);
  Tensor yi = quantize(13, floats({5}, {300, 127.5f, -128.5f, -200, 126.5f}), scalar(1.0f), &zi);
  EXPECT_EQ(yi.dtype(), DType::Int8);
  EXPECT_EQ(yi.to_vector<int8_t>(), (std::vector<int8_t>{127, 127, -128, -128, 126}));
  // uint8, zero point 200, scale 2: 200 -> 100 + 200 -> 255; -500 -> -250 + 200 -> 0;
  // 109 -> 54.5 -> 54 + 200 = 254; -401 -> -200.5 -> -200 + 200 = 0.
  Tensor zu = scalar<uint8_t>(200);
  Tensor yu = quantize(13, floats({4}, {200, -500, 109, -401}), scalar(2.0f), &zu);
  EXPECT_EQ(yu.to_vector<uint8_t>(), (std::vector<uint8_t>{255, 0, 254, 0}));
  // No zero point: uint8 with zero point 0, so negatives clamp to 0.
  Tensor yd = quantize(10, floats({3}, {-3, 3, 256}), scalar(1.0f), nullptr);
  EXPECT_EQ(yd.dtype(), DType::UInt8);
  EXPECT_EQ(yd.to_vector<uint8_t>(), (std::vector<uint8_t>{0, 3, 255}));
}

TEST(QuantQuantize, PerAxisOnMiddleAxis) {
  // x = 0..11 as [2, 3, 2], axis 1: scale [1, 2, 4], zero point [0, 10, 20].
  // (o, a, r) holds 6o + 2a + r:  a=0: 0, 1 | 6, 7;  a=1: 2/2 = 1, 3/2 = 1.5 -> 2 | 8/2 = 4,
  // 9/2 = 4.5 -> 4, plus 10;  a=2: 4/4 = 1, 5/4 -> 1 | 10/4 = 2.5 -> 2, 11/4 -> 3, plus 20.
  std::vector<float> v(12);
  for (int i = 0; i < 12; ++i) v[i] = static_cast<float>(i);
  Tensor zp = tensor<uint8_t>({3}, {0, 10, 20});
  Tensor y = quantize(13, floats({2, 3, 2}, v), floats({3}, {1, 2, 4}), &zp,
                      [](OpTester& t) { t.attr("axis", int64_t{1}); });
  EXPECT_EQ(y.to_vector<uint8_t>(),
            (std::vector<uint8_t>{0, 1, 11, 12, 21, 21, 6, 7, 14, 14, 22, 23}));
}

TEST(QuantQuantize, PerAxisOnLastAxisNegative) {
  // x = 0..11 as [2, 2, 3], axis -1: element i uses scale [1, 2, 4][i % 3], zero point
  // [0, -1, 1][i % 3]: 0, 0.5 -> 0, 0.5 -> 0 | 3, 2, 1.25 -> 1 | 6, 3.5 -> 4, 2 | 9, 5, 2.75 -> 3.
  std::vector<float> v(12);
  for (int i = 0; i < 12; ++i) v[i] = static_cast<float>(i);
  Tensor zp = tensor<int8_t>({3}, {0, -1, 1});
  Tensor y = quantize(13, floats({2, 2, 3}, v), floats({3}, {1, 2, 4}), &zp,
                      [](OpTester& t) { t.attr("axis", int64_t{-1}); });
  EXPECT_EQ(y.to_vector<int8_t>(), (std::vector<int8_t>{0, -1, 1, 3, 1, 2, 6, 3, 3, 9, 4, 4}));
}

TEST(QuantQuantize, Opset19HalfInputAndScale) {
  // float16 x and scale 0.5: 0.75 / 0.5 = 1.5 -> 2, 1.25 / 0.5 = 2.5 -> 2, -3 / 0.5 = -6.
  Tensor zp = scalar<int8_t>(0);
  Tensor y = quantize(19, halfs({3}, {0.75f, 1.25f, -3}), halfs({}, {0.5f}), &zp);
  EXPECT_EQ(y.to_vector<int8_t>(), (std::vector<int8_t>{2, 2, -6}));
  // At 19 the scale must have x's dtype, and saturate is 0 or 1.
  EXPECT_ERROR(quantize(19, floats({1}, {1}), halfs({}, {0.5f}), &zp), "x's dtype");
  EXPECT_ERROR(quantize(19, floats({1}, {1}), scalar(1.0f), &zp,
                        [](OpTester& t) { t.attr("saturate", int64_t{2}); }),
               "saturate");
  // Opset 13 takes only a float scale.
  EXPECT_ERROR(quantize(13, floats({1}, {1}), halfs({}, {0.5f}), &zp), "must be float");
}

TEST(QuantQuantize, Opset21SixteenBitAndOutputDtype) {
  // int16: 40000 -> 32767, -40000 -> -32768, 1.5 -> 2, 2.5 -> 2.
  Tensor z16 = scalar<int16_t>(0);
  Tensor y16 = quantize(21, floats({4}, {40000, -40000, 1.5f, 2.5f}), scalar(1.0f), &z16);
  EXPECT_EQ(y16.to_vector<int16_t>(), (std::vector<int16_t>{32767, -32768, 2, 2}));
  // uint16: -1 -> 0, 70000 -> 65535, 65534.5 -> 65534.
  Tensor zu16 = scalar<uint16_t>(0);
  Tensor yu16 = quantize(21, floats({3}, {-1, 70000, 65534.5f}), scalar(1.0f), &zu16);
  EXPECT_EQ(yu16.to_vector<uint16_t>(), (std::vector<uint16_t>{0, 65535, 65534}));
  // output_dtype int8 (3) without a zero point: -1.5 -> -2, 200 -> 127.
  Tensor y8 = quantize(21, floats({2}, {-1.5f, 200}), scalar(1.0f), nullptr,
                       [](OpTester& t) { t.attr("output_dtype", int64_t{3}); });
  EXPECT_EQ(y8.dtype(), DType::Int8);
  EXPECT_EQ(y8.to_vector<int8_t>(), (std::vector<int8_t>{-2, 127}));
  // output_dtype must match the zero point; int16 does not exist before 21.
  EXPECT_ERROR(quantize(21, floats({1}, {1}), scalar(1.0f), &z16,
                        [](OpTester& t) { t.attr("output_dtype", int64_t{3}); }),
               "does not match");
  EXPECT_ERROR(quantize(19, floats({1}, {1}), scalar(1.0f), &z16), "this opset allows");
  // output_dtype float8e4m3fn (17): x / 2 rounded to the format, saturating. 0.5 is
  // 0.0110.000; 150 lies in [128, 256) where values are 16 apart: 9.375 steps -> 9, so
  // 144 = 0.1110.001; 500 -> the largest, 448 = 0.1111.110.
  Tensor f8 = quantize(21, floats({3}, {1, 300, 1000}), scalar(2.0f), nullptr,
                       [](OpTester& t) { t.attr("output_dtype", int64_t{17}); });
  ASSERT_EQ(f8.dtype(), DType::Float8E4M3FN);
  const uint8_t* codes = static_cast<const uint8_t*>(f8.raw());
  EXPECT_EQ((std::vector<uint8_t>(codes, codes + 3)), (std::vector<uint8_t>{0x30, 0x71, 0x7E}));
  // int2 (26) arrives at opset 25.
  EXPECT_ERROR(quantize(21, floats({1}, {1}), scalar(1.0f), nullptr,
                        [](OpTester& t) { t.attr("output_dtype", int64_t{26}); }),
               "this opset allows");
}

// An int4 tensor of the given values (each in [-8, 7]).
Tensor int4s(Shape shape, const std::vector<int8_t>& values) {
  Tensor t(DType::Int4, shape);
  narrow_into(tensor<int8_t>(shape, values), t);
  return t;
}

TEST(QuantQuantize, NarrowIntegersSaturateToTheirRange) {
  // int4, zero point 1: -20 -> -19 -> -8; -1.5 -> -2 + 1 = -1; 0.5 -> 0 + 1; 2.5 -> 2 + 1;
  // 20 -> 21 -> 7. Then back with scale 0.5: (q - 1) / 2.
  Tensor zp = int4s({}, {1});
  Tensor q = quantize(21, floats({5}, {-20, -1.5f, 0.5f, 2.5f, 20}), scalar(1.0f), &zp);
  ASSERT_EQ(q.dtype(), DType::Int4);
  EXPECT_EQ(widen(q).to_vector<int8_t>(), (std::vector<int8_t>{-8, -1, 1, 3, 7}));
  EXPECT_EQ(dequantize(21, q, scalar(0.5f), &zp).to_vector<float>(),
            (std::vector<float>{-4.5f, -1, 0, 1, 3}));
  // uint2 (25) by output_dtype, no zero point: -1 -> 0, 5 -> 3.
  Tensor u2 = quantize(25, floats({2}, {-1, 5}), scalar(1.0f), nullptr,
                       [](OpTester& t) { t.attr("output_dtype", int64_t{25}); });
  EXPECT_EQ(widen(u2).to_vector<uint8_t>(), (std::vector<uint8_t>{0, 3}));
}

TEST(QuantQuantize, Opset21Blocked) {
  // x [[1, 2, 3, 4], [5, 6, 7, 8]], axis 1, block 2, scale [[1, 2], [4, 8]], zero point
  // [[0, 0], [1, 1]]: row 0: 1, 2, 1.5 -> 2, 2;  row 1: 1.25 -> 1, 1.5 -> 2, 0.875 -> 1, 1, plus 1.
  Tensor zp = tensor<int8_t>({2, 2}, {0, 0, 1, 1});
  auto block = [](OpTester& t) { t.attr("axis", int64_t{1}).attr("block_size", int64_t{2}); };
  Tensor y = quantize(21, floats({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}), floats({2, 2}, {1, 2, 4, 8}),
                      &zp, block);
  EXPECT_EQ(y.to_vector<int8_t>(), (std::vector<int8_t>{1, 2, 2, 2, 2, 3, 2, 2}));
  // A short last block: 5 columns in blocks of 2 take 3 scales [1, 2, 4]:
  // 1, 2, 3/2 = 1.5 -> 2, 4/2 = 2, 5/4 = 1.25 -> 1.
  Tensor ys =
      quantize(21, floats({1, 5}, {1, 2, 3, 4, 5}), floats({1, 3}, {1, 2, 4}), nullptr, block);
  EXPECT_EQ(ys.to_vector<uint8_t>(), (std::vector<uint8_t>{1, 2, 2, 2, 1}));
  // ceil(4 / 2) = 2 scales per row are needed, not 1.
  EXPECT_ERROR(quantize(21, floats({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}), floats({2, 1}, {1, 2}),
                        nullptr, block),
               "must have 2 at dim 1");
  EXPECT_ERROR(quantize(21, floats({2}, {1, 2}), scalar(1.0f), nullptr,
                        [](OpTester& t) { t.attr("block_size", int64_t{-1}); }),
               "block_size must be non-negative");
}

TEST(QuantQuantize, BadScalesAndZeroPoints) {
  Tensor x = floats({2, 3}, {1, 2, 3, 4, 5, 6});
  // Axis 1 has 3 entries; a 2-long scale does not fit it.
  EXPECT_ERROR(quantize(13, x, floats({2}, {1, 2}), nullptr), "the scale has 2 values but x has 3");
  EXPECT_ERROR(quantize(13, x, floats({3}, {1, 2, 3}), nullptr,
                        [](OpTester& t) { t.attr("axis", int64_t{2}); }),
               "axis");
  // Opset 10 is per tensor only.
  EXPECT_ERROR(quantize(10, x, floats({3}, {1, 2, 3}), nullptr), "per-tensor");
  // Dividing by a zero or negative scale has no quantized value.
  EXPECT_ERROR(quantize(13, x, scalar(0.0f), nullptr), "positive");
  EXPECT_ERROR(quantize(13, x, floats({3}, {1, -2, 3}), nullptr), "positive");
  // The zero point must have the scale's shape and an 8-bit dtype at opset 13.
  Tensor zp2 = tensor<uint8_t>({2}, {0, 0});
  EXPECT_ERROR(quantize(13, x, floats({3}, {1, 2, 3}), &zp2), "must match");
  Tensor zp32 = scalar<int32_t>(0);
  EXPECT_ERROR(quantize(13, x, scalar(1.0f), &zp32), "int32; this opset allows int8, uint8");
  // A scale of rank 2 needs block_size.
  EXPECT_ERROR(quantize(21, x, floats({2, 3}, {1, 1, 1, 1, 1, 1}), nullptr), "scalar or 1-D");
}

// ---- DequantizeLinear ----

TEST(QuantDequantize, PerAxisOnLastAxis) {
  // x [[1, 2, 3], [4, 5, 6]] uint8, axis -1, scale [0.5, 1, 2], zero point [1, 2, 3]:
  // (1-1)*0.5, (2-2)*1, (3-3)*2 | (4-1)*0.5 = 1.5, (5-2)*1 = 3, (6-3)*2 = 6.
  Tensor zp = tensor<uint8_t>({3}, {1, 2, 3});
  Tensor y = dequantize(13, tensor<uint8_t>({2, 3}, {1, 2, 3, 4, 5, 6}), floats({3}, {0.5f, 1, 2}),
                        &zp, [](OpTester& t) { t.attr("axis", int64_t{-1}); });
  EXPECT_EQ(y.dtype(), DType::Float);
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{0, 0, 0, 1.5f, 3, 6}));
}

TEST(QuantDequantize, PerAxisOnMiddleAxisOfRank3) {
  // x int8 [1, 2, 2] = [[[-128, 127], [10, -10]]], axis 1, scale [1, 0.5], zero point [0, -10]:
  // -128, 127 | (10+10)*0.5 = 10, 0.
  Tensor zp = tensor<int8_t>({2}, {0, -10});
  Tensor y =
      dequantize(13, tensor<int8_t>({1, 2, 2}, {-128, 127, 10, -10}), floats({2}, {1, 0.5f}), &zp);
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{-128, 127, 10, 0}));
}

TEST(QuantDequantize, Opset10Int32AndErrors) {
  // int32 has no zero point: 100000 * 0.5 = 50000.
  Tensor y = dequantize(10, tensor<int32_t>({2}, {100000, -3}), scalar(0.5f), nullptr);
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{50000, -1.5f}));
  EXPECT_ERROR(dequantize(10, tensor<uint8_t>({2}, {1, 2}), floats({2}, {1, 2}), nullptr),
               "per-tensor");
  // The zero point has x's dtype.
  Tensor zp = scalar<int8_t>(0);
  EXPECT_ERROR(dequantize(13, tensor<uint8_t>({2}, {1, 2}), scalar(1.0f), &zp),
               "x_zero_point must have x's dtype uint8");
  // int16 x arrives at opset 21.
  EXPECT_ERROR(dequantize(19, tensor<int16_t>({1}, {1}), scalar(1.0f), nullptr),
               "this opset allows");
}

TEST(QuantDequantize, Opset19HalfScaleGivesHalfOutput) {
  // (10 - 10) * 0.5 = 0, (21 - 10) * 0.5 = 5.5.
  Tensor zp = scalar<uint8_t>(10);
  Tensor y = dequantize(19, tensor<uint8_t>({2}, {10, 21}), halfs({}, {0.5f}), &zp);
  EXPECT_EQ(y.dtype(), DType::Float16);
  EXPECT_EQ(static_cast<float>(y.data<float16_t>()[1]), 5.5f);
  EXPECT_EQ(static_cast<float>(y.data<float16_t>()[0]), 0.0f);
}

TEST(QuantDequantize, Opset21BlockedInt16) {
  // x int16 [[1, 2], [3, 4], [5, 6]], axis 0, block 2, scale [[1, 10], [100, 1000]]:
  // rows 0 and 1 use scale row 0, row 2 uses scale row 1.
  Tensor y = dequantize(
      21, tensor<int16_t>({3, 2}, {1, 2, 3, 4, 5, 6}), floats({2, 2}, {1, 10, 100, 1000}), nullptr,
      [](OpTester& t) { t.attr("axis", int64_t{0}).attr("block_size", int64_t{2}); });
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{1, 20, 3, 40, 500, 6000}));
}

TEST(QuantDequantize, Int4InputBeforeOpset21IsAClearError) {
  // Declare x as int4: the spec allows it from opset 21 only.
  OpTester t("DequantizeLinear", 19);
  t.input("x", tensor<uint8_t>({2}, {1, 2})).input("scale", scalar(1.0f)).output("y");
  Model m = t.model();
  m.graph.value(m.graph.inputs[0]).type = TypeInfo::tensor_of(DType::Int4, {2});
  EXPECT_ERROR(Session(builtin_registry(), m, SessionOptions{1, true}),
               "x has dtype int4; this opset allows");
}

// ---- DynamicQuantizeLinear ----

std::vector<Tensor> dynamic_quantize(const Tensor& x) {
  OpTester t("DynamicQuantizeLinear", 11);
  t.input("x", x).output("y").output("scale").output("zp");
  return t.run();
}

TEST(QuantDynamic, RangeIncludesZero) {
  // x in [-10, 245]: scale (245 + 10) / 255 = 1, zero point 0 - (-10) = 10;
  // y = x + 10, with 100.5 -> 100 and 101.5 -> 102 (ties to even).
  std::vector<Tensor> r = dynamic_quantize(floats({5}, {-10, 0, 100.5f, 101.5f, 245}));
  EXPECT_EQ(r[0].to_vector<uint8_t>(), (std::vector<uint8_t>{0, 10, 110, 112, 255}));
  EXPECT_EQ(r[1].to_vector<float>(), std::vector<float>{1});
  EXPECT_EQ(r[2].to_vector<uint8_t>(), std::vector<uint8_t>{10});
  // All positive: the range [0, 510] gives scale 2, zero point 0; 3 / 2 = 1.5 -> 2, 5 / 2 -> 2.
  r = dynamic_quantize(floats({4}, {510, 3, 5, 0}));
  EXPECT_EQ(r[0].to_vector<uint8_t>(), (std::vector<uint8_t>{255, 2, 2, 0}));
  EXPECT_EQ(r[1].to_vector<float>(), std::vector<float>{2});
  // All negative: range [-255, 0], scale 1, zero point 255.
  r = dynamic_quantize(floats({2}, {-255, -1}));
  EXPECT_EQ(r[0].to_vector<uint8_t>(), (std::vector<uint8_t>{0, 254}));
  EXPECT_EQ(r[2].to_vector<uint8_t>(), std::vector<uint8_t>{255});
  // All zero: an empty range takes scale 1 and zero point 0.
  r = dynamic_quantize(floats({2}, {0, 0}));
  EXPECT_EQ(r[1].to_vector<float>(), std::vector<float>{1});
  EXPECT_EQ(r[2].to_vector<uint8_t>(), std::vector<uint8_t>{0});
  EXPECT_ERROR(dynamic_quantize(floats({2}, {1, NAN})), "finite");
}

// ---- MatMulInteger and QLinearMatMul ----

TEST(QuantMatMul, PerRowAndPerColumnZeroPoints) {
  // A [[1, 2, 3], [4, 5, 6]] - a_zp [1, 3] per row = [[0, 1, 2], [1, 2, 3]];
  // B [[1, -1], [2, 0], [3, 1]] - b_zp [1, 0] per column = [[0, -1], [1, 0], [2, 1]];
  // product [[0+1+4, 0+0+2], [0+2+6, -1+0+3]] = [[5, 2], [8, 2]].
  OpTester t("MatMulInteger", 10);
  t.input("A", tensor<uint8_t>({2, 3}, {1, 2, 3, 4, 5, 6}))
      .input("B", tensor<int8_t>({3, 2}, {1, -1, 2, 0, 3, 1}))
      .input("a_zp", tensor<uint8_t>({2}, {1, 3}))
      .input("b_zp", tensor<int8_t>({2}, {1, 0}))
      .output("Y");
  Tensor y = t.run()[0];
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(y.to_vector<int32_t>(), (std::vector<int32_t>{5, 2, 8, 2}));
}

TEST(QuantMatMul, BatchedZeroPointsAndVectors) {
  // A [2, 1, 2] = [[[1, 2]], [[3, 4]]] with a_zp [2, 1, 1] = [1, 2] per batch row:
  // [[0, 1]], [[1, 2]]; B [2, 1] = [5, 6] is shared: [[6]], [[5 + 12]] = [[17]].
  OpTester t("MatMulInteger", 10);
  t.input("A", tensor<uint8_t>({2, 1, 2}, {1, 2, 3, 4}))
      .input("B", tensor<uint8_t>({2, 1}, {5, 6}))
      .input("a_zp", tensor<uint8_t>({2, 1, 1}, {1, 2}))
      .output("Y");
  Tensor y = t.run()[0];
  EXPECT_EQ(y.shape(), (Shape{2, 1, 1}));
  EXPECT_EQ(y.to_vector<int32_t>(), (std::vector<int32_t>{6, 17}));
  // Two vectors: 1*4 + 2*5 + 3*6 = 32, a scalar.
  OpTester v("MatMulInteger", 10);
  v.input("A", tensor<int8_t>({3}, {1, 2, 3}))
      .input("B", tensor<int8_t>({3}, {4, 5, 6}))
      .output("Y");
  Tensor s = v.run()[0];
  EXPECT_EQ(s.shape(), Shape{});
  EXPECT_EQ(s.to_vector<int32_t>(), std::vector<int32_t>{32});
}

TEST(QuantMatMul, BadZeroPoints) {
  auto run = [](const Tensor& a_zp) {
    OpTester t("MatMulInteger", 10);
    t.input("A", tensor<uint8_t>({2, 3}, {1, 2, 3, 4, 5, 6}))
        .input("B", tensor<uint8_t>({3, 1}, {1, 2, 3}))
        .input("a_zp", a_zp)
        .output("Y");
    return t.run();
  };
  EXPECT_ERROR(run(tensor<uint8_t>({3}, {1, 2, 3})), "does not fit 2 rows");
  EXPECT_ERROR(run(tensor<uint8_t>({2, 2}, {1, 2, 3, 4})), "[..., M, 1]");
  EXPECT_ERROR(run(scalar<int8_t>(1)), "must match uint8");
}

Tensor qlinear_matmul(int opset, const Tensor& a, const Tensor& a_scale, const Tensor& a_zp,
                      const Tensor& b, const Tensor& b_scale, const Tensor& b_zp,
                      const Tensor& y_scale, const Tensor& y_zp) {
  OpTester t("QLinearMatMul", opset);
  t.input("a", a).input("as", a_scale).input("azp", a_zp);
  t.input("b", b).input("bs", b_scale).input("bzp", b_zp);
  t.input("ys", y_scale).input("yzp", y_zp).output("y");
  return t.run()[0];
}

TEST(QuantMatMul, QLinearPerColumnScalesAndSaturation) {
  // a' = [[10, 20], [30, 40]] - 10 = [[0, 10], [20, 30]]; b' = [[2, 1], [4, 1]] - [0, -1]
  // per column = [[2, 2], [4, 2]]; acc = [[40, 20], [160, 100]]. Multipliers 0.5 * [0.25,
  // 0.125] / 0.25 = [0.5, 0.25] per column: [[20, 5], [80, 25]], plus 100 -> [[120, 105],
  // [180, 125]]; with y zero point 200 the 80 saturates: 280 -> 255.
  Tensor a = tensor<uint8_t>({2, 2}, {10, 20, 30, 40});
  Tensor b = tensor<int8_t>({2, 2}, {2, 1, 4, 1});
  Tensor bzp = tensor<int8_t>({2}, {0, -1});
  Tensor y = qlinear_matmul(10, a, scalar(0.5f), scalar<uint8_t>(10), b,
                            floats({2}, {0.25f, 0.125f}), bzp, scalar(0.25f), scalar<uint8_t>(100));
  EXPECT_EQ(y.to_vector<uint8_t>(), (std::vector<uint8_t>{120, 105, 180, 125}));
  y = qlinear_matmul(10, a, scalar(0.5f), scalar<uint8_t>(10), b, floats({2}, {0.25f, 0.125f}), bzp,
                     scalar(0.25f), scalar<uint8_t>(200));
  EXPECT_EQ(y.to_vector<uint8_t>(), (std::vector<uint8_t>{220, 205, 255, 225}));
}

TEST(QuantMatMul, QLinearRoundsHalfToEvenAndOpset21HalfScales) {
  // a' = [15, 17] - 10 = [5, 7] as [2, 1], b = [[1]]: acc [5, 7] * 0.5 = [2.5, 3.5] -> [2, 4].
  Tensor a = tensor<uint8_t>({2, 1}, {15, 17});
  Tensor b = tensor<int8_t>({1, 1}, {1});
  Tensor y = qlinear_matmul(10, a, scalar(0.5f), scalar<uint8_t>(10), b, scalar(1.0f),
                            scalar<int8_t>(0), scalar(1.0f), scalar<int8_t>(0));
  EXPECT_EQ(y.to_vector<int8_t>(), (std::vector<int8_t>{2, 4}));
  // Opset 21 takes float16 scales (all of one dtype); opset 10 only float.
  Tensor h = qlinear_matmul(21, a, halfs({}, {0.5f}), scalar<uint8_t>(10), b, halfs({}, {1}),
                            scalar<int8_t>(0), halfs({}, {1}), scalar<int8_t>(0));
  EXPECT_EQ(h.to_vector<int8_t>(), (std::vector<int8_t>{2, 4}));
  EXPECT_ERROR(qlinear_matmul(10, a, halfs({}, {0.5f}), scalar<uint8_t>(10), b, halfs({}, {1}),
                              scalar<int8_t>(0), halfs({}, {1}), scalar<int8_t>(0)),
               "this opset allows float");
  EXPECT_ERROR(qlinear_matmul(10, a, scalar(0.5f), scalar<uint8_t>(10), b, scalar(1.0f),
                              scalar<int8_t>(0), scalar(0.0f), scalar<int8_t>(0)),
               "positive");
}

TEST(QuantMatMul, EmptyOutputsAndSymbolicShapes) {
  // A [0, 3] x B [3, 2] is an empty [0, 2]; an empty x quantizes to an empty y.
  OpTester t("MatMulInteger", 10);
  t.input("A", tensor<uint8_t>({0, 3}, {})).input("B", tensor<uint8_t>({3, 2}, {1, 2, 3, 4, 5, 6}));
  t.output("Y");
  EXPECT_EQ(t.run()[0].shape(), (Shape{0, 2}));
  EXPECT_EQ(quantize(13, floats({0, 4}, {}), scalar(1.0f), nullptr).shape(), (Shape{0, 4}));
  // A symbolic batch stays symbolic: [batch, 0, 3] declared [batch, 2, 3] gives int32[batch, 2, 2].
  EXPECT_EQ(inferred_output(
                t, TypeInfo::tensor(DType::UInt8, std::vector<Dim>{Dim::symbol("batch"),
                                                                   Dim::known(2), Dim::known(3)})),
            "int32[batch, 2, 2]");
  OpTester q("QuantizeLinear", 13);
  q.input("x", floats({1, 2}, {1, 2})).input("s", scalar(1.0f)).input("z", scalar<int8_t>(0));
  q.output("y");
  EXPECT_EQ(inferred_output(q, TypeInfo::tensor(DType::Float,
                                                std::vector<Dim>{Dim::symbol("N"), Dim::known(2)})),
            "int8[N, 2]");
}

// ---- ConvInteger and QLinearConv ----

TEST(QuantConv, ConvIntegerGroupsPaddingPerChannelZeroPoint) {
  // 1-D, two groups of one channel. x' = [[1, 2, 3], [4, 5, 6]] - 1 = [[0, 1, 2], [3, 4, 5]];
  // w' = [[[1, 2]], [[2, 3]]] - [0, 1] = [[1, 2]] for both channels; pads 1 and 1 read the
  // zero point (adding 0). Channel 0: [P 0 1 2 P]: 0*2, 0+2, 1+4, 2 = [0, 2, 5, 2];
  // channel 1: [P 3 4 5 P]: 6, 3+8, 4+10, 5 = [6, 11, 14, 5].
  OpTester t("ConvInteger", 10);
  t.input("x", tensor<uint8_t>({1, 2, 3}, {1, 2, 3, 4, 5, 6}))
      .input("w", tensor<int8_t>({2, 1, 2}, {1, 2, 2, 3}))
      .input("x_zp", scalar<uint8_t>(1))
      .input("w_zp", tensor<int8_t>({2}, {0, 1}))
      .attr("group", int64_t{2})
      .attr("pads", std::vector<int64_t>{1, 1})
      .output("y");
  Tensor y = t.run()[0];
  EXPECT_EQ(y.shape(), (Shape{1, 2, 4}));
  EXPECT_EQ(y.to_vector<int32_t>(), (std::vector<int32_t>{0, 2, 5, 2, 6, 11, 14, 5}));
}

TEST(QuantConv, ShapeRuleKeepsSymbolicBatch) {
  // x [N, 1, 5, 5] with a 2x2 kernel, stride 2, SAME_UPPER: ceil(5 / 2) = 3 per spatial dim.
  OpTester t("ConvInteger", 10);
  t.input("x", tensor<uint8_t>({1, 1, 1, 1}, {0}))
      .input("w", tensor<uint8_t>({3, 1, 2, 2}, std::vector<uint8_t>(12, 1)))
      .attr("strides", std::vector<int64_t>{2, 2})
      .attr("auto_pad", "SAME_UPPER")
      .output("y");
  const std::vector<Dim> x = {Dim::symbol("N"), Dim::known(1), Dim::known(5), Dim::known(5)};
  EXPECT_EQ(inferred_output(t, TypeInfo::tensor(DType::UInt8, x)), "int32[N, 3, 3, 3]");
}

TEST(QuantConv, ConvIntegerBadZeroPoint) {
  OpTester t("ConvInteger", 10);
  t.input("x", tensor<uint8_t>({1, 1, 2}, {1, 2}))
      .input("w", tensor<uint8_t>({2, 1, 1}, {1, 2}))
      .omitted()
      .input("w_zp", tensor<uint8_t>({3}, {0, 0, 0}))
      .output("y");
  EXPECT_ERROR(t.run(), "one value per output channel (2)");
}

TEST(QuantConv, QLinearConvPerChannelScalesAndBias) {
  // 1x1 conv of x [[2, 4], [6, 8]] (scale 0.5) with w [1, -2], w_scale [1, 0.5], B [1, -2]:
  // channel 0: (x + 1) * 0.5 = [1.5, 2.5, 3.5, 4.5] -> [2, 2, 4, 4];
  // channel 1: (-2x - 2) * 0.25 = [-1.5, -2.5, -3.5, -4.5] -> [-2, -2, -4, -4].
  OpTester t("QLinearConv", 10);
  t.input("x", tensor<uint8_t>({1, 1, 2, 2}, {2, 4, 6, 8}))
      .input("xs", scalar(0.5f))
      .input("xzp", scalar<uint8_t>(0))
      .input("w", tensor<int8_t>({2, 1, 1, 1}, {1, -2}))
      .input("ws", floats({2}, {1, 0.5f}))
      .input("wzp", tensor<int8_t>({2}, {0, 0}))
      .input("ys", scalar(1.0f))
      .input("yzp", scalar<int8_t>(0))
      .input("B", tensor<int32_t>({2}, {1, -2}))
      .output("y");
  Tensor y = t.run()[0];
  EXPECT_EQ(y.shape(), (Shape{1, 2, 2, 2}));
  EXPECT_EQ(y.to_vector<int8_t>(), (std::vector<int8_t>{2, 2, 4, 4, -2, -2, -4, -4}));
}

TEST(QuantConv, QLinearConvBadInputs) {
  auto run = [](const Tensor& x_scale, const Tensor& bias) {
    OpTester t("QLinearConv", 10);
    t.input("x", tensor<uint8_t>({1, 1, 1, 1}, {2}))
        .input("xs", x_scale)
        .input("xzp", scalar<uint8_t>(0))
        .input("w", tensor<uint8_t>({1, 1, 1, 1}, {1}))
        .input("ws", scalar(1.0f))
        .input("wzp", scalar<uint8_t>(0))
        .input("ys", scalar(1.0f))
        .input("yzp", scalar<uint8_t>(0))
        .input("B", bias)
        .output("y");
    return t.run();
  };
  EXPECT_ERROR(run(floats({2}, {1, 1}), tensor<int32_t>({1}, {0})), "x_scale must be a scalar");
  EXPECT_ERROR(run(scalar(1.0f), tensor<int32_t>({2}, {0, 0})), "B must have shape [1]");
  EXPECT_ERROR(run(scalar(1.0f), floats({1}, {0})), "B has dtype float");
}

}  // namespace
}  // namespace onyx
