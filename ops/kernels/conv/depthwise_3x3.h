// The 3x3 depthwise channel kernel, written per ISA. It copies one channel into a
// zero-bordered scratch plane in which every tap of every output lies (rows split by
// parity for stride 2, so that the taps of neighbouring outputs are neighbours), then
// computes the channel with bias and a clamp applied in registers as each vector of
// outputs is stored.
#pragma once

#include <cstdint>

namespace onyx::kernels {

struct Depthwise3x3Plane {
  int64_t H = 0, W = 0;  // the input channel
  int64_t pad_top = 0;   // scratch rows above it
  int64_t Wp = 0;        // the scratch plane's row width
  bool split = false;    // rows stored even columns first, then odd ones
  // Where input columns 0 and 1 go in a scratch row. Unsplit, column c follows at
  // col0 + c; split, columns 2i and 2i + 1 at col0 + i and col1 + i.
  int64_t col0 = 0, col1 = 0;
  int64_t tap[9] = {};     // where tap (kh, kw) of output (0, 0) lies, kh * 3 + kw
  int64_t row_step = 0;    // from one output row's taps to the next's
  int64_t OH = 0, OW = 0;  // output columns' taps are contiguous: tap + ow
};

// scratch: the plane's rows, zero outside the channel (the caller zeroes it once per
// geometry, the kernel writes only the channel's own values), with 8 floats of slack past
// the last row. y[oh * OW + ow] = min(hi, max(lo, bias + sum of w[t] * tap t)); NaN
// stays NaN.
using Depthwise3x3Fn = void (*)(const Depthwise3x3Plane& plane, const float* x, float* scratch,
                                const float* w, float bias, float lo, float hi, float* y);

// nullptr where the build has no such kernel; callers check the active ISA.
Depthwise3x3Fn depthwise_3x3_avx2();

}  // namespace onyx::kernels
