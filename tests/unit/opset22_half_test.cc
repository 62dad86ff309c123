// Opset 22 gave about 48 operators a new version whose only change is bfloat16 (and, for
// the few that lacked it, float16) in their type constraints. Each test here runs such an op
// at opset 22 in float16 and bfloat16 and compares it with the same op run in float on the
// same inputs, which are exactly representable in both half types (multiples of 1/8 or 1/16
// of small magnitude), so the only difference allowed is the rounding of the result: about
// 2^-11 relative for float16 and 2^-8 for bfloat16. The opset-21 versions must refuse
// bfloat16 with an error that names the op and the dtype.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "op_tester.h"

namespace onyx::testing {
namespace {

// A float tensor of `shape` holding (k mod span - span / 2) * step for k = 0, 1, ..: small
// multiples of `step` plus `offset`, exact in float16 and bfloat16 when step is 1/8 or 1/16.
Tensor pattern(Shape shape, float step = 0.125f, int span = 17, float offset = 0) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k)
    v[static_cast<size_t>(k)] = offset + static_cast<float>((k * 7) % span - span / 2) * step;
  return floats(std::move(shape), v);
}

// Float tensor `t` converted element by element to float, float16 or bfloat16.
Tensor as_dtype(const Tensor& t, DType dtype) {
  const std::vector<float> v = t.to_vector<float>();
  if (dtype == DType::Float16) {
    std::vector<float16_t> h;
    for (float x : v) h.push_back(float16_t(x));
    return Tensor::from_vector<float16_t>(t.shape(), h);
  }
  if (dtype == DType::BFloat16) {
    std::vector<bfloat16_t> h;
    for (float x : v) h.push_back(bfloat16_t(x));
    return Tensor::from_vector<bfloat16_t>(t.shape(), h);
  }
  return t;
}

// The values of a float, float16 or bfloat16 tensor, as floats.
std::vector<float> values_of(const Tensor& t) {
  std::vector<float> out;
  if (t.dtype() == DType::Float16)
    for (float16_t h : t.to_vector<float16_t>()) out.push_back(static_cast<float>(h));
  else if (t.dtype() == DType::BFloat16)
    for (bfloat16_t h : t.to_vector<bfloat16_t>()) out.push_back(static_cast<float>(h));
  else
    out = t.to_vector<float>();
  return out;
}

// Adds the node's inputs (its float ones in `dtype`), attributes and outputs.
using Build = std::function<void(OpTester&, DType)>;

std::vector<Tensor> run_as(const std::string& op, int opset, DType dtype, const Build& build) {
  OpTester t(op, opset);
  build(t, dtype);
  return t.run();
}

// Opset 22 in float16 and bfloat16 agrees with float: each output of the float run's dtype
// comes back in the half dtype, within `bf16_tol` (float16: an eighth of it) relative to
// max(1, |want|).
void expect_halves_match_float(const std::string& op, const Build& build, double bf16_tol) {
  const std::vector<Tensor> want = run_as(op, 22, DType::Float, build);
  for (DType dtype : {DType::Float16, DType::BFloat16}) {
    SCOPED_TRACE(op + " in " + dtype_name(dtype));
    const double tol = dtype == DType::BFloat16 ? bf16_tol : bf16_tol / 8;
    const std::vector<Tensor> got = run_as(op, 22, dtype, build);
    ASSERT_EQ(got.size(), want.size());
    for (size_t k = 0; k < want.size(); ++k) {
      if (want[k].dtype() != DType::Float) {  // an index or mask output: equal as is
        EXPECT_EQ(got[k].dtype(), want[k].dtype()) << "output " << k;
        continue;
      }
      EXPECT_EQ(got[k].dtype(), dtype) << "output " << k;
      ASSERT_EQ(got[k].shape(), want[k].shape()) << "output " << k;
      const std::vector<float> g = values_of(got[k]), w = values_of(want[k]);
      for (size_t i = 0; i < w.size(); ++i) {
        if (std::isnan(w[i])) {
          EXPECT_TRUE(std::isnan(g[i])) << "output " << k << " at " << i;
          continue;
        }
        EXPECT_NEAR(g[i], w[i], tol * std::max(1.0f, std::fabs(w[i])))
            << "output " << k << " at " << i;
      }
    }
  }
}

// The opset-`old` version refuses bfloat16, naming the op and the dtype.
void expect_refuses_bfloat16(const std::string& op, int old, const Build& build) {
  const std::string e = error_of([&] { run_as(op, old, DType::BFloat16, build); });
  EXPECT_TRUE(mentions(e, op)) << op << ": " << e;
  EXPECT_TRUE(mentions(e, "bfloat16")) << op << ": " << e;
  EXPECT_TRUE(mentions(e, std::to_string(old))) << op << ": " << e;
}

// One input X of `x` and one output Y, with optional attributes.
Build unary(const Tensor& x, std::function<void(OpTester&)> attrs = nullptr) {
  return [x, attrs](OpTester& t, DType dtype) {
    t.input("X", as_dtype(x, dtype)).output("Y");
    if (attrs) attrs(t);
  };
}

TEST(Opset22Half, ActivationsTrigAndRound) {
  const Tensor x = pattern({2, 3, 4});                      // [-1, 1] in steps of 1/8
  const Tensor wide = pattern({2, 3, 4}, 0.5f);             // [-4, 4] in steps of 1/2
  const Tensor unit = pattern({2, 3, 4}, 1.0f / 16, 31);    // (-1, 1) for Asin, Acos, Atanh
  const Tensor above1 = pattern({2, 3, 4}, 0.125f, 17, 2);  // [1, 3] for Acosh
  struct Case {
    const char* op;
    int old;  // the opset-21 version's first opset: refuses bfloat16
    Tensor x;
  };
  const std::vector<Case> cases = {{"Elu", 6, wide},
                                   {"Selu", 6, wide},
                                   {"HardSigmoid", 6, wide},
                                   {"HardSwish", 14, wide},
                                   {"Softplus", 1, wide},
                                   {"Softsign", 1, wide},
                                   {"ThresholdedRelu", 10, wide},
                                   {"Mish", 18, wide},
                                   {"Sin", 7, wide},
                                   {"Cos", 7, wide},
                                   {"Tan", 7, x},
                                   {"Asin", 7, unit},
                                   {"Acos", 7, unit},
                                   {"Atan", 7, wide},
                                   {"Sinh", 9, wide},
                                   {"Cosh", 9, wide},
                                   {"Asinh", 9, wide},
                                   {"Acosh", 9, above1},
                                   {"Atanh", 9, unit},
                                   {"Round", 11, wide}};
  for (const Case& c : cases) {
    expect_halves_match_float(c.op, unary(c.x), 1.0 / 128);
    expect_refuses_bfloat16(c.op, 21, unary(c.x));
    // float16 was accepted long before 22.
    EXPECT_NO_THROW(run_as(c.op, c.old, DType::Float16, unary(c.x))) << c.op;
  }
}

TEST(Opset22Half, RoundBreaksTiesToEvenInHalfTypes) {
  // Halves are exact in both types: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -2.5 -> -2.
  const Tensor x = floats({4}, {0.5f, 1.5f, 2.5f, -2.5f});
  for (DType dtype : {DType::Float16, DType::BFloat16}) {
    const Tensor y = run_as("Round", 22, dtype, unary(x))[0];
    EXPECT_EQ(values_of(y), (std::vector<float>{0, 2, 2, -2})) << dtype_name(dtype);
  }
}

}  // namespace
}  // namespace onyx::testing
