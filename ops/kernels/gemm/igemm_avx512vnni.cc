// AVX-512 VNNI tile of the 8-bit GEMM, 6 x 16: a B panel's pair of K steps for 16 columns
// is one zmm, and vpdpwssd multiplies its int16 pairs by a broadcast pair of A values and
// adds both products into each int32 lane in one instruction (AVX2 needs vpmaddwd and
// vpaddd), exactly: operands are within [-255, 255]. Two sets of accumulators, for even
// and odd pairs, give 12 independent chains. This file alone is compiled with
// -mavx512vnni; the driver calls it only where the CPU has AVX512-VNNI.
#include "kernels/gemm/igemm.h"

#if defined(__x86_64__) && defined(__AVX512VNNI__) && defined(__AVX512F__)
#include <immintrin.h>

#include <cstring>

namespace onyx::kernels {
namespace {

inline __m512i broadcast_pair(const int16_t* a) {
  int32_t pair;
  std::memcpy(&pair, a, sizeof pair);
  return _mm512_set1_epi32(pair);
}

template <int R>
void tile(int64_t pairs, const int16_t* a, const int16_t* b, int32_t* c, int64_t ldc,
          bool accumulate) {
  __m512i even[R], odd[R];
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r) even[r] = odd[r] = _mm512_setzero_si512();
  int64_t p = 0;
  for (; p + 1 < pairs; p += 2, a += 4 * kIgemmMR, b += 4 * kIgemmNR) {
    const __m512i b0 = _mm512_loadu_si512(b);
    const __m512i b1 = _mm512_loadu_si512(b + 2 * kIgemmNR);
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) {
      even[r] = _mm512_dpwssd_epi32(even[r], broadcast_pair(a + 2 * r), b0);
      odd[r] = _mm512_dpwssd_epi32(odd[r], broadcast_pair(a + 2 * kIgemmMR + 2 * r), b1);
    }
  }
  if (p < pairs) {
    const __m512i b0 = _mm512_loadu_si512(b);
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r)
      even[r] = _mm512_dpwssd_epi32(even[r], broadcast_pair(a + 2 * r), b0);
  }
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r) {
    int32_t* dst = c + r * ldc;
    // Lanes wrap modulo 2^32, as the op's int32 sums do.
    __m512i v = _mm512_add_epi32(even[r], odd[r]);
    if (accumulate) v = _mm512_add_epi32(_mm512_loadu_si512(dst), v);
    _mm512_storeu_si512(dst, v);
  }
}

void vnni_tile(int rows, int64_t pairs, const int16_t* a, const int16_t* b, int32_t* c, int64_t ldc,
               bool accumulate) {
  with_row_count(rows, [&](auto r) { tile<decltype(r)::value>(pairs, a, b, c, ldc, accumulate); });
}

}  // namespace

const IgemmKernel* avx512vnni_igemm_kernel() {
  static const IgemmKernel k{"avx512vnni_6x16", vnni_tile};
  return &k;
}

}  // namespace onyx::kernels
#else
namespace onyx::kernels {
const IgemmKernel* avx512vnni_igemm_kernel() { return nullptr; }
}  // namespace onyx::kernels
#endif
