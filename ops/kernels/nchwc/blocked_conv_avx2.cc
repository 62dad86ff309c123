// The blocked convolutions for AVX2 + FMA: blocks of 8 channels, 2 x 6 pointwise tiles
// (12 of the 16 registers accumulate).
#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

#define ONYX_BLOCKED_CONV_TILES
#include "kernels/nchwc/blocked_conv_tiles.h"

namespace onyx::kernels::nchwc {
namespace {

struct Avx2 {
  using Reg = __m256;
  static constexpr int kLanes = 8;
  static constexpr int kPixels = 6;
  static Reg load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, Reg v) { _mm256_storeu_ps(p, v); }
  static Reg set1(float v) { return _mm256_set1_ps(v); }
  static Reg bcast(const float* p) { return _mm256_broadcast_ss(p); }
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm256_fmadd_ps(a, b, c); }
  static Reg add(Reg a, Reg b) { return _mm256_add_ps(a, b); }
  static Reg min(Reg a, Reg b) { return _mm256_min_ps(a, b); }
  static Reg max(Reg a, Reg b) { return _mm256_max_ps(a, b); }
};

}  // namespace

const BlockedKernels* blocked_kernels_avx2() { return tiles::kernels_of<Avx2>(); }

}  // namespace onyx::kernels::nchwc
#else
#include "kernels/nchwc/blocked_conv_tiles.h"
namespace onyx::kernels::nchwc {
const BlockedKernels* blocked_kernels_avx2() { return nullptr; }
}  // namespace onyx::kernels::nchwc
#endif
