// IsNaN and IsInf: a bool tensor of X's shape telling which elements are NaN, or infinite.
// IsInf's `detect_negative` and `detect_positive` (default 1) choose which infinities
// count. Opset 20 adds the float8 types to both, which this build does not store.
#include <cmath>

#include "common/shape_utils.h"
#include "math/math.h"
#include "onyx/kernel.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> isnan_versions() {
  const std::vector<DType> f13 = with_dtypes(float_dtypes(), {DType::BFloat16});
  return {{9, 12, float_dtypes()}, {13, 19, f13}, {20, kOpsetOpen, f13}};
}

std::vector<OpVersion> isinf_versions() {
  const std::map<std::string, AttrType> attrs = {{"detect_negative", AttrType::Int},
                                                 {"detect_positive", AttrType::Int}};
  return {{10, 19, {DType::Float, DType::Double}, attrs},
          {20, kOpsetOpen, with_dtypes(float_dtypes(), {DType::BFloat16}), attrs}};
}

// ---- 2. construction: IsInf's flags ----

bool read_flag(const KernelInit& init, const char* name) {
  int64_t v = init.attrs().get_int(name, 1);
  if (v != 0 && v != 1) init.fail(cat("attribute '", name, "' must be 0 or 1, got ", v));
  return v == 1;
}

struct IsNaNFn {
  static constexpr const char* name = "IsNaN";
  explicit IsNaNFn(const KernelInit&) {}
  template <class C>
  bool operator()(C x) const {
    return std::isnan(x);
  }
};

struct IsInfFn {
  static constexpr const char* name = "IsInf";
  explicit IsInfFn(const KernelInit& init)
      : negative(read_flag(init, "detect_negative")),
        positive(read_flag(init, "detect_positive")) {}
  template <class C>
  bool operator()(C x) const {
    return std::isinf(x) && (x > C(0) ? positive : negative);
  }
  bool negative, positive;
};

// ---- 3. shape rule: X's shape, bool ----

void infer_bool_like_input(InferContext& ctx) {
  ctx.set_output(0, TypeInfo::tensor(DType::Bool, ctx.input(0).shape));
}

// ---- 4. compute ----

template <class Fn>
class FloatClassKernel final : public Kernel {
 public:
  explicit FloatClassKernel(const KernelInit& init) : fn_(init) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.allocate_output(0, DType::Bool, x.shape());
    dispatch<FloatTypes>(x.dtype(), Fn::name, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.data<T>();
      bool* out = y.data<bool>();
      for (int64_t i = 0; i < x.numel(); ++i) out[i] = fn_(static_cast<compute_t<T>>(in[i]));
    });
  }

 private:
  Fn fn_;
};

}  // namespace

void register_isnan_isinf(Registry& registry) {
  add_op_versions(registry, "IsNaN", isnan_versions(), make_kernel<FloatClassKernel<IsNaNFn>>(),
                  infer_bool_like_input);
  add_op_versions(registry, "IsInf", isinf_versions(), make_kernel<FloatClassKernel<IsInfFn>>(),
                  infer_bool_like_input);
}

}  // namespace onyx
