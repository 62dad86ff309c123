// AVX-512 microkernel, 14 x 32: 28 accumulators, 2 B vectors and 1 broadcast of the
// 32 zmm registers. This file alone is compiled with -mavx512f.
#include "kernels/gemm/microkernel_api.h"

#if defined(__x86_64__) && defined(__AVX512F__)
#include <immintrin.h>

// GCC 12's _mm512_max_ps/_mm512_min_ps pass _mm512_undefined_ps() as the unused masked
// source, which -Wmaybe-uninitialized reports once inlined: a false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "kernels/gemm/microkernel.h"

namespace onyx::kernels {
namespace {

struct Avx512Vec {
  using reg = __m512;
  static constexpr int width = 16;
  static reg zero() { return _mm512_setzero_ps(); }
  static reg load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, reg v) { _mm512_storeu_ps(p, v); }
  static reg broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static reg fma(reg a, reg b, reg c) { return _mm512_fmadd_ps(a, b, c); }
  static reg add(reg a, reg b) { return _mm512_add_ps(a, b); }
  static reg set1(float x) { return _mm512_set1_ps(x); }
  static reg max(reg a, reg b) { return _mm512_max_ps(a, b); }
  static reg min(reg a, reg b) { return _mm512_min_ps(a, b); }
};

}  // namespace

const MicroKernel* avx512_microkernel() {
  static constexpr auto rows = row_kernels<Avx512Vec, 14, 2>();
  static const MicroKernel k{
      "avx512_14x32", Isa::Avx512, 14, 32, gemm_microkernel<Avx512Vec, 14, 2>, rows.data()};
  return &k;
}

}  // namespace onyx::kernels
#else
namespace onyx::kernels {
const MicroKernel* avx512_microkernel() { return nullptr; }
}  // namespace onyx::kernels
#endif
