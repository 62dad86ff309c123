// AVX2 + FMA 3x3 depthwise kernel: 32 outputs of a row at a time (four independent
// chains of nine FMAs over unaligned loads), then 8; the row's last partial vector uses
// masked loads and stores, so nothing past the plane or the output row is touched. This file alone is
// compiled with -mavx2 -mfma.
#include "kernels/conv/depthwise_3x3.h"

#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

namespace onyx::kernels {
namespace {

// V vectors of outputs from ow on (with `mask`, one vector: the lanes it selects). The
// V chains of nine FMAs are independent, so they overlap in the pipeline.
template <int V, bool Masked = false>
inline void taps_at(const float* const* src, int64_t ow, const __m256* w, __m256 bias, __m256 lo,
                    __m256 hi, float* out, __m256i mask = _mm256_setzero_si256()) {
  __m256 acc[V];
  for (int v = 0; v < V; ++v) acc[v] = bias;
  for (int t = 0; t < 9; ++t)
    for (int v = 0; v < V; ++v) {
      const float* p = src[t] + ow + 8 * v;
      const __m256 x = Masked ? _mm256_maskload_ps(p, mask) : _mm256_loadu_ps(p);
      acc[v] = _mm256_fmadd_ps(w[t], x, acc[v]);
    }
  for (int v = 0; v < V; ++v) {
    // max(lo, x) returns x when x is NaN; so does min(hi, .).
    const __m256 y = _mm256_min_ps(hi, _mm256_max_ps(lo, acc[v]));
    if (Masked)
      _mm256_maskstore_ps(out + ow, mask, y);
    else
      _mm256_storeu_ps(out + ow + 8 * v, y);
  }
}

void depthwise_3x3(const Depthwise3x3Plane& plane, const float* wc, float bias, float lo, float hi,
                   float* y) {
  __m256 w[9];
  for (int t = 0; t < 9; ++t) w[t] = _mm256_set1_ps(wc[t]);
  const __m256 b = _mm256_set1_ps(bias), vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  const int64_t OW = plane.OW, full = OW / 8 * 8, rest = OW - full;
  alignas(32) int32_t lanes[8];
  for (int i = 0; i < 8; ++i) lanes[i] = i < rest ? -1 : 0;
  const __m256i mask = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes));
  for (int64_t oh = 0; oh < plane.OH; ++oh) {
    const float* row = plane.data + oh * plane.row_step;
    const float* src[9];
    for (int t = 0; t < 9; ++t) src[t] = row + plane.tap[t];
    float* out = y + oh * OW;
    int64_t ow = 0;
    for (; ow + 32 <= OW; ow += 32) taps_at<4>(src, ow, w, b, vlo, vhi, out);
    for (; ow < full; ow += 8) taps_at<1>(src, ow, w, b, vlo, vhi, out);
    if (rest) taps_at<1, true>(src, full, w, b, vlo, vhi, out, mask);
  }
}

}  // namespace

Depthwise3x3Fn depthwise_3x3_avx2() { return depthwise_3x3; }

}  // namespace onyx::kernels
#else
namespace onyx::kernels {
Depthwise3x3Fn depthwise_3x3_avx2() { return nullptr; }
}  // namespace onyx::kernels
#endif
