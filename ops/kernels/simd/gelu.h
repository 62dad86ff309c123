// GELU over float arrays, x * Phi(x), in the two forms exported models compute:
//
//   gelu_erf   0.5 x (1 + erf(x / sqrt(2)))
//   gelu_tanh  0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
//
// erf and tanh come from vmath.h (its error bounds), the rest is computed in float in the
// order the exporters' decomposed graphs use, so a fused node gives what they give.
// NaN in gives NaN out. y may alias x.
#pragma once

#include <cstdint>

namespace onyx::kernels {

void gelu_erf(const float* x, float* y, int64_t n);
void gelu_tanh(const float* x, float* y, int64_t n);

}  // namespace onyx::kernels
