// The NCHWc experiment's kernels for AVX2 + FMA: blocks of 8 channels, 2 x 6 pointwise
// tiles (12 of the 16 registers accumulate).
#include <immintrin.h>

#define NCHWC_KERNEL_TEMPLATES
#include "nchwc_kernels.h"

namespace onyx::nchwc {
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

void pointwise_avx2(const Pointwise& a) { pointwise<Avx2>(a); }
void depthwise_avx2(const Depthwise& a) { depthwise<Avx2>(a); }

}  // namespace onyx::nchwc
