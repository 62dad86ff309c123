// A channel-blocked activation layout (NCHWc) and the convolutions that run on it.
//
// A blocked image of C channels holds (C' / B, H, W, B) floats, B the block (8 with AVX2,
// 16 with AVX-512) and C' = C rounded up to B, the padded channels zero: the B channels
// of one pixel are one vector. A 1x1 convolution then broadcasts one input value per
// pixel against one weight vector per output block, with no packing of the activations,
// and a depthwise tap is one FMA for B channels, with no row tails and stride 2 as cheap
// as stride 1; a dense K x K one runs the 1x1 tiles once per tap over a zero-bordered copy
// of its input. bench/RESULTS.md has the measurements that chose it for chains of such
// layers (MobileNet's, and with AVX-512 ResNet's and SqueezeNet's), with reorders at the
// chain's edges.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/activation.h"
#include "kernels/parallel.h"

namespace onyx::kernels::nchwc {

// The block of this CPU's blocked kernels: 16 with AVX-512, 8 with AVX2, 0 without
// either (the layout does not pay without vectors).
int64_t native_block();

inline int64_t padded_channels(int64_t C, int64_t block) { return (C + block - 1) / block * block; }

// One image: NCHW (C, HW) -> blocked (C' / block, HW, block), and back.
void to_blocked(const float* x, int64_t C, int64_t HW, int64_t block, float* y,
                const Parallel& parallel);
void from_blocked(const float* x, int64_t C, int64_t HW, int64_t block, float* y,
                  const Parallel& parallel);

// The layers the blocked kernels compute: a 1x1 convolution with stride 1 and no padding
// (group 1), a 3x3 depthwise one with padding 1 and stride 1 or 2, or a dense K x K one
// (group 1) with stride 1 and the same padding on every side.
enum class BlockedConvKind { Pointwise, Depthwise, Dense };

struct BlockedConvShape {
  BlockedConvKind kind = BlockedConvKind::Pointwise;
  int64_t C = 0, M = 0;   // input and output channels (equal for depthwise)
  int64_t H = 0, W = 0;   // input plane
  int64_t stride = 1;     // depthwise: 1 or 2; otherwise 1
  int64_t K = 1;          // dense: the window's size (depthwise: 3, pointwise: 1)
  int64_t dense_pad = 0;  // dense: the padding on every side
  int64_t pad() const { return kind == BlockedConvKind::Depthwise ? 1 : dense_pad; }
  int64_t kernel() const { return kind == BlockedConvKind::Depthwise ? 3 : K; }
  int64_t OH() const { return out(H); }
  int64_t OW() const { return out(W); }
  int64_t out(int64_t in) const {  // an empty input gives an empty output
    const int64_t span = in + 2 * pad() - kernel();
    return span < 0 ? 0 : span / stride + 1;
  }
};

// Weights and bias reordered for the blocked kernels once, at session creation.
class BlockedConvWeights {
 public:
  BlockedConvWeights() = default;
  // w: (M, C, K, K) or (C, 1, 3, 3) (depthwise) as ONNX stores them; b: (M) or null.
  BlockedConvWeights(const BlockedConvShape& s, const float* w, const float* b, int64_t block);
  bool empty() const { return block_ == 0; }
  int64_t block() const { return block_; }
  // Pointwise: (M' / B, C', B); depthwise: (C' / B, 9, B); dense: (M' / B, C' / B, K, K,
  // B, B), an input lane's B output channels side by side. Padded entries are zero.
  const float* weights() const { return w_.data(); }
  const float* bias() const { return b_.data(); }  // (M'), zero past M

 private:
  int64_t block_ = 0;
  std::vector<float> w_, b_;
};

// One blocked image: y = activation(conv(x) + b + residual), residual (y's layout) may be
// null. The weights' block must be native_block().
void blocked_conv(const BlockedConvShape& s, const BlockedConvWeights& w, const float* x,
                  const float* residual, const ActivationParams& activation, float* y,
                  const Parallel& parallel);

}  // namespace onyx::kernels::nchwc
