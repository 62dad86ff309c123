// Elementwise float loops of the memory-bound operators, compiled for AVX2 and for the
// baseline (ONYX_AVX2_CLONES). Each keeps its operator's NaN behaviour exactly.
#pragma once

#include <cstdint>

namespace onyx::kernels {

// Elements per task when an elementwise loop is split over threads: below this a
// thread's wake-up costs more than the loop.
constexpr int64_t kElementwiseGrain = 32768;

// PRelu: y = x < 0 ? slope * x : x, with one slope or one per element.
void prelu(const float* x, float slope, float* y, int64_t n);
void prelu(const float* x, const float* slope, float* y, int64_t n);

// Clip: y = min(max(x, lo), hi) as std::min/std::max compute it (a NaN x stays NaN).
void clip(const float* x, float lo, float hi, float* y, int64_t n);

// y = x^2 or x^3 (exponent 2 or 3), as std::pow in double rounded to float: the square
// is exact in double, the cube rounded once there.
void pow_small(const float* x, int exponent, float* y, int64_t n);

// The sum of n floats, kept in 8 partial sums (one vector) that are added up at the end:
// the sequential sum reordered, so it differs from it by rounding only.
float sum(const float* x, int64_t n);

// y = a * x + b: BatchNormalization folded per channel.
void scale_shift(const float* x, float a, float b, float* y, int64_t n);

}  // namespace onyx::kernels
