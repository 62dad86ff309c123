// AVX2 tile of the 8-bit GEMM, 6 x 16: 12 int32 accumulators, 2 B vectors and one
// broadcast pair of A values. vpmaddwd multiplies int16 pairs and adds the two products
// into int32 exactly (operands within [-255, 255]). This file alone is compiled with -mavx2.
#include "kernels/gemm/igemm.h"

#if defined(__x86_64__) && defined(__AVX2__)
#include <immintrin.h>

#include <cstring>

namespace onyx::kernels {
namespace {

template <int R>
void tile(int64_t pairs, const int16_t* a, const int16_t* b, int32_t* c, int64_t ldc,
          bool accumulate) {
  // The row loops unrolled keep the accumulators in registers.
  __m256i acc[R][2];
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_si256();
  for (int64_t p = 0; p < pairs; ++p, a += 2 * kIgemmMR, b += 2 * kIgemmNR) {
    const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b));
    const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 16));
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) {
      int32_t pair;
      std::memcpy(&pair, a + 2 * r, sizeof pair);
      const __m256i av = _mm256_set1_epi32(pair);
      acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(av, b0));
      acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(av, b1));
    }
  }
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r)
    for (int h = 0; h < 2; ++h) {
      __m256i* dst = reinterpret_cast<__m256i*>(c + r * ldc + 8 * h);
      const __m256i v =
          accumulate ? _mm256_add_epi32(_mm256_loadu_si256(dst), acc[r][h]) : acc[r][h];
      _mm256_storeu_si256(dst, v);
    }
}

void avx2_tile(int rows, int64_t pairs, const int16_t* a, const int16_t* b, int32_t* c, int64_t ldc,
               bool accumulate) {
  with_row_count(rows, [&](auto r) { tile<decltype(r)::value>(pairs, a, b, c, ldc, accumulate); });
}

}  // namespace

const IgemmKernel* avx2_igemm_kernel() {
  static const IgemmKernel k{"avx2_6x16", avx2_tile};
  return &k;
}

}  // namespace onyx::kernels
#else
namespace onyx::kernels {
const IgemmKernel* avx2_igemm_kernel() { return nullptr; }
}  // namespace onyx::kernels
#endif
