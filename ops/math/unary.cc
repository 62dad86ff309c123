// Relu, Sigmoid, Tanh: elementwise functions of one tensor. Each op is a function
// object (name, accepted types, apply); one kernel template runs any of them, so a new
// activation is a version list, a function object and one registration line.
#include <cmath>

#include "common/shape_utils.h"
#include "math/math.h"
#include "onyx/kernel.h"

namespace onyx {
namespace {

// ---- 1. registration: each op's version history ----

// Opset 1 also carries the legacy `consumed_inputs` hint, which is ignored.
const std::map<std::string, AttrType> kLegacyAttrs = {{"consumed_inputs", AttrType::Ints}};

std::vector<OpVersion> relu_versions() {
  const std::vector<DType> f13 = with_dtypes(float_dtypes(), {DType::BFloat16});
  return {
      {1, 5, float_dtypes(), kLegacyAttrs},
      {6, 12, float_dtypes()},
      {13, 13, f13},
      {14, kOpsetOpen, with_dtypes(f13, {DType::Int8, DType::Int16, DType::Int32, DType::Int64})}};
}

std::vector<OpVersion> sigmoid_tanh_versions() {
  return {{1, 5, float_dtypes(), kLegacyAttrs},
          {6, 12, float_dtypes()},
          {13, kOpsetOpen, with_dtypes(float_dtypes(), {DType::BFloat16})}};
}

// ---- 2. attributes: none ----

// ---- 3. shape rule: infer_same_as_input ----

// ---- 4. compute ----

struct ReluFn {
  static constexpr const char* name = "Relu";
  using Types = type_list<float, double, float16_t, bfloat16_t, int8_t, int16_t, int32_t, int64_t>;
  // x < 0 is false for NaN, so NaN stays NaN (as in numpy's reference).
  template <class C>
  static C apply(C x) {
    return x < C(0) ? C(0) : x;
  }
};

struct SigmoidFn {
  static constexpr const char* name = "Sigmoid";
  using Types = FloatTypes;
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
  template <class C>
  static C apply(C x) {
    return std::tanh(x);
  }
};

template <class Fn>
class UnaryKernel final : public Kernel {
 public:
  explicit UnaryKernel(const KernelInit&) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.allocate_output(0, x.dtype(), x.shape());
    dispatch<typename Fn::Types>(x.dtype(), Fn::name, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using C = compute_t<T>;  // float for the half types
      const T* in = x.data<T>();
      T* out = y.data<T>();
      for (int64_t i = 0; i < x.numel(); ++i) out[i] = T(Fn::apply(static_cast<C>(in[i])));
    });
  }
};

}  // namespace

void register_unary(Registry& registry) {
  add_op_versions(registry, "Relu", relu_versions(), make_kernel<UnaryKernel<ReluFn>>(),
                  infer_same_as_input);
  add_op_versions(registry, "Sigmoid", sigmoid_tanh_versions(),
                  make_kernel<UnaryKernel<SigmoidFn>>(), infer_same_as_input);
  add_op_versions(registry, "Tanh", sigmoid_tanh_versions(), make_kernel<UnaryKernel<TanhFn>>(),
                  infer_same_as_input);
}

}  // namespace onyx
