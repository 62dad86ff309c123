// Gelu (opset 20): y = x * Phi(x), Phi the standard normal distribution function, by the
// attribute `approximate`:
//
//   "none"  0.5 x (1 + erf(x / sqrt(2)))                                   (default)
//   "tanh"  0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
//
// The same kernel serves the optimizer's Gelu of domain ai.onyx (onyx/fused_ops.h), which
// gives models of older opsets the fused node. The reference computes in double; the
// float fast path is kernels::gelu_erf / gelu_tanh.
#include <cmath>
#include <string>

#include "common/shape_utils.h"
#include "kernels/simd/elementwise.h"
#include "kernels/simd/gelu.h"
#include "math/math.h"
#include "onyx/fused_ops.h"

namespace onyx {
namespace {

class GeluKernel final : public Kernel {
 public:
  explicit GeluKernel(const KernelInit& init) : fast_(!init.reference()) {
    const std::string approximate = init.attrs().get_string("approximate", "none");
    if (approximate == "tanh")
      tanh_ = true;
    else if (approximate != "none")
      init.fail(cat("approximate must be 'none' or 'tanh', got '", approximate, "'"));
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.allocate_uninitialized_output(0, x.dtype(), x.shape());  // all written
    if (fast_ && x.dtype() == DType::Float) {
      const float* in = x.data<float>();
      float* out = y.data<float>();
      auto gelu = tanh_ ? kernels::gelu_tanh : kernels::gelu_erf;
      ctx.pool().parallel_for(x.numel(), kernels::kElementwiseGrain,
                              [&](int64_t i0, int64_t i1) { gelu(in + i0, out + i0, i1 - i0); });
      return;
    }
    dispatch<FloatTypes>(x.dtype(), "Gelu", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.data<T>();
      T* out = y.data<T>();
      for (int64_t i = 0; i < x.numel(); ++i)
        out[i] = static_cast<T>(reference(static_cast<double>(in[i])));
    });
  }
  std::vector<OutputReuse> output_reuse() const override { return elementwise_over(); }

 private:
  double reference(double x) const {
    if (tanh_) {
      const double sqrt_2_over_pi = 0.7978845608028654;
      const double inner = sqrt_2_over_pi * (x + 0.044715 * x * x * x);
      return 0.5 * x * (1.0 + std::tanh(inner));
    }
    return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
  }

  bool fast_;
  bool tanh_ = false;
};

}  // namespace

void register_gelu(Registry& registry) {
  const std::vector<DType> dtypes = {DType::Float16, DType::Float, DType::Double, DType::BFloat16};
  const std::map<std::string, AttrType> attrs = {{"approximate", AttrType::String}};
  add_op_versions(registry, "Gelu", {{20, kOpsetOpen, dtypes, attrs}}, make_kernel<GeluKernel>(),
                  infer_same_as_input);
  registry.add(KernelDef{fused::kDomain, fused::kGelu, fused::kVersion, kOpsetOpen, dtypes, 0,
                         make_kernel<GeluKernel>(), infer_same_as_input, attrs});
}

}  // namespace onyx
