// AVX2 + FMA microkernel, 6 x 16: 12 accumulators, 2 B vectors and 1 broadcast of
// the 16 ymm registers. This file alone is compiled with -mavx2 -mfma.
#include "kernels/gemm/microkernel_api.h"

#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

#include "kernels/gemm/microkernel.h"

namespace onyx::kernels {
namespace {

struct Avx2Vec {
  using reg = __m256;
  static constexpr int width = 8;
  static reg zero() { return _mm256_setzero_ps(); }
  static reg load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, reg v) { _mm256_storeu_ps(p, v); }
  static reg broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static reg fma(reg a, reg b, reg c) { return _mm256_fmadd_ps(a, b, c); }
  static reg add(reg a, reg b) { return _mm256_add_ps(a, b); }
  static reg set1(float x) { return _mm256_set1_ps(x); }
  static reg max(reg a, reg b) { return _mm256_max_ps(a, b); }
  static reg min(reg a, reg b) { return _mm256_min_ps(a, b); }
};

}  // namespace

const MicroKernel* avx2_microkernel() {
  static constexpr auto rows = row_kernels<Avx2Vec, 6, 2>();
  static const MicroKernel k{"avx2_6x16", Isa::Avx2, 6, 16, gemm_microkernel<Avx2Vec, 6, 2>,
                             rows.data()};
  return &k;
}

}  // namespace onyx::kernels
#else
namespace onyx::kernels {
const MicroKernel* avx2_microkernel() { return nullptr; }
}  // namespace onyx::kernels
#endif
