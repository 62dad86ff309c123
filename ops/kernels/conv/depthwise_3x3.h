// The 3x3 depthwise channel kernel, written per ISA: one channel's taps read from a plane
// in which every tap of every output lies (a zero-padded copy), with bias and a clamp
// applied in registers as each vector of outputs is stored.
#pragma once

#include <cstdint>

namespace onyx::kernels {

struct Depthwise3x3Plane {
  const float* data = nullptr;
  int64_t tap[9] = {};    // where tap (kh, kw) of output (0, 0) lies, kh * 3 + kw
  int64_t row_step = 0;   // from one output row's taps to the next's
  int64_t OH = 0, OW = 0;  // output columns' taps are contiguous: tap + ow
};

// y[oh * OW + ow] = min(hi, max(lo, bias + sum of w[t] * tap t)); NaN stays NaN.
using Depthwise3x3Fn = void (*)(const Depthwise3x3Plane& plane, const float* w, float bias,
                                float lo, float hi, float* y);

// nullptr where the build has no such kernel; callers check the active ISA.
Depthwise3x3Fn depthwise_3x3_avx2();

}  // namespace onyx::kernels
