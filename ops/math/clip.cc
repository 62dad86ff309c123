// Clip: y = min(max(x, min), max), elementwise.
//
// Opsets 1 and 6 take the bounds as float attributes; from opset 11 they are optional
// scalar inputs 1 and 2 (positional: an omitted bound is an empty input name). A missing
// bound does not clip. When min > max every element becomes max, and NaN stays NaN.
#include <algorithm>
#include <limits>
#include <optional>

#include "common/shape_utils.h"
#include "kernels/simd/elementwise.h"
#include "math/math.h"
#include "onyx/kernel.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> clip_versions() {
  const std::vector<DType> f = float_dtypes();
  const std::map<std::string, AttrType> bounds = {{"min", AttrType::Float},
                                                  {"max", AttrType::Float}};
  std::map<std::string, AttrType> bounds1 = bounds;
  bounds1["consumed_inputs"] = AttrType::Ints;
  std::vector<DType> numeric = dtypes_of(NumericTypes{});
  std::vector<DType> numeric12;  // opset 12: every numeric type but bfloat16
  for (DType t : numeric)
    if (t != DType::BFloat16) numeric12.push_back(t);
  return {{1, 5, f, bounds1},
          {6, 10, f, bounds},
          {11, 11, f},
          {12, 12, numeric12},
          {13, kOpsetOpen, numeric}};
}

// ---- 2. construction: the attribute bounds of opsets 1 and 6 ----

class ClipKernel final : public Kernel {
 public:
  explicit ClipKernel(const KernelInit& init)
      : from_inputs_(init.opset() >= 11), fast_(!init.reference()) {
    if (from_inputs_) {
      if (init.num_inputs() > 3) init.fail("Clip takes at most 3 inputs");
      return;
    }
    const Attrs& attrs = init.attrs();
    if (attrs.has("min")) min_ = attrs.get_float("min", 0.0f);
    if (attrs.has("max")) max_ = attrs.get_float("max", 0.0f);
  }

  void run(KernelContext& ctx) const override;
  std::vector<OutputReuse> output_reuse() const override { return elementwise_over(); }

 private:
  bool from_inputs_;
  bool fast_;                       // float runs through kernels::clip
  std::optional<float> min_, max_;  // attribute bounds (opset < 11)
};

// ---- 3. shape rule: infer_same_as_input ----

// ---- 4. compute ----

// The bound in input `i` (opset >= 11), or nullopt when omitted.
template <class T>
std::optional<T> bound_input(KernelContext& ctx, int i, DType dtype) {
  if (!ctx.has_input(i)) return std::nullopt;
  const Tensor& t = ctx.input(i);
  if (t.dtype() != dtype)
    ctx.fail(cat("bound ", t.describe(), " must have the input's dtype ", dtype_name(dtype)));
  if (t.numel() != 1) ctx.fail(cat("bound ", t.describe(), " must be a scalar"));
  return t.data<T>()[0];
}

void ClipKernel::run(KernelContext& ctx) const {
  const Tensor& x = ctx.input(0);
  Tensor& y = ctx.allocate_uninitialized_output(0, x.dtype(), x.shape());  // all written
  dispatch<NumericTypes>(x.dtype(), "Clip", [&](auto tag) {
    using T = typename decltype(tag)::type;
    using C = compute_t<T>;  // float for the half types
    C lo = std::numeric_limits<C>::lowest();
    C hi = std::numeric_limits<C>::max();
    if (from_inputs_) {
      if (auto v = bound_input<T>(ctx, 1, x.dtype())) lo = static_cast<C>(*v);
      if (auto v = bound_input<T>(ctx, 2, x.dtype())) hi = static_cast<C>(*v);
    } else {
      if (min_) lo = static_cast<C>(*min_);
      if (max_) hi = static_cast<C>(*max_);
    }
    const T* in = x.data<T>();
    T* out = y.data<T>();
    if constexpr (std::is_same_v<T, float>) {
      if (fast_)
        return ctx.pool().parallel_for(
            x.numel(), kernels::kElementwiseGrain,
            [&](int64_t i0, int64_t i1) { kernels::clip(in + i0, lo, hi, out + i0, i1 - i0); });
    }
    // std::max(x, lo) keeps a NaN x; std::min(.., hi) then keeps it too.
    for (int64_t i = 0; i < x.numel(); ++i)
      out[i] = T(std::min(std::max(static_cast<C>(in[i]), lo), hi));
  });
}

}  // namespace

void register_clip(Registry& registry) {
  add_op_versions(registry, "Clip", clip_versions(), make_kernel<ClipKernel>(),
                  infer_same_as_input);
}

}  // namespace onyx
