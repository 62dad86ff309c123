// Mod: the remainder of A / B elementwise, A and B of one numeric type, broadcast numpy
// style.
//
// fmod=0 (the default) is the integer remainder with the sign of the divisor, as Python's
// and numpy's % (-7 mod 3 = 2, 7 mod -3 = -2); the spec allows it for integers only.
// fmod=1 is C's fmod, with the sign of the dividend (-7 fmod 3 = -1), for any type. An
// integer remainder by zero is an error; a float one is NaN.
#include <cmath>

#include "math/elementwise.h"
#include "math/math.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> mod_versions() {
  const std::map<std::string, AttrType> attrs = {{"fmod", AttrType::Int}};
  return {{10, 12, numeric_dtypes_no_bf16(), attrs}, {13, kOpsetOpen, numeric_dtypes(), attrs}};
}

// ---- 2. construction: fmod, which float inputs require ----

template <class Ctx>
void check_fmod(bool fmod, DType dtype, Ctx& ctx) {
  if (!fmod && dtype != DType::Undefined && dtype_info(dtype).is_float)
    ctx.fail(cat("fmod=0 is for integers; ", dtype_name(dtype), " inputs need fmod=1"));
}

// ---- 3. shape rule: the broadcast of A and B, their dtype ----

void infer_mod(InferContext& ctx) {
  check_same_dtype(ctx.input(0).elem, ctx.input(1).elem, ctx);
  infer_binary_elementwise(ctx, LegacyBroadcast{});
}

// ---- 4. compute ----

// The remainder of a / b, b != 0, with the sign of a (fmod) or of b.
template <class T>
T remainder(T a, T b, bool fmod) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::fmod(a, b);  // fmod=1 (checked at construction)
  } else if constexpr (std::is_unsigned_v<T>) {
    return static_cast<T>(a % b);  // no signs: both rules agree
  } else {
    if (b == T(-1)) return T(0);  // lowest % -1 overflows in C++
    T r = static_cast<T>(a % b);  // C++ truncates: r has the sign of a
    if (!fmod && r != T(0) && ((r < T(0)) != (b < T(0)))) r = static_cast<T>(r + b);
    return r;
  }
}

class ModKernel final : public Kernel {
 public:
  explicit ModKernel(const KernelInit& init) {
    int64_t fmod = init.attrs().get_int("fmod", 0);
    if (fmod != 0 && fmod != 1) init.fail(cat("attribute 'fmod' must be 0 or 1, got ", fmod));
    fmod_ = fmod == 1;
    check_same_dtype(init.input_dtype(0), init.input_dtype(1), init);
    check_fmod(fmod_, init.input_dtype(0), init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    check_same_dtype(a.dtype(), b.dtype(), ctx);
    check_fmod(fmod_, a.dtype(), ctx);
    Tensor& out = ctx.allocate_output(
        0, a.dtype(), LegacyBroadcast::broadcast_or_fail(a.shape(), b.shape(), ctx));
    dispatch<NumericTypes>(a.dtype(), "Mod", [&](auto tag) {
      using T = typename decltype(tag)::type;
      using C = compute_t<T>;  // float for the half types
      const T* pb = b.data<T>();
      if constexpr (std::is_integral_v<T>) {
        if (out.numel() > 0)  // then every element of b is used
          for (int64_t i = 0; i < b.numel(); ++i)
            if (pb[i] == T(0)) ctx.fail("integer remainder by zero");
      }
      const bool fmod = fmod_;
      broadcast_binary(
          a.data<T>(), a.shape(), pb, b.shape(), out.data<T>(), out.shape(), [fmod](T x, T y) {
            return static_cast<T>(remainder(static_cast<C>(x), static_cast<C>(y), fmod));
          });
    });
  }

 private:
  bool fmod_ = false;
};

}  // namespace

void register_mod(Registry& registry) {
  add_op_versions(registry, "Mod", mod_versions(), make_kernel<ModKernel>(), infer_mod);
}

}  // namespace onyx
