// 2-D transposed convolution on NCHW float data, one image at a time, by GEMM and col2im:
// per group g, the columns (Mg*KH*KW x H*W) = W_g^T (Mg*KH*KW x Cg) * X_g (Cg x H*W), then
// col2im adds every column into the output pixel its tap lands on. The columns are made
// for a few input rows at a time so that their buffer stays bounded (and in cache).
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/conv/conv2d.h"
#include "kernels/gemm/gemm.h"
#include "kernels/parallel.h"

namespace onyx::kernels {

// The weights (C, M/group, KH, KW), transposed per group and packed once into A panels
// of one microkernel: group g's A is (Mg*KH*KW) x Cg. `s` reads as in col2im.h.
class PackedConvTransposeWeights {
 public:
  PackedConvTransposeWeights() = default;
  PackedConvTransposeWeights(const Conv2dShape& s, const float* w, const MicroKernel& uk);
  const PackedPanels& group(int64_t g) const { return groups_[static_cast<size_t>(g)]; }
  const MicroKernel& microkernel() const { return *uk_; }
  bool empty() const { return groups_.empty(); }
  // Whether these are the weights of the shape's channels and kernel.
  bool fits(const Conv2dShape& s) const;

 private:
  std::vector<PackedPanels> groups_;
  const MicroKernel* uk_ = nullptr;
};

// One image: x is (C, H, W), y is (M, OH, OW); bias (M) may be null. Writes all of y.
void conv_transpose2d(const Conv2dShape& s, const PackedConvTransposeWeights& w, const float* x,
                      const float* bias, float* y, const Parallel& parallel);

}  // namespace onyx::kernels
