// Vectorizable float math for the elementwise operators: plain loops of polynomials and
// bit operations that the compiler turns into AVX2 (or baseline) vector code, with the
// error bounds below, measured against double precision over the whole float range
// (tests/unit/vmath_test.cc). NaN in gives NaN out; infinities give the limits.
//
//   vexp      error <= 3 ulp for normal results; denormal results (below 2^-126)
//             within 2^-148
//   vtanh     error <= 4 ulp, exactly +-1 beyond |x| = 9.1
//   vsigmoid  error <= 4 ulp for normal results, small tails included; denormal
//             results within 2^-148
//   verf      error <= 4 ulp where |erf(x)| < 0.52 (|x| < 0.5), absolute error <= 4e-7
//             beyond (Abramowitz and Stegun 7.1.26)
#pragma once

#include <cstdint>

namespace onyx::kernels {

void vexp(const float* x, float* y, int64_t n);
void vtanh(const float* x, float* y, int64_t n);
void vsigmoid(const float* x, float* y, int64_t n);
void verf(const float* x, float* y, int64_t n);

}  // namespace onyx::kernels
