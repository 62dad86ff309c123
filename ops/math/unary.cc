// Elementwise functions of one tensor with the input's type: the activations Relu, Sigmoid
// and Tanh, and Abs, Neg, Sign, Ceil, Floor, Round, Reciprocal, Sqrt, Exp, Log, Erf. Each op
// is a version list and a function object run by UnaryKernel (math/unary_kernel.h), so a
// new op is a version list, a function object and one registration line.
//
// Integers follow numpy: Abs and Neg of the lowest value wrap around to itself, Sign is
// -1, 0 or 1; NaN stays NaN through Sign, Ceil, Floor and Round.
#include <cmath>
#include <functional>

#include "common/shape_utils.h"
#include "kernels/simd/vmath.h"
#include "math/math.h"
#include "math/unary_kernel.h"

namespace onyx {
namespace {

// ---- 1. registration: each op's version history ----

// Opset 1 also carries the legacy `consumed_inputs` hint, which is ignored.
const std::map<std::string, AttrType> kLegacyAttrs = {{"consumed_inputs", AttrType::Ints}};

// Ops defined at opset 1 for float16/float/double; opset 13 adds bfloat16.
std::vector<OpVersion> float_op_versions() {
  return {{1, 5, float_dtypes(), kLegacyAttrs},
          {6, 12, float_dtypes()},
          {13, kOpsetOpen, with_dtypes(float_dtypes(), {DType::BFloat16})}};
}

std::vector<OpVersion> relu_versions() {
  const std::vector<DType> f13 = with_dtypes(float_dtypes(), {DType::BFloat16});
  return {
      {1, 5, float_dtypes(), kLegacyAttrs},
      {6, 12, float_dtypes()},
      {13, 13, f13},
      {14, kOpsetOpen, with_dtypes(f13, {DType::Int8, DType::Int16, DType::Int32, DType::Int64})}};
}

std::vector<OpVersion> abs_versions() {  // all numeric types from opset 6
  return {{1, 5, float_dtypes(), kLegacyAttrs},
          {6, 12, numeric_dtypes_no_bf16()},
          {13, kOpsetOpen, numeric_dtypes()}};
}

std::vector<OpVersion> neg_versions() {  // signed types from opset 6
  const std::vector<DType> v6 =
      with_dtypes(float_dtypes(), {DType::Int8, DType::Int16, DType::Int32, DType::Int64});
  return {{1, 5, float_dtypes(), kLegacyAttrs},
          {6, 12, v6},
          {13, kOpsetOpen, with_dtypes(v6, {DType::BFloat16})}};
}

std::vector<OpVersion> numeric_op_versions() {  // Sign and Erf: since opset 9
  return {{9, 12, numeric_dtypes_no_bf16()}, {13, kOpsetOpen, numeric_dtypes()}};
}

// ---- 2. attributes: none ----

// ---- 3. shape rule: infer_same_as_input ----

// ---- 4. compute ----

using SignedTypes =
    type_list<float, double, float16_t, bfloat16_t, int8_t, int16_t, int32_t, int64_t>;

struct ReluFn {
  static constexpr const char* name = "Relu";
  using Types = SignedTypes;
  // x < 0 is false for NaN, so NaN stays NaN (as in numpy's reference).
  template <class C>
  static C apply(C x) {
    return x < C(0) ? C(0) : x;
  }
};

struct SigmoidFn {
  static constexpr const char* name = "Sigmoid";
  using Types = FloatTypes;
  static void vectorized(const float* x, float* y, int64_t n) { kernels::vsigmoid(x, y, n); }
  // exp of a non-positive argument only: no overflow for large |x|.
  template <class C>
  static C apply(C x) {
    if (x >= C(0)) return C(1) / (C(1) + std::exp(-x));
    C e = std::exp(x);
    return e / (C(1) + e);
  }
};

struct TanhFn {
  static constexpr const char* name = "Tanh";
  using Types = FloatTypes;
  static void vectorized(const float* x, float* y, int64_t n) { kernels::vtanh(x, y, n); }
  template <class C>
  static C apply(C x) {
    return std::tanh(x);
  }
};

struct AbsFn {
  static constexpr const char* name = "Abs";
  using Types = NumericTypes;
  template <class C>
  static C apply(C x) {
    if constexpr (std::is_unsigned_v<C>) {
      return x;
    } else if constexpr (std::is_integral_v<C>) {
      return x < C(0) ? arith(C(0), x, std::minus<>{}) : x;  // lowest wraps to itself
    } else {
      return std::fabs(x);
    }
  }
};

struct NegFn {
  static constexpr const char* name = "Neg";
  using Types = SignedTypes;
  template <class C>
  static C apply(C x) {
    if constexpr (std::is_integral_v<C>) {
      return arith(C(0), x, std::minus<>{});  // lowest wraps to itself
    } else {
      return -x;
    }
  }
};

struct SignFn {
  static constexpr const char* name = "Sign";
  using Types = NumericTypes;
  template <class C>
  static C apply(C x) {
    if constexpr (std::is_unsigned_v<C>) {
      return x > C(0) ? C(1) : C(0);
    } else {
      if constexpr (std::is_floating_point_v<C>) {
        if (std::isnan(x)) return x;
      }
      return x > C(0) ? C(1) : x < C(0) ? C(-1) : C(0);
    }
  }
};

struct CeilFn {
  static constexpr const char* name = "Ceil";
  using Types = FloatTypes;
  template <class C>
  static C apply(C x) {
    return std::ceil(x);
  }
};

struct FloorFn {
  static constexpr const char* name = "Floor";
  using Types = FloatTypes;
  template <class C>
  static C apply(C x) {
    return std::floor(x);
  }
};

struct RoundFn {
  static constexpr const char* name = "Round";
  using Types = FloatTypes;
  // std::round breaks ties away from zero; ONNX (like numpy) breaks them to the even
  // neighbour: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -2.5 -> -2.
  template <class C>
  static C apply(C x) {
    if (std::fabs(x - std::trunc(x)) == C(0.5)) return C(2) * std::round(x / C(2));
    return std::round(x);
  }
};

struct ReciprocalFn {
  static constexpr const char* name = "Reciprocal";
  using Types = FloatTypes;
  template <class C>
  static C apply(C x) {
    return C(1) / x;
  }
};

struct SqrtFn {
  static constexpr const char* name = "Sqrt";
  using Types = FloatTypes;
  template <class C>
  static C apply(C x) {
    return std::sqrt(x);
  }
};

struct ExpFn {
  static constexpr const char* name = "Exp";
  using Types = FloatTypes;
  static void vectorized(const float* x, float* y, int64_t n) { kernels::vexp(x, y, n); }
  template <class C>
  static C apply(C x) {
    return std::exp(x);
  }
};

struct LogFn {
  static constexpr const char* name = "Log";
  using Types = FloatTypes;
  template <class C>
  static C apply(C x) {
    return std::log(x);
  }
};

struct ErfFn {
  static constexpr const char* name = "Erf";
  using Types = NumericTypes;
  static void vectorized(const float* x, float* y, int64_t n) { kernels::verf(x, y, n); }
  // Integers: erf of the value, truncated back to the integer type (as numpy's astype).
  template <class C>
  static C apply(C x) {
    if constexpr (std::is_integral_v<C>) {
      return static_cast<C>(std::erf(static_cast<double>(x)));
    } else {
      return std::erf(x);
    }
  }
};

}  // namespace

void register_unary(Registry& registry) {
  add_unary<ReluFn>(registry, relu_versions());
  add_unary<SigmoidFn>(registry, float_op_versions());
  add_unary<TanhFn>(registry, float_op_versions());
  add_unary<AbsFn>(registry, abs_versions());
  add_unary<NegFn>(registry, neg_versions());
  add_unary<SignFn>(registry, numeric_op_versions());
  add_unary<CeilFn>(registry, float_op_versions());
  add_unary<FloorFn>(registry, float_op_versions());
  add_unary<RoundFn>(registry, {{11, 21, float_dtypes()}, {22, kOpsetOpen, float_dtypes_bf16()}});
  add_unary<ReciprocalFn>(registry, float_op_versions());
  add_unary<SqrtFn>(registry, float_op_versions());
  add_unary<ExpFn>(registry, float_op_versions());
  add_unary<LogFn>(registry, float_op_versions());
  add_unary<ErfFn>(registry, numeric_op_versions());
}

}  // namespace onyx
