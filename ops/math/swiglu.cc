// SwiGLU (opset 28): the gated activation of Llama-style feed-forward blocks, on a gate A
// and a value B of one shape:
//
//   Y = Swish_alpha(A) * B,   Swish_alpha(a) = a * sigmoid(alpha * a)   (alpha 1)
//
// The spec defines it as the function Swish(A) then Mul with B, but without Mul's
// broadcasting: A and B must have identical shapes, and so has Y. Exporters split a
// packed projection into A and B upstream (Split or Slice), so there is no axis here.
// The half types are computed in float, as the reference computes them.
#include <cmath>
#include <optional>
#include <vector>

#include "common/shape_utils.h"
#include "kernels/simd/elementwise.h"
#include "math/elementwise.h"
#include "math/math.h"

namespace onyx {
namespace {

class SwiGluKernel final : public Kernel {
 public:
  explicit SwiGluKernel(const KernelInit& init) : alpha_(init.attrs().get_float("alpha", 1.0f)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    if (a.dtype() != b.dtype())
      ctx.fail(cat("A and B must have one dtype, got ", a.describe(), " and ", b.describe()));
    if (a.shape() != b.shape())
      ctx.fail(cat("A and B must have one shape (SwiGLU does not broadcast), got ", a.describe(),
                   " and ", b.describe()));
    Tensor& y = ctx.allocate_uninitialized_output(0, a.dtype(), a.shape());  // all written
    dispatch<FloatTypes>(a.dtype(), "SwiGLU", [&](auto tag) {
      using T = typename decltype(tag)::type;
      using C = compute_t<T>;  // float for the half types
      const T* pa = a.data<T>();
      const T* pb = b.data<T>();
      T* py = y.data<T>();
      const C alpha = static_cast<C>(alpha_);
      ctx.pool().parallel_for(a.numel(), kernels::kElementwiseGrain, [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i) {
          const C x = static_cast<C>(pa[i]);
          // a / (1 + exp(-alpha a)) is a * sigmoid(alpha a); where exp overflows to inf it
          // gives the limit 0 instead of the NaN of inf * 0.
          const C swish = x / (C(1) + std::exp(-alpha * x));
          py[i] = static_cast<T>(swish * static_cast<C>(pb[i]));
        }
      });
    });
  }
  // Each element of A and B is read before Y's element at the same place is written.
  std::vector<OutputReuse> output_reuse() const override { return elementwise_over({0, 1}); }

 private:
  float alpha_;
};

// Shape rule: Y has A's type; A and B must agree dim by dim (no broadcasting), and a dim
// known in either input is known in Y.
void infer_swiglu(InferContext& ctx) {
  if (ctx.num_inputs() != 2 || !ctx.has_input(0) || !ctx.has_input(1))
    ctx.fail("needs both inputs, the gate A and the value B");
  const TypeInfo& a = ctx.input(0);
  const TypeInfo& b = ctx.input(1);
  check_same_dtype(a.elem, b.elem, ctx);
  std::optional<std::vector<Dim>> shape = a.shape ? a.shape : b.shape;
  if (a.shape && b.shape) {
    if (a.shape->size() != b.shape->size())
      ctx.fail(cat("A and B must have one shape (SwiGLU does not broadcast), got ranks ",
                   a.shape->size(), " and ", b.shape->size()));
    for (size_t d = 0; d < shape->size(); ++d) {
      Dim& have = (*shape)[d];
      const Dim& other = (*b.shape)[d];
      if (have.is_known() && other.is_known() && have.value != other.value)
        ctx.fail(cat("A and B must have one shape (SwiGLU does not broadcast), got ", a.to_string(),
                     " and ", b.to_string()));
      if (!have.is_known() && other.is_known()) have = other;  // keep the better known dim
    }
  }
  ctx.set_output(0, TypeInfo::tensor(a.elem != DType::Undefined ? a.elem : b.elem, shape));
}

}  // namespace

void register_swiglu(Registry& registry) {
  add_op_versions(registry, "SwiGLU",
                  {{28, kOpsetOpen, dtypes_of(FloatTypes{}), {{"alpha", AttrType::Float}}}},
                  make_kernel<SwiGluKernel>(), infer_swiglu);
}

}  // namespace onyx
