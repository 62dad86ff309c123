// Trigonometric and hyperbolic functions, elementwise over the float types: Sin, Cos,
// Tan, Asin, Acos, Atan (opset 7) and Sinh, Cosh, Asinh, Acosh, Atanh (opset 9). Outside
// its domain a function gives NaN (Asin(2), Acosh(0.5)) and at a pole infinity (Atanh(1)),
// as the C library does. Each op is a function object run by UnaryKernel, which computes
// the half types in float and rounds once on store. Opset 22 added bfloat16 to all eleven.
#include <cmath>

#include "math/unary_kernel.h"

namespace onyx {
namespace {

// ---- 1. registration: float16/float/double, and bfloat16 from opset 22 ----

// ---- 2. attributes: none ----

// ---- 3. shape rule: infer_same_as_input ----

// ---- 4. compute ----

using TrigTypes = FloatTypes;

struct SinFn {
  static constexpr const char* name = "Sin";
  using Types = TrigTypes;
  template <class C>
  static C apply(C x) {
    return std::sin(x);
  }
};
struct CosFn {
  static constexpr const char* name = "Cos";
  using Types = TrigTypes;
  template <class C>
  static C apply(C x) {
    return std::cos(x);
  }
};
struct TanFn {
  static constexpr const char* name = "Tan";
  using Types = TrigTypes;
  template <class C>
  static C apply(C x) {
    return std::tan(x);
  }
};
struct AsinFn {
  static constexpr const char* name = "Asin";
  using Types = TrigTypes;
  template <class C>
  static C apply(C x) {
    return std::asin(x);
  }
};
struct AcosFn {
  static constexpr const char* name = "Acos";
  using Types = TrigTypes;
  template <class C>
  static C apply(C x) {
    return std::acos(x);
  }
};
struct AtanFn {
  static constexpr const char* name = "Atan";
  using Types = TrigTypes;
  template <class C>
  static C apply(C x) {
    return std::atan(x);
  }
};
struct SinhFn {
  static constexpr const char* name = "Sinh";
  using Types = TrigTypes;
  template <class C>
  static C apply(C x) {
    return std::sinh(x);
  }
};
struct CoshFn {
  static constexpr const char* name = "Cosh";
  using Types = TrigTypes;
  template <class C>
  static C apply(C x) {
    return std::cosh(x);
  }
};
struct AsinhFn {
  static constexpr const char* name = "Asinh";
  using Types = TrigTypes;
  template <class C>
  static C apply(C x) {
    return std::asinh(x);
  }
};
struct AcoshFn {
  static constexpr const char* name = "Acosh";
  using Types = TrigTypes;
  template <class C>
  static C apply(C x) {
    return std::acosh(x);
  }
};
struct AtanhFn {
  static constexpr const char* name = "Atanh";
  using Types = TrigTypes;
  template <class C>
  static C apply(C x) {
    return std::atanh(x);
  }
};

}  // namespace

void register_trig(Registry& registry) {
  const std::vector<OpVersion> since7 = {{7, 21, float_dtypes()},
                                         {22, kOpsetOpen, float_dtypes_bf16()}};
  const std::vector<OpVersion> since9 = {{9, 21, float_dtypes()},
                                         {22, kOpsetOpen, float_dtypes_bf16()}};
  add_unary<SinFn>(registry, since7);
  add_unary<CosFn>(registry, since7);
  add_unary<TanFn>(registry, since7);
  add_unary<AsinFn>(registry, since7);
  add_unary<AcosFn>(registry, since7);
  add_unary<AtanFn>(registry, since7);
  add_unary<SinhFn>(registry, since9);
  add_unary<CoshFn>(registry, since9);
  add_unary<AsinhFn>(registry, since9);
  add_unary<AcoshFn>(registry, since9);
  add_unary<AtanhFn>(registry, since9);
}

}  // namespace onyx
