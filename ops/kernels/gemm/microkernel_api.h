// The list of GEMM microkernels: one entry per ISA and tile geometry (XNNPACK's way).
// The same list drives run-time dispatch, the property tests and the benchmarks.
#pragma once

#include <cstdint>

#include "kernels/cpu.h"

namespace onyx::kernels {

// C[MR x NR] = (accumulate ? C : 0) + Apanel * Bpanel, where the A panel holds kc
// steps of MR values and the B panel kc steps of NR values; ldc is C's row stride.
using MicroKernelFn = void (*)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                               bool accumulate);

struct MicroKernel {
  const char* name;
  Isa isa;
  int mr, nr;
  MicroKernelFn run;
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
