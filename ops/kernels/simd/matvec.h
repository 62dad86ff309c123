// Matrix-vector product for the recurrent cells: out[i] += m[i, :] . v, with eight
// partial sums per row so that the dot products vectorize.
#pragma once

#include <cstdint>

#include "kernels/parallel.h"

namespace onyx::kernels {

// m is row-major [rows, cols]. Rows are split over threads when there are many.
void matvec_add(const float* m, const float* v, int64_t rows, int64_t cols, float* out,
                const Parallel& parallel = serial());

}  // namespace onyx::kernels
