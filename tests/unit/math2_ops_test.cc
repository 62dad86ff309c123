// One-node tests of the elementwise math operators (Abs, Neg, Sign, Round, Erf, the trig
// family, IsNaN, IsInf, Pow, Mod, BitShift, Max, Min, Mean, Sum) for cases the ONNX
// backend data misses: integer extremes, NaN, rank 0, size-0 broadcasting and the opset
// versions the data does not test. Expected values are worked out by hand in the comments.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "onyx/onyx.h"
#include "onyx/shape_inference.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::floats;
using testing::ints;
using testing::mentions;

using testing::kInf;
using testing::kMax64;
using testing::kMin64;
using testing::kNaN;
using testing::OpTester;

template <class T>
Tensor of(Shape shape, std::vector<T> values) {
  return Tensor::from_vector<T>(std::move(shape), values);
}

// Compares floats, NaN equal to NaN and infinities exactly.
void expect_floats(const Tensor& got, const Shape& shape, const std::vector<float>& want) {
  ASSERT_EQ(got.dtype(), DType::Float);
  ASSERT_EQ(got.shape(), shape);
  std::vector<float> v = got.to_vector<float>();
  ASSERT_EQ(v.size(), want.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(v[i])) << "at " << i << ": " << v[i];
    } else if (std::isinf(want[i])) {
      EXPECT_EQ(v[i], want[i]) << "at " << i;
    } else {
      EXPECT_NEAR(v[i], want[i], 1e-6) << "at " << i;
    }
  }
}

Tensor unary(const std::string& op, const Tensor& x, int64_t opset) {
  OpTester t(op, opset);
  t.input("X", x).output("Y");
  return t.run()[0];
}

Tensor binary(const std::string& op, const Tensor& a, const Tensor& b, int64_t opset) {
  OpTester t(op, opset);
  t.input("A", a).input("B", b).output("C");
  return t.run()[0];
}

Tensor variadic(const std::string& op, const std::vector<Tensor>& inputs, int64_t opset) {
  OpTester t(op, opset);
  for (size_t i = 0; i < inputs.size(); ++i)
    t.input(std::string("x").append(std::to_string(i)), inputs[i]);
  t.output("y");
  return t.run()[0];
}

// ---- unary ----

TEST(Math2Unary, AbsAndNegWrapAtTheLowestInteger) {
  // numpy: abs(-2^63) and -(-2^63) wrap to -2^63; int8: abs(-128) = -128.
  EXPECT_EQ(unary("Abs", ints({3}, {kMin64, -5, 7}), 13).to_vector<int64_t>(),
            (std::vector<int64_t>{kMin64, 5, 7}));
  EXPECT_EQ(unary("Abs", of<int8_t>({2}, {-128, -127}), 6).to_vector<int8_t>(),
            (std::vector<int8_t>{-128, 127}));
  EXPECT_EQ(unary("Neg", ints({3}, {kMin64, kMax64, 0}), 13).to_vector<int64_t>(),
            (std::vector<int64_t>{kMin64, kMin64 + 1, 0}));
  EXPECT_EQ(unary("Abs", of<uint8_t>({1}, {200}), 13).to_vector<uint8_t>(),
            (std::vector<uint8_t>{200}));
}

TEST(Math2Unary, OpsetOneAndSixVersions) {
  // Opset 1 Abs/Neg take floats only; opset 6 adds integers (unsigned not for Neg).
  OpTester t("Neg", 1);
  t.input("X", floats({2}, {1.5f, -2}))
      .attr("consumed_inputs", std::vector<int64_t>{0})
      .output("Y");
  expect_floats(t.run()[0], {2}, {-1.5f, 2});
  std::string e = error_of([] { unary("Abs", ints({1}, {1}), 1); });
  EXPECT_TRUE(mentions(e, "no kernel for Abs")) << e;
  EXPECT_TRUE(mentions(e, "opset 1, input dtypes int64")) << e;
  e = error_of([] { unary("Neg", of<uint8_t>({1}, {1}), 13); });
  EXPECT_TRUE(mentions(e, "no kernel for Neg")) << e;
  EXPECT_TRUE(mentions(e, "opset 13, input dtypes uint8")) << e;
  expect_floats(unary("Ceil", floats({3}, {-1.5f, 1.2f, kNaN}), 6), {3}, {-1, 2, kNaN});
  expect_floats(unary("Floor", floats({3}, {-1.5f, 1.2f, kNaN}), 1), {3}, {-2, 1, kNaN});
}

