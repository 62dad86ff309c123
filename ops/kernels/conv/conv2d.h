// 2-D convolution on NCHW float data, one image at a time:
//   - by GEMM: Y_g (Mg x OH*OW) = W_g (Mg x Cg*KH*KW) * X_g, per group g, where X_g is
//     read as the im2col matrix without materializing it (ImplicitIm2col packs the GEMM's
//     B panels straight from the image), or as the plain C x H*W matrix for 1x1, stride 1,
//     unpadded convolutions; weights are packed into A panels once (PackedConvWeights);
//   - depthwise (one input and one output channel per group) by a direct kernel.
// Bias, a residual and the activation are applied in the epilogue. Spatial padding is
// (pad_top, pad_left) at the start; the output size decides what lies past the end.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/activation.h"
#include "kernels/gemm/gemm.h"
#include "kernels/parallel.h"

namespace onyx::kernels {

struct Conv2dShape {
  int64_t C = 0, H = 0, W = 0;  // input channels and size
  int64_t M = 0;                // output channels
  int64_t group = 1;
  int64_t KH = 1, KW = 1, SH = 1, SW = 1, DH = 1, DW = 1;
  int64_t pad_top = 0, pad_left = 0;
  int64_t OH = 0, OW = 0;  // output size

  int64_t in_per_group() const { return C / group; }
  int64_t out_per_group() const { return M / group; }
  int64_t gemm_depth() const { return in_per_group() * KH * KW; }
  bool is_pointwise() const {  // 1x1, stride 1, no padding: X_g is already a matrix
    return KH == 1 && KW == 1 && SH == 1 && SW == 1 && pad_top == 0 && pad_left == 0 && OH == H &&
           OW == W;
  }
  bool is_depthwise() const { return group == C && group == M; }

  // Sets the spatial geometry from a height and a width axis, of any type with the fields
  // in, kernel, stride, dilation, pad_begin and out (the ops' resolved windows).
  template <class Axis>
  void set_axes(const Axis& h, const Axis& w) {
    H = h.in;
    W = w.in;
    KH = h.kernel;
    KW = w.kernel;
    SH = h.stride;
    SW = w.stride;
    DH = h.dilation;
    DW = w.dilation;
    pad_top = h.pad_begin;
    pad_left = w.pad_begin;
    OH = h.out;
    OW = w.out;
  }
};

// What becomes of each output value of one image: y = activation(conv + bias[m] +
// residual[m, oh, ow]). bias (M) and residual (M, OH, OW) may be null.
struct ConvEpilogue {
  const float* bias = nullptr;
  const float* residual = nullptr;
  ActivationParams activation;
};

// The im2col matrix of one group (rows: c, kh, kw; columns: output positions), packed
// into B panels on demand. The group's image is first copied with its zero padding
// around it, so that every tap lies inside (skipped when there is no padding), and for
// stride 2 with each row split by parity (its even columns, then its odd ones), so that
// the taps of one K row over an output row are contiguous for stride 1 and 2 alike.
class ImplicitIm2col final : public PanelSource {
 public:
  // `storage` holds the padded copy, made over `parallel`; it must outlive this object.
  ImplicitIm2col(const Conv2dShape& s, const float* x_group, std::vector<float>& storage,
                 const Parallel& parallel);
  void pack(int64_t k0, int64_t kc, int64_t x0, int64_t width, int panel,
            float* dst) const override;

 private:
  template <int P>
  void pack_panel(int64_t k0, int64_t kc, int64_t x0, int64_t width, int panel, float* dst) const;

  const Conv2dShape& s_;
  const float* image_ = nullptr;     // the padded image, or the input itself
  int64_t row_step_ = 0;             // from one output row's taps to the next's
  int64_t col_step_ = 1;             // between neighbouring outputs' taps (1 unless stride > 2)
  std::vector<int64_t> tap_offset_;  // per K row: its tap of output position (0, 0)
};

// The weights (M, C/group, KH, KW) packed once for one microkernel, one A per group; or,
// for a pointwise layer whose few output positions would leave the microkernel's
// column panels part empty (7x7 planes: 49 = 3 x 16 + 1), as B panels of the transposed
// product Y^T = X^T W^T, whose rows are the positions (see transposed_product_pays).
class PackedConvWeights {
 public:
  PackedConvWeights() = default;
  PackedConvWeights(const Conv2dShape& s, const float* w, const MicroKernel& uk);
  const PackedPanels& group(int64_t g) const { return groups_[static_cast<size_t>(g)]; }
  const MicroKernel& microkernel() const { return *uk_; }
  bool empty() const { return groups_.empty(); }
  bool transposed() const { return transposed_; }

 private:
  std::vector<PackedPanels> groups_;
  const MicroKernel* uk_ = nullptr;
  bool transposed_ = false;
};

// Whether an M x N product (M output channels, N positions) fills the microkernel's
// tiles enough better when computed transposed (N rows, M columns) to pay for
// transposing its result: at least 10% more of each tile's work used, on planes of at
// most 256 positions.
bool transposed_product_pays(int64_t M, int64_t N, const MicroKernel& uk);

// One image: x is (C, H, W), y is (M, OH, OW).
void conv2d_gemm(const Conv2dShape& s, const PackedConvWeights& w, const float* x, float* y,
                 const ConvEpilogue& ep, const Parallel& parallel);

// One image of a depthwise convolution; w is (C, 1, KH, KW) as stored.
void conv2d_depthwise(const Conv2dShape& s, const float* w, const float* x, float* y,
                      const ConvEpilogue& ep, const Parallel& parallel);

}  // namespace onyx::kernels
