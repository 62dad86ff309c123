// The list of GEMM microkernels: one entry per ISA and tile geometry (XNNPACK's way).
// The same list drives run-time dispatch, the property tests and the benchmarks.
#pragma once

#include <cstdint>
#include <limits>

#include "kernels/cpu.h"

namespace onyx::kernels {

// What a microkernel applies to its tile in registers as it stores it, after the last K
// block: c = min(hi, max(lo, c + row_bias[i] + col_bias[j] + addend[i * addend_ld + j])),
// each part only where given. lo and hi make Relu (0, inf) and Clip; NaN stays NaN.
struct TileEpilogue {
  const float* row_bias = nullptr;  // MR values
  const float* col_bias = nullptr;  // NR values
  const float* addend = nullptr;    // MR x NR values
  int64_t addend_ld = 0;
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
};

// C[MR x NR] = (accumulate ? C : 0) + Apanel * Bpanel, where the A panel holds kc
// steps of MR values and the B panel kc steps of NR values; ldc is C's row stride. With
// `ep`, the tile epilogue is applied as the tile is stored.
using MicroKernelFn = void (*)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                               bool accumulate, const TileEpilogue* ep);

struct MicroKernel {
  const char* name;
  Isa isa;
  int mr, nr;
  MicroKernelFn run;
  // For edge tiles of r < mr rows: rows[r - 1] reads the same packed panels and computes
  // and stores only the first r rows. nullptr: edge tiles run `run` into a scratch tile.
  const MicroKernelFn* rows = nullptr;
};

// Defined in the per-ISA files; nullptr where the build has no such kernel.
const MicroKernel* avx2_microkernel();
const MicroKernel* avx512_microkernel();
const MicroKernel* generic_microkernel();
// Portable kernels with the AVX2 and AVX-512 tile geometries, so the tests check
// the driver's blocking for every geometry on any machine.
const MicroKernel* generic_microkernel_6x16();
const MicroKernel* generic_microkernel_14x32();

}  // namespace onyx::kernels
