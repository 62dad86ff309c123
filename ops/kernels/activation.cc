#include "kernels/activation.h"

#include <cstdint>

#include "kernels/cpu.h"
#include "kernels/simd/gelu.h"
#include "kernels/simd/vmath.h"

namespace onyx::kernels {

ONYX_AVX2_CLONES
void activate_inplace(const ActivationParams& p, float* x, int64_t n) {
  switch (p.kind) {
    case Activation::None:
      return;
    case Activation::Relu:
      for (int64_t i = 0; i < n; ++i) x[i] = x[i] < 0 ? 0.0f : x[i];
      return;
    case Activation::Clip:
      for (int64_t i = 0; i < n; ++i) x[i] = x[i] < p.a ? p.a : (x[i] > p.b ? p.b : x[i]);
      return;
    case Activation::Sigmoid:
      return vsigmoid(x, x, n);
    case Activation::Tanh:
      return vtanh(x, x, n);
    case Activation::Gelu:
      return gelu_erf(x, x, n);
    case Activation::GeluTanh:
      return gelu_tanh(x, x, n);
    default:
      for (int64_t i = 0; i < n; ++i) x[i] = activate(p, x[i]);
  }
}

ONYX_AVX2_CLONES
void add_and_activate(const ActivationParams& p, const float* residual, float* x, int64_t n) {
  if (residual)
    for (int64_t i = 0; i < n; ++i) x[i] += residual[i];
  activate_inplace(p, x, n);
}

}  // namespace onyx::kernels
