// Elementwise activations with attributes, each y = f(x) with the input's type:
//
//   LeakyRelu        x < 0 ? alpha * x : x                      (alpha 0.01)
//   Elu              x < 0 ? alpha * (exp(x) - 1) : x           (alpha 1)
//   Selu             gamma * (x <= 0 ? alpha * (exp(x) - 1) : x)
//   Celu             max(0, x) + min(0, alpha * (exp(x / alpha) - 1))
//   HardSigmoid      max(0, min(1, alpha * x + beta))           (alpha 0.2, beta 0.5)
//   HardSwish        x * max(0, min(1, x / 6 + 1 / 2))
//   Softplus         log(1 + exp(x))
//   Softsign         x / (1 + |x|)
//   ThresholdedRelu  x > alpha ? x : 0                          (alpha 1)
//   Shrink           x < -lambd ? x + bias : x > lambd ? x - bias : 0  (numeric types)
//   Mish             x * tanh(softplus(x))
//   Swish            x * sigmoid(alpha * x)                     (alpha 1)
//
// NaN propagates: every comparison above is false for NaN and picks a branch that keeps it
// (ThresholdedRelu and Shrink map NaN to 0 like their numpy references).
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "common/shape_utils.h"
#include "math/math.h"

namespace onyx {
namespace {

// ---- the kernel: one function object per op, built from the node's attributes ----

template <class Fn>
class AttrUnaryKernel final : public Kernel {
 public:
  explicit AttrUnaryKernel(const KernelInit& init) : fn_(init) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.allocate_uninitialized_output(0, x.dtype(), x.shape());  // all written
    dispatch<typename Fn::Types>(x.dtype(), Fn::name, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using C = compute_t<T>;  // float for the half types
      const T* in = x.data<T>();
      T* out = y.data<T>();
      for (int64_t i = 0; i < x.numel(); ++i) out[i] = fn_.template apply<T>(static_cast<C>(in[i]));
    });
  }
  std::vector<OutputReuse> output_reuse() const override { return elementwise_over(); }

 private:
  Fn fn_;
};

// v clamped to [0, 1]; NaN stays NaN (std::fmin/fmax would drop it).
template <class C>
C clamp01(C v) {
  return v < C(0) ? C(0) : v > C(1) ? C(1) : v;
}

// log(1 + exp(x)) without overflow for large x.
template <class C>
C softplus(C x) {
  return x > C(0) ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}

struct LeakyReluFn {
  static constexpr const char* name = "LeakyRelu";
  using Types = FloatTypes;
  explicit LeakyReluFn(const KernelInit& init) : alpha(init.attrs().get_float("alpha", 0.01f)) {}
  template <class T, class C>
  T apply(C x) const {
    return static_cast<T>(x < C(0) ? C(alpha) * x : x);
  }
  float alpha;
};

struct EluFn {
  static constexpr const char* name = "Elu";
  using Types = FloatTypes;
  explicit EluFn(const KernelInit& init) : alpha(init.attrs().get_float("alpha", 1.0f)) {}
  template <class T, class C>
  T apply(C x) const {
    return static_cast<T>(x < C(0) ? C(alpha) * std::expm1(x) : x);
  }
  float alpha;
};

struct SeluFn {
  static constexpr const char* name = "Selu";
  using Types = FloatTypes;
  explicit SeluFn(const KernelInit& init)
      : alpha(init.attrs().get_float("alpha", 1.67326319217681884765625f)),
        gamma(init.attrs().get_float("gamma", 1.05070102214813232421875f)) {}
  template <class T, class C>
  T apply(C x) const {
    return static_cast<T>(C(gamma) * (x <= C(0) ? C(alpha) * std::expm1(x) : x));
  }
  float alpha, gamma;
};

struct CeluFn {
  static constexpr const char* name = "Celu";
  using Types = FloatTypes;
  explicit CeluFn(const KernelInit& init) : alpha(init.attrs().get_float("alpha", 1.0f)) {
    if (alpha == 0.0f) init.fail("attribute alpha must not be 0 (Celu divides by it)");
  }
  template <class T, class C>
  T apply(C x) const {
    const C a = C(alpha), e = a * std::expm1(x / a);
    return static_cast<T>((x > C(0) ? x : C(0)) + (e < C(0) ? e : C(0)) + (x != x ? x : C(0)));
  }
  float alpha;
};

struct HardSigmoidFn {
  static constexpr const char* name = "HardSigmoid";
  using Types = FloatTypes;
  explicit HardSigmoidFn(const KernelInit& init)
      : alpha(init.attrs().get_float("alpha", 0.2f)), beta(init.attrs().get_float("beta", 0.5f)) {}
  template <class T, class C>
  T apply(C x) const {
    return static_cast<T>(clamp01(C(alpha) * x + C(beta)));
  }
  float alpha, beta;
};

struct HardSwishFn {
  static constexpr const char* name = "HardSwish";
  using Types = FloatTypes;
  explicit HardSwishFn(const KernelInit&) {}
  template <class T, class C>
  T apply(C x) const {
    return static_cast<T>(x * clamp01(x / C(6) + C(0.5)));
  }
};

struct SoftplusFn {
  static constexpr const char* name = "Softplus";
  using Types = FloatTypes;
  explicit SoftplusFn(const KernelInit&) {}
  template <class T, class C>
  T apply(C x) const {
    return static_cast<T>(softplus(x));
  }
};

struct SoftsignFn {
  static constexpr const char* name = "Softsign";
  using Types = FloatTypes;
  explicit SoftsignFn(const KernelInit&) {}
  template <class T, class C>
  T apply(C x) const {
    return static_cast<T>(x / (C(1) + std::fabs(x)));
  }
};

