#include "kernels/simd/elementwise.h"

#include "kernels/cpu.h"

namespace onyx::kernels {

ONYX_AVX2_CLONES
void prelu(const float* x, float slope, float* y, int64_t n) {
  // The product is computed for every element so that the choice is a vector blend
  // (a conditional multiply is not if-converted under strict floating point).
  for (int64_t i = 0; i < n; ++i) {
    const float scaled = slope * x[i];
    y[i] = x[i] < 0.0f ? scaled : x[i];
  }
}

ONYX_AVX2_CLONES
void prelu(const float* x, const float* slope, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float scaled = slope[i] * x[i];
    y[i] = x[i] < 0.0f ? scaled : x[i];
  }
}

ONYX_AVX2_CLONES
void clip(const float* x, float lo, float hi, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i] < lo ? lo : x[i];  // std::max(x, lo)
    y[i] = hi < v ? hi : v;                 // std::min(v, hi)
  }
}

ONYX_AVX2_CLONES
void pow_small(const float* x, int exponent, float* y, int64_t n) {
  if (exponent == 2) {
    for (int64_t i = 0; i < n; ++i) y[i] = static_cast<float>(double(x[i]) * double(x[i]));
  } else {
    for (int64_t i = 0; i < n; ++i) {
      const double d = x[i];
      y[i] = static_cast<float>(d * d * d);
    }
  }
}

ONYX_AVX2_CLONES
float sum(const float* x, int64_t n) {
  float lanes[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) lanes[j] += x[i + j];
  for (int j = 0; i < n; ++i, ++j) lanes[j] += x[i];
  return ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) +
         ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
}

ONYX_AVX2_CLONES
void scale_shift(const float* x, float a, float b, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * a + b;
}

}  // namespace onyx::kernels