TEST(Math2Unary, SignOfEveryKind) {
  expect_floats(unary("Sign", floats({4}, {-3, 0, 2.5f, kNaN}), 9), {4}, {-1, 0, 1, kNaN});
  EXPECT_EQ(unary("Sign", of<uint8_t>({2}, {0, 200}), 13).to_vector<uint8_t>(),
            (std::vector<uint8_t>{0, 1}));
  EXPECT_EQ(unary("Sign", ints({3}, {kMin64, 0, kMax64}), 13).to_vector<int64_t>(),
            (std::vector<int64_t>{-1, 0, 1}));
}

TEST(Math2Unary, RoundBreaksTiesToEven) {
  expect_floats(
      unary("Round", floats({9}, {0.5f, 1.5f, 2.5f, -0.5f, -2.5f, 2.4f, -2.6f, kNaN, -kInf}), 11),
      {9}, {0, 2, 2, 0, -2, 2, -3, kNaN, -kInf});
  Tensor r = unary("Round", Tensor::scalar(3.5f), 11);  // rank 0 stays rank 0
  expect_floats(r, {}, {4});
}

TEST(Math2Unary, FloatFunctions) {
  // sqrt(-1) = NaN, log(0) = -inf, 1/0 = inf, exp(0) = 1.
  expect_floats(unary("Sqrt", floats({2}, {4, -1}), 13), {2}, {2, kNaN});
  expect_floats(unary("Log", floats({2}, {1, 0}), 13), {2}, {0, -kInf});
  expect_floats(unary("Reciprocal", floats({2}, {4, 0}), 6), {2}, {0.25f, kInf});
  expect_floats(unary("Exp", floats({0}, {}), 13), {0}, {});  // empty stays empty
}

TEST(Math2Unary, ErfOfIntegersTruncates) {
  // erf(1) = 0.8427, erf(-2) = -0.9953: both truncate to 0.
  EXPECT_EQ(unary("Erf", of<int32_t>({3}, {0, 1, -2}), 9).to_vector<int32_t>(),
            (std::vector<int32_t>{0, 0, 0}));
  expect_floats(unary("Erf", floats({2}, {0, 1}), 13), {2}, {0, 0.8427007929f});
}

TEST(Math2Unary, TrigDomainsAndVersions) {
  // asin(2) and acosh(0.5) are outside the domain (NaN); atanh(1) is a pole (inf).
  expect_floats(unary("Asin", floats({2}, {2, 1}), 7), {2}, {kNaN, 1.5707963f});
  expect_floats(unary("Acosh", floats({2}, {0.5f, 1}), 9), {2}, {kNaN, 0});
  expect_floats(unary("Atanh", floats({2}, {1, 0}), 9), {2}, {kInf, 0});
  Tensor d = unary("Cos", Tensor::from_vector<double>({1}, {0.0}), 7);
  EXPECT_EQ(d.to_vector<double>(), std::vector<double>{1.0});
  // Sinh is defined from opset 9, Sin from 7.
  // The output is declared (float [1]) as an exporter writes it, so the error is the
  // missing operator, not an output that inference could not type.
  for (auto [op, opset] : {std::pair<const char*, int64_t>{"Sinh", 8}, {"Sin", 6}}) {
    OpTester t(op, opset);
    t.input("X", floats({1}, {0})).output("Y");
    Model m = t.model();
    m.graph.value(m.graph.outputs[0]).type = TypeInfo::tensor_of(DType::Float, {1});
    const std::string e = error_of([&] { Session(builtin_registry(), m, SessionOptions{}); });
    EXPECT_TRUE(mentions(e, std::string("no kernel for ") + op)) << e;
    EXPECT_TRUE(mentions(e, "opset " + std::to_string(opset))) << e;
  }
}

