// The one-element bodies of the vectorized float math (vmath.h), inline so that other
// kernels' loops can fuse them (Softmax's exp and sum in one pass) and still vectorize:
// no branches, only selects. Error bounds as stated in vmath.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace onyx::kernels::vmath_detail {

inline float bits_to_float(int32_t b) {
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}

// c[0] x^(N-1) + c[1] x^(N-2) + ... + c[N-1], by Horner's rule.
template <size_t N>
inline float horner(float x, const float (&c)[N]) {
  float p = c[0];
  for (size_t i = 1; i < N; ++i) p = p * x + c[i];
  return p;
}

// x + c[0] x^(2N+1) + ... + c[N-1] x^3: an odd series in x, for small |x|.
template <size_t N>
inline float odd_series(float x, const float (&c)[N]) {
  const float s = x * x;
  return x + x * s * horner(s, c);
}

// e^x. x = n ln2 + r with |r| <= ln2 / 2; e^r by a degree-6 polynomial; 2^n applied as
// two powers of two so that denormal results come out right.
inline float exp_one(float x) {
  // Clamped so that n fits an int; NaN becomes -104 here (converting NaN to an int is
  // undefined) and is returned as it came at the end.
  const float upper = x > 89.0f ? 89.0f : x;
  const float clamped = upper >= -104.0f ? upper : -104.0f;
  // Round to nearest by adding and removing 1.5 * 2^23 (vectorizes on any ISA).
  const float n = (clamped * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  // ln 2 in two parts: n * ln2_hi is exact for |n| < 2^9.
  float r = clamped - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  const float p = horner(r, {1.0f / 720, 1.0f / 120, 1.0f / 24, 1.0f / 6, 0.5f, 1.0f, 1.0f});
  const int32_t ni = static_cast<int32_t>(n);
  const int32_t half = ni >> 1;  // n = half + (n - half), each within the normal exponents
  const float scale1 = bits_to_float((half + 127) << 23);
  const float scale2 = bits_to_float((ni - half + 127) << 23);
  const float y = p * scale1 * scale2;
  return x != x ? x : y;
}

}  // namespace onyx::kernels::vmath_detail
