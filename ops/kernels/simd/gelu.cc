// GELU loops: the erf or tanh argument of a block of elements, vmath's function over it
// in place, then the product, so each block stays in L1 between the three passes.
#include "kernels/simd/gelu.h"

#include <algorithm>

#include "kernels/cpu.h"
#include "kernels/simd/vmath.h"

namespace onyx::kernels {

namespace {

constexpr int64_t kBlock = 512;

ONYX_AVX2_CLONES
void erf_argument(const float* x, float* t, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    t[i] = x[i] / 1.41421356237309505f;  // divided, as PyTorch exports it
}

ONYX_AVX2_CLONES
void tanh_argument(const float* x, float* t, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    t[i] = 0.797884560802865355f * (v + 0.044715f * (v * v * v));
  }
}

// y = x * (1 + f) * 0.5; the factor 0.5 is exact, so any order of the products agrees.
ONYX_AVX2_CLONES
void finish(const float* x, const float* f, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * (1.0f + f[i]) * 0.5f;
}

template <class Argument, class Function>
void gelu_blocks(const float* x, float* y, int64_t n, Argument argument, Function function) {
  float t[kBlock];
  for (int64_t i0 = 0; i0 < n; i0 += kBlock) {
    const int64_t m = std::min(kBlock, n - i0);
    argument(x + i0, t, m);
    function(t, t, m);
    finish(x + i0, t, y + i0, m);
  }
}

}  // namespace

void gelu_erf(const float* x, float* y, int64_t n) { gelu_blocks(x, y, n, erf_argument, verf); }

void gelu_tanh(const float* x, float* y, int64_t n) { gelu_blocks(x, y, n, tanh_argument, vtanh); }

}  // namespace onyx::kernels
