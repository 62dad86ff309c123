#include "kernels/simd/vmath.h"

#include "kernels/cpu.h"
#include "kernels/simd/vmath_inline.h"

namespace onyx::kernels {

using vmath_detail::exp_one;
using vmath_detail::horner;
using vmath_detail::odd_series;

ONYX_AVX2_CLONES
void vexp(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = exp_one(x[i]);
}

ONYX_AVX2_CLONES
void vtanh(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    const float a = v < 0 ? -v : v;
    // Small |x|: the Taylor series to x^13 (next term < 2^-30 relative at 0.3).
    const float small = odd_series(v, {21844.0f / 6081075, -1382.0f / 155925, 62.0f / 2835,
                                       -17.0f / 315, 2.0f / 15, -1.0f / 3});
    // Otherwise 1 - 2 / (e^(2|x|) + 1), with the sign of x.
    const float e = exp_one(2.0f * (a > 9.1f ? 9.1f : a));
    float large = 1.0f - 2.0f / (e + 1.0f);
    large = a > 9.1f ? 1.0f : large;
    large = v < 0 ? -large : large;
    y[i] = v != v ? v : (a < 0.3f ? small : large);
  }
}

ONYX_AVX2_CLONES
void vsigmoid(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    // e = e^-|x| never overflows; for x < 0, sigmoid = e / (1 + e) keeps tiny results.
    const float e = exp_one(v < 0 ? v : -v);
    const float s = 1.0f / (1.0f + e);
    y[i] = v != v ? v : (v < 0 ? e * s : s);
  }
}

ONYX_AVX2_CLONES
void verf(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    const float a = v < 0 ? -v : v;
    // |x| < 0.5: 2/sqrt(pi) (x - x^3/3 + x^5/10 - x^7/42 + x^9/216 - x^11/1320 + x^13/9360).
    const float small = 1.12837916709551257f * odd_series(v, {1.0f / 9360, -1.0f / 1320, 1.0f / 216,
                                                              -1.0f / 42, 1.0f / 10, -1.0f / 3});
    // Otherwise Abramowitz and Stegun 7.1.26: 1 - (a1 t + .. + a5 t^5) e^(-x^2),
    // t = 1 / (1 + p |x|), absolute error <= 1.5e-7.
    const float t = 1.0f / (1.0f + 0.3275911f * a);
    const float poly =
        t * horner(t, {1.061405429f, -1.453152027f, 1.421413741f, -0.284496736f, 0.254829592f});
    float large = 1.0f - poly * exp_one(-a * a);
    large = v < 0 ? -large : large;
    y[i] = v != v ? v : (a < 0.5f ? small : large);
  }
}

}  // namespace onyx::kernels
