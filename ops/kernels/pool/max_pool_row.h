// One output row of a max pooling 3 columns wide with stride 2 (the CNN stem's pooling),
// written per ISA.
#pragma once

#include <cstdint>

namespace onyx::kernels {

// out[k], k < count, is the maximum over rows[0..n_rows) (combined in that order, a later
// row winning only where greater) of columns c, c + 1, c + 2 (in that order), c = first
// + 2 k. Every row holds `readable` >= 2 count + 1 values from `first` on. Returns false,
// with `out` undefined, when a NaN was read: the caller then uses the reference's order.
using MaxPoolRow3s2Fn = bool (*)(const float* const* rows, int n_rows, int64_t first, int64_t count,
                                 int64_t readable, float* out);

// nullptr where the build has no such kernel; callers check the active ISA.
MaxPoolRow3s2Fn max_pool_row_3s2_avx2();

}  // namespace onyx::kernels
