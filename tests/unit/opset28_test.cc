// One-node tests of the default domain's opset 28: SwiGLU (new), Celu-28 (all float types),
// ReduceLogSum-28 and ReduceLogSumExp-28 (float types only), SpaceToDepth-28's mode and
// DepthToSpace-28, and the operators whose
// opset-28 versions are not implemented yet, which must be refused by name instead of
// running their opset-27 kernels. Expected values are worked out by hand from the spec
// formulas in the comments; sigmoid(ln 3) = 3 / (3 + 1) = 0.75 keeps them exact.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "onyx/onyx.h"
#include "op_tester.h"

namespace onyx {
namespace {

using testing::error_of;
using testing::expect_near;
using testing::floats;
using testing::ints;
using testing::mentions;
using testing::OpTester;

const float kLn3 = std::log(3.0f);

template <class T>
Tensor of(Shape shape, const std::vector<float>& values) {
  std::vector<T> v;
  for (float f : values) v.push_back(static_cast<T>(f));
  return Tensor::from_vector<T>(std::move(shape), v);
}

// The values of a float16, bfloat16, float or double tensor, as floats.
template <class T>
std::vector<float> values_of(const Tensor& t) {
  std::vector<float> v;
  for (int64_t i = 0; i < t.numel(); ++i) v.push_back(static_cast<float>(t.data<T>()[i]));
  return v;
}

void expect_values_near(const std::vector<float>& got, const std::vector<float>& want, double tol) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "at " << i;
}

// The error of building a session for t's model, its outputs declared float as a model
// file declares them (OpTester declares only what shape inference gives, and there is
// no shape rule for an opset no kernel serves).
std::string session_error(const OpTester& t) {
  Model m = t.model();
  for (int id : m.graph.outputs)
    if (m.graph.value(id).type.kind == TypeInfo::Kind::Unknown)
      m.graph.value(id).type = TypeInfo::tensor(DType::Float);
  return error_of([&] { Session(builtin_registry(), m, SessionOptions{1, true}); });
}

Tensor swiglu(const Tensor& a, const Tensor& b, float alpha = 1.0f, bool with_alpha = false) {
  OpTester t("SwiGLU", 28);
  t.input("A", a).input("B", b);
  if (with_alpha) t.attr("alpha", alpha);
  t.output("Y");
  return t.run()[0];
}

TEST(SwiGLU, DefaultAlphaIsSwishOfAGatingB) {
  // Y = A * sigmoid(A) * B:
  //   A = 0      -> 0 * 0.5 * 5                         = 0
  //   A = ln 3   -> ln 3 * 0.75 * 2                     = 1.5 ln 3
  //   A = -ln 3  -> -ln 3 * 0.25 * -4                   = ln 3
  //   A = 2      -> 2 * sigmoid(2) * 0.5 = 1 / (1 + e^-2) = 0.8807971
  Tensor y = swiglu(floats({2, 2}, {0, kLn3, -kLn3, 2}), floats({2, 2}, {5, 2, -4, 0.5f}));
  EXPECT_EQ(y.dtype(), DType::Float);
  expect_near(y, {2, 2}, {0, 1.5f * kLn3, kLn3, 0.8807971f});
}

TEST(SwiGLU, AlphaScalesOnlyTheSigmoid) {
  // alpha 0.5 at A = 2 ln 3: sigmoid(ln 3) = 0.75, so Y = 2 ln 3 * 0.75 * B = 1.5 ln 3 * B.
  expect_near(swiglu(floats({1}, {2 * kLn3}), floats({1}, {-2}), 0.5f, true), {1}, {-3 * kLn3});
  // alpha 0: sigmoid(0) = 1/2 everywhere, Y = A * B / 2.
  expect_near(swiglu(floats({2}, {4, -2}), floats({2}, {1, 3}), 0.0f, true), {2}, {2, -3});
  // The default is 1, not 0.5: at A = ln 3 the two differ.
  expect_near(swiglu(floats({1}, {kLn3}), floats({1}, {1})), {1}, {0.75f * kLn3});
}

TEST(SwiGLU, SaturatesWithoutNaN) {
  // A -> -inf: exp(-A) overflows, Swish -> 0 (not inf * 0); A -> +inf: Swish -> A.
  Tensor y = swiglu(floats({3}, {-1000, 1000, -100}), floats({3}, {7, 2, 1}));
  const std::vector<float> v = y.to_vector<float>();
  EXPECT_EQ(v[0], 0.0f);
  EXPECT_EQ(v[1], 2000.0f);
  EXPECT_NEAR(v[2], 0.0f, 1e-30);  // -100 / (1 + e^100)
}

TEST(SwiGLU, EveryFloatType) {
  // A = 2, B = 3: 2 * 3 * sigmoid(2) = 6 * 0.8807971 = 5.2847824; A = -ln 3, B = 1: -0.25 ln 3.
  const std::vector<float> a = {2, -kLn3}, b = {3, 1};
  const std::vector<float> want = {5.2847824f, -0.25f * kLn3};
  Tensor d = swiglu(of<double>({2}, a), of<double>({2}, b));
  EXPECT_EQ(d.dtype(), DType::Double);
  EXPECT_NEAR(d.data<double>()[0], 6.0 / (1.0 + std::exp(-2.0)), 1e-12);
  // float16 keeps 11 significant bits, bfloat16 8: within 2^-10 and 2^-7 of |Y| (plus the
  // rounding of the inputs themselves).
  Tensor h = swiglu(of<float16_t>({2}, a), of<float16_t>({2}, b));
  EXPECT_EQ(h.dtype(), DType::Float16);
  expect_values_near(values_of<float16_t>(h), want, 5.3 / 1024 + 1e-3);
  Tensor bf = swiglu(of<bfloat16_t>({2}, a), of<bfloat16_t>({2}, b));
  EXPECT_EQ(bf.dtype(), DType::BFloat16);
  expect_values_near(values_of<bfloat16_t>(bf), want, 5.3 / 128 + 1e-2);
  // Integers are not among SwiGLU's types.
  const std::string e = error_of([] {
    swiglu(Tensor::from_vector<int32_t>({1}, {1}), Tensor::from_vector<int32_t>({1}, {1}));
  });
  EXPECT_TRUE(mentions(e, "SwiGLU") && mentions(e, "int32")) << e;
}

TEST(SwiGLU, EmptyInputGivesEmptyOutput) {
  Tensor y = swiglu(floats({0, 4}, {}), floats({0, 4}, {}));
  EXPECT_EQ(y.shape(), (Shape{0, 4}));
  EXPECT_EQ(y.numel(), 0);
}

TEST(SwiGLU, ShapesMustMatchWithoutBroadcasting) {
  // [2, 4] and [4] would broadcast under Mul; SwiGLU demands one shape.
  std::string e = error_of([] {
    swiglu(floats({2, 4}, std::vector<float>(8, 1)), floats({4}, {1, 1, 1, 1}));
  });
  EXPECT_TRUE(mentions(e, "SwiGLU") && mentions(e, "one shape")) << e;
  // A size-1 dim is not stretched either; the message names both shapes.
  e = error_of([] { swiglu(floats({2, 1}, {1, 2}), floats({2, 3}, {1, 2, 3, 4, 5, 6})); });
  EXPECT_TRUE(mentions(e, "SwiGLU") && mentions(e, "[2, 1]") && mentions(e, "[2, 3]")) << e;
  // A packed projection (gate and value in one tensor) is split upstream, never here.
  e = error_of([] {
    OpTester t("SwiGLU", 28);
    t.input("AB", floats({1, 4}, {1, 2, 3, 4})).output("Y");
    t.run();
  });
  EXPECT_TRUE(mentions(e, "SwiGLU")) << e;
}

TEST(SwiGLU, DtypesMustMatch) {
  const std::string e = error_of([] { swiglu(floats({1}, {1}), of<double>({1}, {1})); });
  EXPECT_TRUE(mentions(e, "SwiGLU") && mentions(e, "float") && mentions(e, "double")) << e;
}

TEST(SwiGLU, NotBeforeOpset28) {
  OpTester t("SwiGLU", 27);
  t.input("A", floats({1}, {1})).input("B", floats({1}, {1})).output("Y");
  const std::string e = session_error(t);
  EXPECT_TRUE(mentions(e, "SwiGLU") && mentions(e, "opset 27") && mentions(e, "not supported"))
      << e;
}

TEST(Opset28, CeluTakesEveryFloatType) {
  // Celu(x) = max(0, x) + min(0, alpha (exp(x / alpha) - 1)); alpha 2, x = -1:
  // 2 (e^-0.5 - 1) = 2 (0.60653066 - 1) = -0.78693868; x = 3 stays 3.
  auto celu = [](int64_t opset, const Tensor& x) {
    OpTester t("Celu", opset);
    t.input("X", x).attr("alpha", 2.0f).output("Y");
    return t.run()[0];
  };
  Tensor d = celu(28, of<double>({2}, {-1, 3}));
  EXPECT_EQ(d.dtype(), DType::Double);
  EXPECT_NEAR(d.data<double>()[0], 2 * (std::exp(-0.5) - 1), 1e-12);
  EXPECT_EQ(d.data<double>()[1], 3.0);
  Tensor h = celu(28, of<float16_t>({2}, {-1, 3}));
  EXPECT_EQ(h.dtype(), DType::Float16);
  expect_values_near(values_of<float16_t>(h), {-0.78693868f, 3}, 1e-3);
  Tensor bf = celu(28, of<bfloat16_t>({2}, {-1, 3}));
  expect_values_near(values_of<bfloat16_t>(bf), {-0.78693868f, 3}, 1e-2);
  // Celu-12 is float32 only.
  const std::string e = error_of([&] { celu(12, of<double>({1}, {1})); });
  EXPECT_TRUE(mentions(e, "Celu") && mentions(e, "double")) << e;
}

TEST(Opset28, LogSumReductionsDropIntegerTypes) {
  auto reduce = [](const std::string& op, int64_t opset, const Tensor& x) {
    OpTester t(op, opset);
    t.input("x", x).input("axes", ints({1}, {0})).output("y");
    return t.run()[0];
  };
  // log(1 + (e - 1)) = 1; log(e^0 + e^ln3) = log 4.
  expect_near(reduce("ReduceLogSum", 28, floats({2}, {1, std::exp(1.0f) - 1})), {1}, {1});
  expect_near(reduce("ReduceLogSumExp", 28, floats({2}, {0, kLn3})), {1}, {std::log(4.0f)});
  Tensor d = reduce("ReduceLogSum", 28, of<double>({2}, {1, 2}));
  EXPECT_NEAR(d.data<double>()[0], std::log(3.0), 1e-12);
  for (const std::string op : {"ReduceLogSum", "ReduceLogSumExp"}) {
    const Tensor x = Tensor::from_vector<int64_t>({2}, {1, 2});
    const std::string e = error_of([&] { reduce(op, 28, x); });
    EXPECT_TRUE(mentions(e, op) && mentions(e, "opset 28") && mentions(e, "int64")) << e;
  }
  // Opset 18 still takes integers: log(1 + 0) = 0 fits an int64.
  EXPECT_EQ(
      reduce("ReduceLogSum", 18, Tensor::from_vector<int64_t>({2}, {1, 0})).to_vector<int64_t>(),
      std::vector<int64_t>{0});
}

// Operators whose opset-28 versions change what they accept or compute (float6 types,
// new attributes) and are not implemented here: their opset-27 kernels must not serve
// opset 28, so the model is refused naming the op and the opset.
TEST(Opset28, UnimplementedNewVersionsAreRefusedByName) {
  OpTester cast27("Cast", 27);
  cast27.input("x", floats({1}, {2.5f})).attr("to", int64_t{7}).output("y");
  EXPECT_EQ(cast27.run()[0].to_vector<int64_t>(), std::vector<int64_t>{2});
  OpTester cast28("Cast", 28);
  cast28.input("x", floats({1}, {2.5f})).attr("to", int64_t{7}).output("y");
  std::string e = session_error(cast28);
  EXPECT_TRUE(mentions(e, "Cast") && mentions(e, "opset 28") && mentions(e, "not supported")) << e;

  OpTester einsum("Einsum", 28);
  einsum.input("x", floats({2}, {1, 2})).attr("equation", "i->").output("y");
  e = session_error(einsum);
  EXPECT_TRUE(mentions(e, "Einsum") && mentions(e, "opset 28")) << e;

  OpTester quant("QuantizeLinear", 28);
  quant.input("x", floats({1}, {1})).input("s", floats({}, {1})).output("y");
  e = session_error(quant);
  EXPECT_TRUE(mentions(e, "QuantizeLinear") && mentions(e, "opset 28")) << e;

  OpTester dequant("DequantizeLinear", 28);
  dequant.input("x", Tensor::from_vector<uint8_t>({1}, {1}))
      .input("s", floats({}, {1}))
      .output("y");
  e = session_error(dequant);
  EXPECT_TRUE(mentions(e, "DequantizeLinear") && mentions(e, "opset 28")) << e;
}

// SpaceToDepth-28's mode. Two channels [[1, 2], [3, 4]] and [[5, 6], [7, 8]], blocksize 2:
// DCR puts block offset (i, j) of channel c at (i * 2 + j) * 2 + c: 1 5 2 6 3 7 4 8;
// CRD at (c * 2 + i) * 2 + j: 1 2 3 4 5 6 7 8. DepthToSpace-28 in the same mode undoes it.
TEST(Opset28, SpaceToDepthTakesAModeAndDepthToSpaceUndoesIt) {
  const Tensor x = floats({1, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  auto space_to_depth = [&](int opset, const char* mode) {
    OpTester t("SpaceToDepth", opset);
    t.input("x", x).attr("blocksize", int64_t{2});
    if (*mode) t.attr("mode", mode);
    t.output("y");
    return t.run()[0];
  };
  EXPECT_EQ(space_to_depth(28, "").to_vector<float>(),
            (std::vector<float>{1, 5, 2, 6, 3, 7, 4, 8}));
  EXPECT_EQ(space_to_depth(28, "DCR").to_vector<float>(),
            (std::vector<float>{1, 5, 2, 6, 3, 7, 4, 8}));
  const Tensor crd = space_to_depth(28, "CRD");
  EXPECT_EQ(crd.shape(), (Shape{1, 8, 1, 1}));
  EXPECT_EQ(crd.to_vector<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}));
  for (const char* mode : {"DCR", "CRD"}) {
    OpTester back("DepthToSpace", 28);
    back.input("y", space_to_depth(28, mode)).attr("blocksize", int64_t{2}).attr("mode", mode);
    back.output("x");
    EXPECT_EQ(back.run()[0].to_vector<float>(), x.to_vector<float>()) << mode;
  }
  EXPECT_TRUE(mentions(error_of([&] { space_to_depth(13, "CRD"); }), "needs opset 28"));
  EXPECT_TRUE(mentions(error_of([&] { space_to_depth(28, "RDC"); }), "DCR or CRD"));
}

}  // namespace
}  // namespace onyx
