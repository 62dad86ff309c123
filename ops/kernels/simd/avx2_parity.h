// Splitting 16 consecutive floats into their 8 even-indexed and 8 odd-indexed values with
// AVX2 permutes: what stride-2 kernels do to read every other column as one vector.
//
// Include it only from files compiled with -mavx2 (*_avx2.cc). Its functions have
// internal linkage, so no AVX2 code can be merged into a baseline file's symbol.
#pragma once

#if defined(__x86_64__) && defined(__AVX2__)
#include <immintrin.h>

namespace onyx::kernels {
namespace {

// even = lo[0], lo[2], .., hi[6]; odd = lo[1], lo[3], .., hi[7].
inline void split_parity(__m256 lo, __m256 hi, __m256& even, __m256& odd) {
  // Each vector to (evens, odds) by a permute, then the halves regrouped.
  const __m256i order = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
  const __m256 a = _mm256_permutevar8x32_ps(lo, order), b = _mm256_permutevar8x32_ps(hi, order);
  even = _mm256_permute2f128_ps(a, b, 0x20);
  odd = _mm256_permute2f128_ps(a, b, 0x31);
}

}  // namespace
}  // namespace onyx::kernels
#endif
