// The kernel of the one-input, same-type elementwise ops (Relu, Abs, Sqrt, Sin, ...). Each
// op is a function object:
//
//   struct SqrtFn {
//     static constexpr const char* name = "Sqrt";
//     using Types = FloatTypes;                     // the dtypes it computes
//     template <class C> static C apply(C x) { return std::sqrt(x); }
//   };
//
// apply sees the compute type C (float for float16/bfloat16, else the element type), and
// its result is converted back to the element type. An op may also give
//   static void vectorized(const float* x, float* y, int64_t n);
// (kernels/simd/vmath.h), which float tensors then use unless the session asked for the
// reference kernels.
#pragma once

#include "common/shape_utils.h"
#include "math/elementwise.h"
#include "math/math.h"
#include "onyx/kernel.h"

namespace onyx {

// Fn's vector form, called through a name that depends on T so that clang, like GCC, only
// looks for Fn::vectorized where the `if constexpr` below keeps the call.
template <class Fn, class T>
void unary_vectorized(const T* in, T* out, int64_t n) {
  Fn::vectorized(in, out, n);
}

template <class Fn>
class UnaryKernel final : public Kernel {
 public:
  explicit UnaryKernel(const KernelInit& init) : fast_(!init.reference()) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.allocate_uninitialized_output(0, x.dtype(), x.shape());  // all written
    dispatch<typename Fn::Types>(x.dtype(), Fn::name, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using C = compute_t<T>;  // float for the half types
      const T* in = x.data<T>();
      T* out = y.data<T>();
      if constexpr (std::is_same_v<T, float> && requires { Fn::vectorized; }) {
        if (fast_)
          return ctx.pool().parallel_for(x.numel(), kElementwiseGrain, [&](int64_t i0, int64_t i1) {
            unary_vectorized<Fn>(in + i0, out + i0, i1 - i0);
          });
      }
      ctx.pool().parallel_for(x.numel(), kElementwiseGrain, [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i) out[i] = static_cast<T>(Fn::apply(static_cast<C>(in[i])));
      });
    });
  }
  std::vector<OutputReuse> output_reuse() const override { return elementwise_over(); }

 private:
  bool fast_;
};

// Registers op Fn with its version table; the output has the input's type.
template <class Fn>
void add_unary(Registry& registry, const std::vector<OpVersion>& versions) {
  add_op_versions(registry, Fn::name, versions, make_kernel<UnaryKernel<Fn>>(),
                  infer_same_as_input);
}

}  // namespace onyx