struct ThresholdedReluFn {
  static constexpr const char* name = "ThresholdedRelu";
  using Types = FloatTypes;
  explicit ThresholdedReluFn(const KernelInit& init)
      : alpha(init.attrs().get_float("alpha", 1.0f)) {}
  template <class T, class C>
  T apply(C x) const {
    return static_cast<T>(x > C(alpha) ? x : C(0));
  }
  float alpha;
};

struct ShrinkFn {
  static constexpr const char* name = "Shrink";
  using Types = NumericTypes;
  explicit ShrinkFn(const KernelInit& init)
      : bias(init.attrs().get_float("bias", 0.0f)), lambd(init.attrs().get_float("lambd", 0.5f)) {
    if (lambd < 0.0f) init.fail(cat("attribute lambd must be non-negative, got ", lambd));
  }
  // Compared and shifted in double, then converted back (saturating for integers).
  template <class T, class C>
  T apply(C x) const {
    const double v = static_cast<double>(x);
    double r = 0.0;
    if (v < -static_cast<double>(lambd)) r = v + bias;
    if (v > static_cast<double>(lambd)) r = v - bias;
    if constexpr (std::is_integral_v<T>)
      return saturate_cast<T>(r);
    else
      return static_cast<T>(static_cast<C>(r));
  }
  float bias, lambd;
};

struct MishFn {
  static constexpr const char* name = "Mish";
  using Types = FloatTypes;
  explicit MishFn(const KernelInit&) {}
  template <class T, class C>
  T apply(C x) const {
    return static_cast<T>(x * std::tanh(softplus(x)));
  }
};

struct SwishFn {
  static constexpr const char* name = "Swish";
  using Types = FloatTypes;
  explicit SwishFn(const KernelInit& init) : alpha(init.attrs().get_float("alpha", 1.0f)) {}
  // x / (1 + exp(-alpha x)): exp overflows to inf for very negative alpha x, giving the
  // limit 0 (or -0) instead of inf * 0.
  template <class T, class C>
  T apply(C x) const {
    return static_cast<T>(x / (C(1) + std::exp(-C(alpha) * x)));
  }
  float alpha;
};

template <class Fn>
void add(Registry& registry, const std::vector<OpVersion>& versions) {
  add_op_versions(registry, Fn::name, versions, make_kernel<AttrUnaryKernel<Fn>>(),
                  infer_same_as_input);
}

using AttrMap = std::map<std::string, AttrType>;

}  // namespace

// ---- registration: version histories (Changelog.md to opset 21; opset 22 added bfloat16 to
// Elu, Selu, HardSigmoid, HardSwish, Softplus, Softsign, ThresholdedRelu and Mish; Swish-24,
// Celu-28) ----

void register_activations(Registry& registry) {
  const std::vector<DType> f = float_dtypes();
  const std::vector<DType> f_bf16 = float_dtypes_bf16();
  const AttrType F = AttrType::Float;
  // Opset 1 also carries the legacy `consumed_inputs` hint, which is ignored.
  const std::pair<const std::string, AttrType> legacy = {"consumed_inputs", AttrType::Ints};

  add<LeakyReluFn>(registry, {{1, 5, f, AttrMap{{"alpha", F}, legacy}},
                              {6, 15, f, AttrMap{{"alpha", F}}},
                              {16, kOpsetOpen, f_bf16, AttrMap{{"alpha", F}}}});
  add<EluFn>(registry, {{1, 5, f, AttrMap{{"alpha", F}, legacy}},
                        {6, 21, f, AttrMap{{"alpha", F}}},
                        {22, kOpsetOpen, f_bf16, AttrMap{{"alpha", F}}}});
  add<SeluFn>(registry, {{1, 5, f, AttrMap{{"alpha", F}, {"gamma", F}, legacy}},
                         {6, 21, f, AttrMap{{"alpha", F}, {"gamma", F}}},
                         {22, kOpsetOpen, f_bf16, AttrMap{{"alpha", F}, {"gamma", F}}}});
  add<CeluFn>(registry, {{12, 27, {DType::Float}, AttrMap{{"alpha", F}}},
                         {28, kOpsetOpen, f_bf16, AttrMap{{"alpha", F}}}});  // all float types
  add<HardSigmoidFn>(registry, {{1, 5, f, AttrMap{{"alpha", F}, {"beta", F}, legacy}},
                                {6, 21, f, AttrMap{{"alpha", F}, {"beta", F}}},
                                {22, kOpsetOpen, f_bf16, AttrMap{{"alpha", F}, {"beta", F}}}});
  add<HardSwishFn>(registry, {{14, 21, f}, {22, kOpsetOpen, f_bf16}});
  add<SoftplusFn>(registry, {{1, 21, f}, {22, kOpsetOpen, f_bf16}});
  add<SoftsignFn>(registry, {{1, 21, f}, {22, kOpsetOpen, f_bf16}});
  add<ThresholdedReluFn>(registry, {{10, 21, f, AttrMap{{"alpha", F}}},
                                    {22, kOpsetOpen, f_bf16, AttrMap{{"alpha", F}}}});
  add<ShrinkFn>(registry,
                {{9, kOpsetOpen, numeric_dtypes_no_bf16(), AttrMap{{"bias", F}, {"lambd", F}}}});
  add<MishFn>(registry, {{18, 21, f}, {22, kOpsetOpen, f_bf16}});
  add<SwishFn>(registry, {{24, kOpsetOpen, f_bf16, AttrMap{{"alpha", F}}}});
}

}  // namespace onyx
