// Resizing the last two axes of a float tensor (Resize and Upsample on images), one
// output row at a time: the row's vertical taps are summed into a row of input width,
// then each output element sums its horizontal taps from that row. This is the
// reference's order (one pass per axis, the first resized axis first), in float instead
// of double; nearest copies its one element per axis exactly.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/parallel.h"

namespace onyx::kernels {

// One axis: output p reads input index[k] with weight[k] for k in [begin[p], begin[p + 1]),
// or is the extrapolation value where outside[p]. `identity`: output p is input p.
struct ResizeAxis {
  int64_t in = 0, out = 0;
  bool identity = false;
  std::vector<int64_t> begin, index;
  std::vector<float> weight;
  std::vector<uint8_t> outside;
};

// x is [planes, rows.in, cols.in], y is [planes, rows.out, cols.out]. `nearest`: every
// output element is the first tap's input element (weights unused).
void resize_planes(const float* x, float* y, int64_t planes, const ResizeAxis& rows,
                   const ResizeAxis& cols, bool nearest, float extrapolation,
                   const Parallel& parallel = serial());

}  // namespace onyx::kernels