TEST(Math2Unary, IsNaNAndIsInf) {
  Tensor x = floats({4}, {-kInf, kInf, kNaN, 1});
  EXPECT_EQ(unary("IsNaN", x, 9).to_vector<bool>(), (std::vector<bool>{false, false, true, false}));
  EXPECT_EQ(unary("IsInf", x, 10).to_vector<bool>(), (std::vector<bool>{true, true, false, false}));
  OpTester pos("IsInf", 10);
  pos.input("X", x).attr("detect_negative", int64_t{0}).output("Y");
  EXPECT_EQ(pos.run()[0].to_vector<bool>(), (std::vector<bool>{false, true, false, false}));
  OpTester neg("IsInf", 10);
  neg.input("X", x).attr("detect_positive", int64_t{0}).output("Y");
  EXPECT_EQ(neg.run()[0].to_vector<bool>(), (std::vector<bool>{true, false, false, false}));
  OpTester bad("IsInf", 10);
  bad.input("X", x).attr("detect_positive", int64_t{2}).output("Y");
  EXPECT_NE(error_of([&] { bad.run(); }).find("detect_positive"), std::string::npos);
  // float16 joins IsInf at opset 20; bfloat16 joins IsNaN at 13.
  Tensor h = of<float16_t>({2}, {float16_t(kInf), float16_t(1.0f)});
  const std::string e = error_of([&] { unary("IsInf", h, 19); });
  EXPECT_TRUE(mentions(e, "no kernel for IsInf")) << e;
  EXPECT_TRUE(mentions(e, "opset 19, input dtypes float16")) << e;
  EXPECT_EQ(unary("IsInf", h, 20).to_vector<bool>(), (std::vector<bool>{true, false}));
  Tensor b = of<bfloat16_t>({2}, {bfloat16_t(kNaN), bfloat16_t(1.0f)});
  EXPECT_EQ(unary("IsNaN", b, 13).to_vector<bool>(), (std::vector<bool>{true, false}));
}

// ---- Pow ----

TEST(Math2Pow, IntegerPowersAreExactAndWrap) {
  // 2^10 = 1024, 3^2 = 9, (-2)^3 = -8, 7^0 = 1.
  EXPECT_EQ(
      binary("Pow", ints({4}, {2, 3, -2, 7}), ints({4}, {10, 2, 3, 0}), 15).to_vector<int64_t>(),
      (std::vector<int64_t>{1024, 9, -8, 1}));
  // 3^40 = 12157665459056928801 wraps (mod 2^64) to -6289078614652622815, as numpy.
  EXPECT_EQ(binary("Pow", ints({1}, {3}), ints({1}, {40}), 15).to_vector<int64_t>(),
            (std::vector<int64_t>{-6289078614652622815}));
  // Negative exponents truncate 1/x^n: 2^-1 -> 0, 1^-5 = 1, (-1)^-2 = 1, (-1)^-3 = -1.
  EXPECT_EQ(binary("Pow", of<int32_t>({4}, {2, 1, -1, -1}), ints({4}, {-1, -5, -2, -3}), 12)
                .to_vector<int32_t>(),
            (std::vector<int32_t>{0, 1, 1, -1}));
  EXPECT_NE(
      error_of([] { binary("Pow", ints({1}, {0}), ints({1}, {-1}), 15); }).find("negative power"),
      std::string::npos);
}

TEST(Math2Pow, MixedTypes) {
  // float base, int64 exponent: 2^3 = 8, 0.5^-2 = 4; int32 base, float exponent:
  // 4^0.5 = 2, 2^-1 = 0.5 -> 0, 3^2.5 = 15.59 -> 15.
  expect_floats(binary("Pow", floats({2}, {2, 0.5f}), ints({2}, {3, -2}), 12), {2}, {8, 4});
  EXPECT_EQ(binary("Pow", of<int32_t>({3}, {4, 2, 3}), floats({3}, {0.5f, -1, 2.5f}), 12)
                .to_vector<int32_t>(),
            (std::vector<int32_t>{2, 0, 15}));
  // uint8 exponent (opset 12), bfloat16 exponent only from opset 15.
  expect_floats(binary("Pow", floats({1}, {3}), of<uint8_t>({1}, {3}), 12), {1}, {27});
  Tensor bf = of<bfloat16_t>({1}, {bfloat16_t(2.0f)});
  std::string e = error_of([&] { binary("Pow", floats({1}, {3}), bf, 13); });
  EXPECT_TRUE(mentions(e, "exponent dtype bfloat16 is not allowed at opset 13")) << e;
  expect_floats(binary("Pow", floats({1}, {3}), bf, 15), {1}, {9});
  // Before opset 12 both inputs share one float type.
  e = error_of([] { binary("Pow", floats({1}, {3}), ints({1}, {2}), 7); });
  EXPECT_TRUE(mentions(e, "different dtypes float and int64")) << e;
}

