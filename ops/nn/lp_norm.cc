// LpNormalization: X divided by its p-norm along `axis` (default -1), p = 1 or 2:
//
//   Y = X / (sum over the axis of |X|^p)^(1/p)
//
// A line whose norm is 0 gives 0, not 0/0 (as the backend test data expects). Opset 22
// only adds bfloat16.
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "common/dtype_lists.h"
#include "common/shape_utils.h"
#include "nn/nn.h"
#include "nn/nn_util.h"

namespace onyx {
namespace {

class LpNormKernel : public Kernel {
 public:
  explicit LpNormKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;

 private:
  int64_t axis_ = -1;
  int64_t p_ = 2;
};

void infer_lp_norm(InferContext& ctx) {
  const TypeInfo& x = ctx.input(0);
  if (x.has_shape()) {
    const Attrs attrs(ctx.node(), ctx.label());
    normalize_axis(attrs.get_int("axis", -1), static_cast<int>(x.shape->size()),
                   ctx.label() + ": axis");
  }
  ctx.set_output(0, x);
}

}  // namespace

// ---- registration ----

void register_lp_norm(Registry& registry) {
  const std::map<std::string, AttrType> attrs = {{"axis", AttrType::Int}, {"p", AttrType::Int}};
  add_op_versions(registry, "LpNormalization",
                  {{1, 21, float_dtypes(), attrs},
                   {22, kOpsetOpen, with_dtypes(float_dtypes(), {DType::BFloat16}), attrs}},
                  make_kernel<LpNormKernel>(), infer_lp_norm);
}

// ---- construction ----

LpNormKernel::LpNormKernel(const KernelInit& init)
    : axis_(init.attrs().get_int("axis", -1)), p_(init.attrs().get_int("p", 2)) {
  if (p_ != 1 && p_ != 2) init.fail(cat("p must be 1 or 2, got ", p_));
  const TypeInfo& x = init.input_type(0);
  if (x.has_shape())
    normalize_axis(axis_, static_cast<int>(x.shape->size()), init.label() + ": axis");
}

// ---- compute ----

void LpNormKernel::run(KernelContext& ctx) const {
  const Tensor& x = ctx.input(0);
  const int axis = normalize_axis(axis_, x.rank(), ctx.label() + ": axis");
  // X viewed as (outer, len, inner): each (outer, inner) pair is one line along the axis.
  const int64_t len = x.dim(axis);
  const int64_t outer = checked_numel(Shape(x.shape().begin(), x.shape().begin() + axis));
  const int64_t inner = checked_numel(Shape(x.shape().begin() + axis + 1, x.shape().end()));
  Tensor& y = ctx.allocate_output(0, x.dtype(), x.shape());
  dispatch<FloatTypes>(x.dtype(), "LpNormalization", [&](auto tag) {
    using T = typename decltype(tag)::type;
    auto value = [](T v) { return static_cast<double>(static_cast<acc_t<T>>(v)); };
    const T* px = x.data<T>();
    T* py = y.data<T>();
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t base = o * len * inner + i;
        double sum = 0;
        for (int64_t k = 0; k < len; ++k) {
          const double v = value(px[base + k * inner]);
          sum += p_ == 1 ? std::fabs(v) : v * v;
        }
        const double norm = p_ == 1 ? sum : std::sqrt(sum);
        for (int64_t k = 0; k < len; ++k) {
          const double v = norm == 0 ? 0.0 : value(px[base + k * inner]) / norm;
          py[base + k * inner] = from_acc<T>(static_cast<acc_t<T>>(v));
        }
      }
    }
  });
}

}  // namespace onyx
