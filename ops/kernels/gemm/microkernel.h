// The GEMM microkernel, written once over a vector type and instantiated per ISA.
//
// It multiplies an MR-row panel of packed A by an NR-column panel of packed B over kc
// steps: for each k, NR/width vectors of B are loaded once and each of the MR values of
// A is broadcast and multiplied into MR x NR/width accumulator registers (BLIS/GotoBLAS).
// The accumulators never leave registers until the tile is stored.
//
// This header is included by files compiled for one ISA each (microkernel_avx2.cc, ...),
// so it holds templates only: nothing here may become an out-of-line symbol that the
// linker could share with code built for the baseline ISA.
#pragma once

#include <array>
#include <cstdint>
#include <utility>

#include "kernels/gemm/microkernel_api.h"

namespace onyx::kernels {

// V supplies: reg, width, zero(), set1(x), load(p), store(p, v), broadcast(p), fma(a, b, c),
// add, and max(a, b) / min(a, b) that return b when either is NaN.
// ROWS < MR makes the kernel of an edge tile: it computes and stores the first ROWS rows
// of an MR-row panel, no more.
template <class V, int MR, int NV, int ROWS = MR>
void gemm_microkernel(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                      bool accumulate, const TileEpilogue* ep) {
  constexpr int W = V::width;
  using R = typename V::reg;
  // The C tile is read (or written) only after the K loop: fetch it meanwhile.
#pragma GCC unroll 32
  for (int i = 0; i < ROWS; ++i) {
    __builtin_prefetch(c + i * ldc, 1);
    __builtin_prefetch(c + i * ldc + NV * W - 1, 1);
  }
  R acc[ROWS][NV];
#pragma GCC unroll 32
  for (int i = 0; i < ROWS; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) acc[i][j] = V::zero();
  for (int64_t k = 0; k < kc; ++k) {
    R bv[NV];
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) bv[j] = V::load(b + j * W);
#pragma GCC unroll 32
    for (int i = 0; i < ROWS; ++i) {
      const R av = V::broadcast(a + i);
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) acc[i][j] = V::fma(av, bv[j], acc[i][j]);
    }
    a += MR;
    b += NV * W;
  }
  if (!ep) {
#pragma GCC unroll 32
    for (int i = 0; i < ROWS; ++i) {
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) {
        float* p = c + i * ldc + j * W;
        V::store(p, accumulate ? V::add(acc[i][j], V::load(p)) : acc[i][j]);
      }
    }
    return;
  }
  // The same sums in the same order as the driver's epilogue pass, then the clamp.
  const R lo = V::set1(ep->lo), hi = V::set1(ep->hi);
#pragma GCC unroll 32
  for (int i = 0; i < ROWS; ++i) {
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) {
      float* p = c + i * ldc + j * W;
      R v = accumulate ? V::add(acc[i][j], V::load(p)) : acc[i][j];
      if (ep->row_bias) v = V::add(v, V::broadcast(ep->row_bias + i));
      if (ep->col_bias) v = V::add(v, V::load(ep->col_bias + j * W));
      if (ep->addend) v = V::add(v, V::load(ep->addend + i * ep->addend_ld + j * W));
      V::store(p, V::min(hi, V::max(lo, v)));
    }
  }
}

// The edge-tile kernels of the MR x (NV * width) kernel, for MicroKernel::rows:
// entry r - 1 computes r rows.
template <class V, int MR, int NV, int... R>
constexpr std::array<MicroKernelFn, sizeof...(R)> make_row_kernels(
    std::integer_sequence<int, R...>) {
  return {gemm_microkernel<V, MR, NV, R + 1>...};
}
template <class V, int MR, int NV>
constexpr std::array<MicroKernelFn, MR - 1> row_kernels() {
  return make_row_kernels<V, MR, NV>(std::make_integer_sequence<int, MR - 1>());
}

}  // namespace onyx::kernels