TEST(Math2Pow, LegacyBroadcastAtOpsetOne) {
  // Opset 1, A [2,2], B [2] broadcast=1: B matches A's last dim.
  OpTester t("Pow", 1);
  t.input("A", floats({2, 2}, {1, 2, 3, 4}))
      .input("B", floats({2}, {2, 3}))
      .attr("broadcast", int64_t{1})
      .output("C");
  expect_floats(t.run()[0], {2, 2}, {1, 8, 9, 64});
  // Without broadcast=1 the shapes must agree.
  const std::string e = error_of([] { binary("Pow", floats({2}, {1, 2}), floats({1}, {2}), 1); });
  EXPECT_TRUE(mentions(e, "shapes [2] and [1] differ and broadcast=0")) << e;
}

// ---- Mod ----

TEST(Math2Mod, IntegerSignRules) {
  // fmod=0 takes the divisor's sign: -7 mod 3 = 2, 7 mod -3 = -2, -7 mod -3 = -1, 7 mod 3 = 1;
  // lowest mod -1 = 0 (no overflow).
  EXPECT_EQ(binary("Mod", ints({5}, {-7, 7, -7, 7, kMin64}), ints({5}, {3, -3, -3, 3, -1}), 13)
                .to_vector<int64_t>(),
            (std::vector<int64_t>{2, -2, -1, 1, 0}));
  // fmod=1 takes the dividend's sign: -1, 1, -1, 1, 0.
  OpTester t("Mod", 10);
  t.input("A", ints({5}, {-7, 7, -7, 7, kMin64}))
      .input("B", ints({5}, {3, -3, -3, 3, -1}))
      .attr("fmod", int64_t{1})
      .output("C");
  EXPECT_EQ(t.run()[0].to_vector<int64_t>(), (std::vector<int64_t>{-1, 1, -1, 1, 0}));
  // int8 lowest: -128 mod 3 = 1 (-128 = -43 * 3 + 1), -128 mod -3 = -2.
  EXPECT_EQ(binary("Mod", of<int8_t>({2}, {-128, -128}), of<int8_t>({2}, {3, -3}), 13)
                .to_vector<int8_t>(),
            (std::vector<int8_t>{1, -2}));
}

TEST(Math2Mod, ZeroDivisorAndFloatRules) {
  EXPECT_NE(error_of([] {
              binary("Mod", ints({2}, {1, 2}), ints({1}, {0}), 13);
            }).find("by zero"),
            std::string::npos);
  // Floats need fmod=1.
  EXPECT_NE(error_of([] { binary("Mod", floats({1}, {1}), floats({1}, {1}), 13); }).find("fmod"),
            std::string::npos);
  OpTester t("Mod", 13);
  t.input("A", floats({3}, {5.5f, -5.5f, 1}))
      .input("B", floats({3}, {2, 2, 0}))
      .attr("fmod", int64_t{1})
      .output("C");
  expect_floats(t.run()[0], {3}, {1.5f, -1.5f, kNaN});
}

// ---- BitShift ----

TEST(Math2BitShift, ShiftsAndWidths) {
  auto shift = [](const std::string& dir, const Tensor& x, const Tensor& y) {
    OpTester t("BitShift", 11);
    t.input("X", x).input("Y", y).attr("direction", dir).output("Z");
    return t.run()[0];
  };
  // 1 << 3 = 8, 255 << 1 = 510 & 255 = 254, 16 << 8: shifted out entirely = 0.
  EXPECT_EQ(shift("LEFT", of<uint8_t>({3}, {1, 255, 16}), of<uint8_t>({3}, {3, 1, 8}))
                .to_vector<uint8_t>(),
            (std::vector<uint8_t>{8, 254, 0}));
  EXPECT_EQ(shift("RIGHT", of<uint16_t>({3}, {16, 65535, 1}), of<uint16_t>({3}, {2, 20, 0}))
                .to_vector<uint16_t>(),
            (std::vector<uint16_t>{4, 0, 1}));
  // Broadcast a rank-0 amount: 1 << 63 (the top bit), 3 << 63 keeps the low bit only.
  EXPECT_EQ(
      shift("LEFT", of<uint64_t>({2}, {1, 3}), Tensor::scalar<uint64_t>(63)).to_vector<uint64_t>(),
      (std::vector<uint64_t>{uint64_t{1} << 63, uint64_t{1} << 63}));
  EXPECT_NE(error_of([&] {
              shift("left", of<uint8_t>({1}, {1}), of<uint8_t>({1}, {1}));
            }).find("direction"),
            std::string::npos);
  OpTester missing("BitShift", 11);
  missing.input("X", of<uint8_t>({1}, {1})).input("Y", of<uint8_t>({1}, {1})).output("Z");
  EXPECT_NE(error_of([&] { missing.run(); }).find("direction"), std::string::npos);
}

