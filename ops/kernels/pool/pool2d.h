// 2-D max and average pooling on NCHW float planes, with the window geometry resolved
// per axis once (the valid input taps of every output row and column), so the inner
// loops carry no bounds checks. Semantics are the reference kernel's: taps on the
// padding never win a maximum; an average divides by the input taps under the window,
// or with count_include_pad also by the padding taps (never by taps past the end
// padding that ceil_mode adds).
#pragma once

#include <cstdint>

#include "kernels/parallel.h"

namespace onyx::kernels {

struct PoolAxis {
  int64_t in = 0, kernel = 1, stride = 1, dilation = 1, pad_begin = 0, pad_end = 0, out = 0;
};

enum class PoolKind { Max, Average, AverageIncludingPad };

// planes: N * C planes of h.in x w.in into planes of h.out x w.out. Returns false,
// writing nothing defined, when some window covers no input element.
bool pool2d(PoolKind kind, const PoolAxis& h, const PoolAxis& w, int64_t planes, const float* x,
            float* y, const Parallel& parallel);

}  // namespace onyx::kernels
