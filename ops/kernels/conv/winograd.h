// Winograd F(4x4, 3x3) convolution (Lavin and Gray, 2015) for 3x3, stride 1, undilated,
// ungrouped layers on NCHW float data.
//
// Each 4x4 output tile reads a 6x6 input patch d_c per channel. With the transforms
// B (input), G (weights) and A (output) of F(4, 3):
//   Y_m = A^T [ sum over c of (G g_mc G^T) (.) (B^T d_c B) ] A
// The sum over c, taken at each of the 36 positions xi of the transformed tile, is one
// GEMM per xi: M_xi (M x tiles) = U_xi (M x C) * V_xi (C x tiles). That is 36 products
// per 16 outputs instead of 144 multiply-adds, and the input is expanded 2.25 times
// instead of the 9 times of im2col. Weights are transformed and packed once.
//
// The transforms cost accuracy: against direct convolution the error grows by about an
// order of magnitude (tests/unit/fast_kernels_test.cc bounds it at 1e-5 x (1 + |y|) x
// the L1 norm of the inputs' magnitudes).
#pragma once

#include <vector>

#include "kernels/conv/conv2d.h"

namespace onyx::kernels {

// 3x3, stride 1, dilation 1, one group.
bool winograd_applies(const Conv2dShape& s);

// Below this many 4x4 output tiles per image Winograd's GEMMs are too narrow to pay
// (bench/RESULTS.md): im2col GEMM serves those layers.
constexpr int64_t kWinogradMinTiles = 32;

class WinogradWeights {
 public:
  WinogradWeights() = default;
  // w: (M, C, 3, 3) as stored.
  WinogradWeights(const float* w, int64_t M, int64_t C, const MicroKernel& uk);
  const PackedPanels& u(int xi) const { return u_[static_cast<size_t>(xi)]; }
  const MicroKernel& microkernel() const { return *uk_; }
  bool empty() const { return u_.empty(); }

 private:
  std::vector<PackedPanels> u_;  // 36 transformed weight matrices, M x C each
  const MicroKernel* uk_ = nullptr;
};

// One image: x is (C, H, W), y is (M, OH, OW).
void conv2d_winograd(const Conv2dShape& s, const WinogradWeights& w, const float* x, float* y,
                     const ConvEpilogue& ep, const Parallel& parallel);

}  // namespace onyx::kernels
