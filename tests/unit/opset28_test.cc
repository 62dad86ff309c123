// One-node tests of the default domain's opset 28: Celu-28 (all float types),
// ReduceLogSum-28 and ReduceLogSumExp-28 (float types only), and the operators whose
// opset-28 versions are not implemented yet, which must be refused by name instead of
// running their opset-27 kernels. Expected values are worked out by hand from the spec
// formulas in the comments.
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

  for (const std::string op : {"DepthToSpace", "SpaceToDepth"}) {
    OpTester t(op, 28);
    t.input("x", floats({1, 4, 2, 2}, std::vector<float>(16, 1)))
        .attr("blocksize", int64_t{2})
        .output("y");
    e = session_error(t);
    EXPECT_TRUE(mentions(e, op) && mentions(e, "opset 28")) << e;
  }
}

}  // namespace
}  // namespace onyx
