// Permuting the dims of a dense row-major tensor (Transpose, and the block moves of
// DepthToSpace and SpaceToDepth, which are transposes of a 6-D view).
//
// The permutation is first reduced: dims of size 1 are dropped and dims that stay
// adjacent and in order are merged, so (0, 2, 1, 3) on [1, 128, 12, 64] becomes a
// transpose of [128, 12] rows of 64. Then either
//   - the last output dim is contiguous in the input: whole rows are block copies, or
//   - it is not: the output dim that is contiguous in the input and the last output dim
//     form 2-D tiles, transposed tile by tile so that reads and writes both stay in
//     a few cache lines (32 x 32 elements; an 8 x 8 register transpose for 4-byte
//     elements on AVX2).
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/parallel.h"

namespace onyx::kernels {

// Writes `in` (dims `shape`) permuted by `perm` to `out`: output dim i is input dim
// perm[i]. Elements are `element_bytes` wide (1, 2, 4, 8 or 16) and copied as bytes;
// `perm` must be a permutation of [0, shape.size()).
void permute(const void* in, void* out, int element_bytes, const std::vector<int64_t>& shape,
             const std::vector<int64_t>& perm, const Parallel& parallel = serial());

// Whether permute() copies elements of this width.
inline bool permute_serves(int element_bytes) {
  return element_bytes == 1 || element_bytes == 2 || element_bytes == 4 || element_bytes == 8 ||
         element_bytes == 16;
}

}  // namespace onyx::kernels
