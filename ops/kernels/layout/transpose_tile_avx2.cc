// AVX2 tile transpose for 4-byte elements: 8 x 8 blocks, loaded as 8 input rows (b),
// transposed in registers by unpacks and lane permutes, stored as 8 output rows (a).
// Edges of the tile go element by element. This file alone is compiled with -mavx2.
#include "kernels/layout/transpose_tile.h"

#if defined(__x86_64__) && defined(__AVX2__)
#include <immintrin.h>

namespace onyx::kernels {
namespace {

void transpose_8x8(const float* in, float* out, int64_t in_stride, int64_t out_stride) {
  __m256 r[8], t[8];
  for (int b = 0; b < 8; ++b) r[b] = _mm256_loadu_ps(in + b * in_stride);
  // Pairs of rows interleaved, then pairs of pairs, then the 128-bit halves.
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 8; i += 4) {
    r[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
    r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
    r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
    r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int i = 0; i < 4; ++i) {
    _mm256_storeu_ps(out + i * out_stride, _mm256_permute2f128_ps(r[i], r[i + 4], 0x20));
    _mm256_storeu_ps(out + (i + 4) * out_stride, _mm256_permute2f128_ps(r[i], r[i + 4], 0x31));
  }
}

void transpose_tile(const void* in_bytes, void* out_bytes, int64_t rows, int64_t cols,
                    int64_t in_stride, int64_t out_stride) {
  // Floats here are only moved, never computed on: NaN payloads pass unchanged.
  const float* in = static_cast<const float*>(in_bytes);
  float* out = static_cast<float*>(out_bytes);
  const int64_t rows8 = rows & ~int64_t{7}, cols8 = cols & ~int64_t{7};
  for (int64_t a = 0; a < rows8; a += 8)
    for (int64_t b = 0; b < cols8; b += 8)
      transpose_8x8(in + a + b * in_stride, out + a * out_stride + b, in_stride, out_stride);
  const uint32_t* src = static_cast<const uint32_t*>(in_bytes);
  uint32_t* dst = static_cast<uint32_t*>(out_bytes);
  for (int64_t a = 0; a < rows; ++a) {
    for (int64_t b = a < rows8 ? cols8 : 0; b < cols; ++b)
      dst[a * out_stride + b] = src[a + b * in_stride];
  }
}

}  // namespace

TransposeTile4Fn transpose_tile_4byte_avx2() { return transpose_tile; }

}  // namespace onyx::kernels
#else
namespace onyx::kernels {
TransposeTile4Fn transpose_tile_4byte_avx2() { return nullptr; }
}  // namespace onyx::kernels
#endif
