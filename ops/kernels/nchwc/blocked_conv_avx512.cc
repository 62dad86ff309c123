// The blocked convolutions for AVX-512F: blocks of 16 channels, 2 x 12 pointwise tiles
// (24 of the 32 registers accumulate).
#if defined(__x86_64__) && defined(__AVX512F__)
#include <immintrin.h>

// GCC 12's _mm512_max_ps/_mm512_min_ps pass _mm512_undefined_ps() as the unused masked
// source, which the uninitialized-use warnings report once inlined: a false positive.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#define ONYX_BLOCKED_CONV_TILES
#include "kernels/nchwc/blocked_conv_tiles.h"

namespace onyx::kernels::nchwc {
namespace {

struct Avx512 {
  using Reg = __m512;
  static constexpr int kLanes = 16;
  static constexpr int kPixels = 12;
  static Reg load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, Reg v) { _mm512_storeu_ps(p, v); }
  static Reg set1(float v) { return _mm512_set1_ps(v); }
  static Reg bcast(const float* p) { return _mm512_set1_ps(*p); }
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }
  static Reg add(Reg a, Reg b) { return _mm512_add_ps(a, b); }
  static Reg min(Reg a, Reg b) { return _mm512_min_ps(a, b); }
  static Reg max(Reg a, Reg b) { return _mm512_max_ps(a, b); }
};

}  // namespace

const BlockedKernels* blocked_kernels_avx512() { return tiles::kernels_of<Avx512>(); }

}  // namespace onyx::kernels::nchwc
#else
#include "kernels/nchwc/blocked_conv_tiles.h"
namespace onyx::kernels::nchwc {
const BlockedKernels* blocked_kernels_avx512() { return nullptr; }
}  // namespace onyx::kernels::nchwc
#endif