// ---- Max, Min, Mean, Sum ----

TEST(Math2Variadic, MaxMinPropagateNaN) {
  Tensor a = floats({3}, {1, kNaN, 3});
  Tensor b = floats({3}, {kNaN, 2, 1});
  expect_floats(variadic("Max", {a, b}, 13), {3}, {kNaN, kNaN, 3});
  expect_floats(variadic("Min", {a, b}, 13), {3}, {kNaN, kNaN, 1});
  expect_floats(variadic("Max", {floats({2}, {1, 5}), floats({2}, {4, 2})}, 8), {2}, {4, 5});
}

TEST(Math2Variadic, IntegerExtremesAndOpsets) {
  Tensor a = ints({2}, {kMin64, kMax64});
  Tensor b = ints({2}, {0, 0});
  EXPECT_EQ(variadic("Max", {a, b}, 13).to_vector<int64_t>(), (std::vector<int64_t>{0, kMax64}));
  EXPECT_EQ(variadic("Min", {a, b}, 12).to_vector<int64_t>(), (std::vector<int64_t>{kMin64, 0}));
  // Integers arrive at opset 12.
  const std::string e = error_of([&] { variadic("Max", {a, b}, 11); });
  EXPECT_TRUE(mentions(e, "no kernel for Max")) << e;
  EXPECT_TRUE(mentions(e, "opset 11, input dtypes int64, int64")) << e;
  EXPECT_EQ(variadic("Min", {of<uint16_t>({2}, {7, 65535}), of<uint16_t>({1}, {9})}, 12)
                .to_vector<uint16_t>(),
            (std::vector<uint16_t>{7, 9}));
}

TEST(Math2Variadic, BroadcastingFromOpsetEight) {
  // [2,1] with [3]: y[i][j] = a[i] + b[j], plus a rank-0 1.
  Tensor a = floats({2, 1}, {10, 20});
  Tensor b = floats({3}, {1, 2, 3});
  expect_floats(variadic("Sum", {a, b, Tensor::scalar(1.0f)}, 13), {2, 3},
                {12, 13, 14, 22, 23, 24});
  // Mean of the same: (a + b + 1) / 3.
  expect_floats(variadic("Mean", {a, b, Tensor::scalar(1.0f)}, 8), {2, 3},
                {4, 13.0f / 3, 14.0f / 3, 22.0f / 3, 23.0f / 3, 8});
  // Opsets 1 and 6 need one shape.
  EXPECT_NE(error_of([&] { variadic("Sum", {a, b}, 6); }).find("one shape"), std::string::npos);
  expect_floats(variadic("Max", {b, b}, 6), {3}, {1, 2, 3});
}

TEST(Math2Variadic, SizeZeroAndSingleInputs) {
  // [0,3] with [1,3] broadcasts to [0,3]; a single input is copied.
  Tensor empty = floats({0, 3}, {});
  EXPECT_EQ(variadic("Max", {empty, floats({1, 3}, {1, 2, 3})}, 13).shape(), (Shape{0, 3}));
  EXPECT_EQ(variadic("Sum", {floats({2, 0}, {}), floats({1}, {5})}, 13).shape(), (Shape{2, 0}));
  expect_floats(variadic("Mean", {floats({2}, {3, -4})}, 13), {2}, {3, -4});
  // Mean of float16 accumulates in float: (2048 + 1 + 1) / 3 = 683.33, nearest float16 683.5.
  Tensor h =
      variadic("Mean",
               {of<float16_t>({1}, {float16_t(2048.0f)}), of<float16_t>({1}, {float16_t(1.0f)}),
                of<float16_t>({1}, {float16_t(1.0f)})},
               13);
  EXPECT_EQ(static_cast<float>(h.to_vector<float16_t>()[0]), 683.5f);
  EXPECT_NE(error_of([] {
              variadic("Max", {floats({2}, {1, 2}), floats({3}, {1, 2, 3})}, 13);
            }),
            "");
}

}  // namespace
}  // namespace onyx
