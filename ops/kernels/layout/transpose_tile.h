// The 2-D tile transpose of permute() for 4-byte elements, written per ISA.
#pragma once

#include <cstdint>

namespace onyx::kernels {

// out[a * out_stride + b] = in[a + b * in_stride] for a < rows, b < cols (elements of 4
// bytes, copied bit for bit).
using TransposeTile4Fn = void (*)(const void* in, void* out, int64_t rows, int64_t cols,
                                  int64_t in_stride, int64_t out_stride);

// The best kernel for the active ISA; nullptr where there is none (plain loops then).
TransposeTile4Fn transpose_tile_4byte();
// The AVX2 kernel; nullptr where the build has none.
TransposeTile4Fn transpose_tile_4byte_avx2();

}  // namespace onyx::kernels
