// AVX2 + FMA 3x3 depthwise kernel. The channel is copied into the scratch plane with
// vector moves (for stride 2, each 16 values are split into their 8 even and 8 odd
// columns by permutes), then each output row is computed 32 outputs at a time (four
// independent chains of nine FMAs over unaligned loads), then 8, then the row's last
// partial vector; planes narrower than a vector go four rows at a time. Loads may run
// past a row into the scratch plane's slack, never past it; stores never run past the
// output plane. This file alone is compiled with -mavx2 -mfma.
#include "kernels/conv/depthwise_3x3.h"

#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

#include "kernels/simd/avx2_parity.h"

namespace onyx::kernels {
namespace {

// n values to dst, the last partial vector by a masked load and a whole store: the
// vector's other lanes write zeros past the row, into its padding (zero anyway), the
// next row's (copied after it) or the plane's slack.
inline void copy_run(const float* src, int64_t n, float* dst) {
  static const int32_t kMask[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, _mm256_loadu_ps(src + i));
  if (i < n) {
    const __m256i first = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMask + 8 - (n - i)));
    _mm256_storeu_ps(dst + i, _mm256_maskload_ps(src + i, first));
  }
}

// n values, src[2i] to first[i] and src[2i + 1] to second[i].
inline void split_run(const float* src, int64_t n, float* first, float* second) {
  int64_t i = 0;
  for (; 2 * i + 16 <= n; i += 8) {
    __m256 even, odd;
    split_parity(_mm256_loadu_ps(src + 2 * i), _mm256_loadu_ps(src + 2 * i + 8), even, odd);
    _mm256_storeu_ps(first + i, even);
    _mm256_storeu_ps(second + i, odd);
  }
  for (; 2 * i < n; ++i) {
    first[i] = src[2 * i];
    if (2 * i + 1 < n) second[i] = src[2 * i + 1];
  }
}

void copy_channel(const Depthwise3x3Plane& p, const float* x, float* scratch) {
  const int64_t H = p.H, W = p.W, Wp = p.Wp, col0 = p.col0, col1 = p.col1;
  float* rows = scratch + p.pad_top * Wp;
  if (p.split)
    for (int64_t ih = 0; ih < H; ++ih)
      split_run(x + ih * W, W, rows + ih * Wp + col0, rows + ih * Wp + col1);
  else
    for (int64_t ih = 0; ih < H; ++ih) copy_run(x + ih * W, W, rows + ih * Wp + col0);
}

// V vectors of outputs, vector v from src[t] + at + v * in_step to out + at + v * out_step: V
// independent chains of nine FMAs, which overlap in the pipeline. With `rest` set, the
// last vector stores only its first `rest` outputs.
template <int V>
inline void taps_at(const float* const* src, int64_t at, int64_t in_step, float* out,
                    int64_t out_step, const __m256* w, __m256 bias, __m256 lo, __m256 hi,
                    int64_t rest = 0) {
  __m256 acc[V];
  for (int v = 0; v < V; ++v) acc[v] = bias;
  for (int t = 0; t < 9; ++t)
    for (int v = 0; v < V; ++v)
      acc[v] = _mm256_fmadd_ps(w[t], _mm256_loadu_ps(src[t] + at + v * in_step), acc[v]);
  for (int v = 0; v < V; ++v) {
    // max(lo, x) returns x when x is NaN; so does min(hi, .).
    const __m256 y = _mm256_min_ps(hi, _mm256_max_ps(lo, acc[v]));
    if (rest && v == V - 1) {  // element stores: a masked store is slow on some CPUs
      alignas(32) float lanes[8];
      _mm256_store_ps(lanes, y);
      for (int64_t i = 0; i < rest; ++i) out[at + v * out_step + i] = lanes[i];
    } else {
      _mm256_storeu_ps(out + at + v * out_step, y);
    }
  }
}

void depthwise_3x3(const Depthwise3x3Plane& plane, const float* x, float* scratch, const float* wc,
                   float bias, float lo, float hi, float* y) {
  copy_channel(plane, x, scratch);
  __m256 w[9];
  for (int t = 0; t < 9; ++t) w[t] = _mm256_set1_ps(wc[t]);
  const __m256 b = _mm256_set1_ps(bias), vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  const int64_t OH = plane.OH, OW = plane.OW, full = OW / 8 * 8;
  // A row's last vector may spill into the next row, which is stored after it; the
  // plane's last row stores only what is its own.
  auto rest_of = [&](int64_t oh) { return oh + 1 < OH ? 0 : OW - full; };
  int64_t oh = 0;
  if (OW < 8) {  // narrow planes: four rows at a time, for independent chains
    for (; oh + 4 <= OH; oh += 4) {
      const float* src[9];
      for (int t = 0; t < 9; ++t) src[t] = scratch + oh * plane.row_step + plane.tap[t];
      taps_at<4>(src, 0, plane.row_step, y + oh * OW, OW, w, b, vlo, vhi, rest_of(oh + 3));
    }
  }
  for (; oh < OH; ++oh) {
    const float* src[9];
    for (int t = 0; t < 9; ++t) src[t] = scratch + oh * plane.row_step + plane.tap[t];
    float* out = y + oh * OW;
    int64_t ow = 0;
    for (; ow + 32 <= OW; ow += 32) taps_at<4>(src, ow, 8, out, 8, w, b, vlo, vhi);
    for (; ow < full; ow += 8) taps_at<1>(src, ow, 8, out, 8, w, b, vlo, vhi);
    if (full < OW) taps_at<1>(src, full, 8, out, 8, w, b, vlo, vhi, rest_of(oh));
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
