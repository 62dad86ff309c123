// Portable microkernels: plain C++ that any compiler vectorizes as far as the
// baseline ISA allows. The 4x8 one serves CPUs without AVX2 and non-x86 builds.
#include "kernels/gemm/microkernel.h"
#include "kernels/gemm/microkernel_api.h"

namespace onyx::kernels {
namespace {

struct ScalarVec {
  using reg = float;
  static constexpr int width = 1;
  static reg zero() { return 0.0f; }
  static reg load(const float* p) { return *p; }
  static void store(float* p, reg v) { *p = v; }
  static reg broadcast(const float* p) { return *p; }
  static reg fma(reg a, reg b, reg c) { return a * b + c; }
  static reg add(reg a, reg b) { return a + b; }
  static reg set1(float x) { return x; }
  static reg max(reg a, reg b) { return a > b ? a : b; }
  static reg min(reg a, reg b) { return a < b ? a : b; }
};

}  // namespace

const MicroKernel* generic_microkernel() {
  static const MicroKernel k{"generic_4x8", Isa::Generic, 4, 8, gemm_microkernel<ScalarVec, 4, 8>};
  return &k;
}

const MicroKernel* generic_microkernel_6x16() {
  static constexpr auto rows = row_kernels<ScalarVec, 6, 16>();
  static const MicroKernel k{
      "generic_6x16", Isa::Generic, 6, 16, gemm_microkernel<ScalarVec, 6, 16>, rows.data()};
  return &k;
}

const MicroKernel* generic_microkernel_14x32() {
  static const MicroKernel k{"generic_14x32", Isa::Generic, 14, 32,
                             gemm_microkernel<ScalarVec, 14, 32>};
  return &k;
}

}  // namespace onyx::kernels
