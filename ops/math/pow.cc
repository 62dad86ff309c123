// Pow: Z = X ^ Y elementwise, with Z of X's dtype.
//
// Opsets 1 to 11 take X and Y of one float type (opset 1 with the legacy B-to-A broadcast,
// see math/elementwise.h). From opset 12 X is int32/int64 or float and Y any numeric type.
// An integer base raised to an integer exponent is computed exactly in integers, wrapping
// around on overflow like numpy; a negative exponent truncates 1 / x^n toward zero (0 for
// |x| > 1), and 0 to a negative power is an error. Every other pair is computed in double
// and converted to X's type (saturating for an integer X).
#include <cmath>

#include "kernels/simd/elementwise.h"
#include "math/elementwise.h"
#include "math/math.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> pow_versions() {
  const std::vector<DType> f = float_dtypes();
  const std::vector<DType> v12 = with_dtypes(f, {DType::Int32, DType::Int64});
  return {{1, 6, f, {{"broadcast", AttrType::Int}, {"axis", AttrType::Int}}},
          {7, 11, f},
          {12, 12, v12},
          {13, 14, with_dtypes(v12, {DType::BFloat16})},
          {15, kOpsetOpen, with_dtypes(v12, {DType::BFloat16})}};  // Y may be bfloat16 too
}

using BaseTypes = type_list<float, double, float16_t, bfloat16_t, int32_t, int64_t>;

// ---- 2. construction: which exponent types the opset allows ----

// Before opset 12 the exponent has the base's type; then any numeric type (bfloat16 from 15).
template <class Ctx>
void check_exponent_dtype(int opset, DType base, DType exponent, Ctx& ctx) {
  if (base == DType::Undefined || exponent == DType::Undefined) return;
  if (opset < 12) return check_same_dtype(base, exponent, ctx);
  if (!dtype_in(NumericTypes{}, exponent) || (opset < 15 && exponent == DType::BFloat16))
    ctx.fail(cat("exponent dtype ", dtype_name(exponent), " is not allowed at opset ", opset));
}

// ---- 3. shape rule: the broadcast of X and Y, X's dtype ----

void infer_pow(InferContext& ctx) {
  check_exponent_dtype(ctx.opset(), ctx.input(0).elem, ctx.input(1).elem, ctx);
  infer_binary_elementwise(ctx, LegacyBroadcast::read(ctx.node(), ctx.opset(), ctx.label(), ctx));
}

// ---- 4. compute ----

// base ^ exponent for an integer base and exponent.
template <class T, class E, class Ctx>
T integer_pow(T base, E exponent, Ctx& ctx) {
  if constexpr (std::is_signed_v<E>) {
    if (exponent < E(0)) {
      if (base == T(0)) ctx.fail("integer 0 raised to a negative power");
      if (base == T(1)) return T(1);
      if (base == T(-1)) return (exponent % 2 == 0) ? T(1) : T(-1);
      return T(0);  // |1 / base^n| < 1 truncates to 0
    }
  }
  using U = std::make_unsigned_t<T>;  // unsigned arithmetic wraps instead of overflowing
  U result = 1, square = static_cast<U>(base);
  for (uint64_t e = static_cast<uint64_t>(exponent); e != 0; e >>= 1) {
    if (e & 1u) result *= square;
    square *= square;
  }
  return static_cast<T>(result);
}

template <class T, class E, class Ctx>
T power(T base, E exponent, Ctx& ctx) {
  if constexpr (std::is_integral_v<T> && std::is_integral_v<E>) {
    return integer_pow(base, exponent, ctx);
  } else {
    double b = static_cast<double>(static_cast<compute_t<T>>(base));
    double e = static_cast<double>(static_cast<compute_t<E>>(exponent));
    double z = std::pow(b, e);
    if constexpr (std::is_integral_v<T>) {
      return saturate_cast<T>(z);
    } else {
      return static_cast<T>(static_cast<compute_t<T>>(z));
    }
  }
}

class PowKernel final : public Kernel {
 public:
  explicit PowKernel(const KernelInit& init)
      : legacy_(LegacyBroadcast::read(init.node(), init.opset(), init.label(), init)),
        opset_(init.opset()),
        fast_(!init.reference()) {
    check_exponent_dtype(opset_, init.input_dtype(0), init.input_dtype(1), init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& y = ctx.input(1);
    check_exponent_dtype(opset_, x.dtype(), y.dtype(), ctx);
    Shape y_view = legacy_.view_of_b(x.shape(), y.shape(), ctx);
    Tensor& z = ctx.allocate_output(0, x.dtype(), legacy_.output_shape(x.shape(), y.shape(), ctx));
    if (const int e = fast_ ? small_exponent(x, y) : 0; e != 0 && z.shape() == x.shape()) {
      const float* px = x.data<float>();
      float* pz = z.data<float>();
      ctx.pool().parallel_for(x.numel(), kElementwiseGrain, [&](int64_t i0, int64_t i1) {
        kernels::pow_small(px + i0, e, pz + i0, i1 - i0);
      });
      return;
    }
    dispatch<BaseTypes>(x.dtype(), "Pow", [&](auto base_tag) {
      using T = typename decltype(base_tag)::type;
      dispatch<NumericTypes>(y.dtype(), "Pow", [&](auto exponent_tag) {
        using E = typename decltype(exponent_tag)::type;
        broadcast_binary(x.data<T>(), x.shape(), y.data<E>(), y_view, z.data<T>(), z.shape(),
                         [&](T b, E e) { return power(b, e, ctx); });
      });
    });
  }

 private:
  // 2 or 3 when a float base is raised to one exponent of that value (x^2 and x^3 are
  // common in exported GELU and norms); else 0.
  static int small_exponent(const Tensor& x, const Tensor& y) {
    if (x.dtype() != DType::Float || y.numel() != 1) return 0;
    double e = 0;
    dispatch<NumericTypes>(y.dtype(), "Pow", [&](auto tag) {
      using E = typename decltype(tag)::type;
      e = static_cast<double>(static_cast<compute_t<E>>(y.data<E>()[0]));
    });
    return e == 2.0 ? 2 : e == 3.0 ? 3 : 0;
  }

  LegacyBroadcast legacy_;
  int opset_;
  bool fast_;  // float x^2, x^3 by multiplication
};

}  // namespace

void register_pow(Registry& registry) {
  add_op_versions(registry, "Pow", pow_versions(), make_kernel<PowKernel>(), infer_pow);
}

}  // namespace onyx
