// col2im: the scatter-add that finishes a transposed convolution computed by GEMM. The GEMM
// gives, for every input pixel, its product with every kernel tap of every output channel
// (the "columns"); col2im adds each to the output pixel that tap lands on.
#pragma once

#include <cstdint>

#include "kernels/conv/conv2d.h"
#include "kernels/parallel.h"

namespace onyx::kernels {

// The geometry is a Conv2dShape read the transposed way: (H, W) is the input, (OH, OW)
// the output, and input pixel (ih, iw) through tap (kh, kw) lands on output pixel
//   (ih * SH - pad_top + kh * DH, iw * SW - pad_left + kw * DW)
// unless that lies outside OH x OW (a negative pad places it past the end).
//
// `cols` covers the input pixels of rows [row0, row0 + rows) and columns [col0, col0 + width)
// (a whole row's width, or one row): its row (c * KH + kh) * KW + kw, column
// (ih - row0) * width + iw - col0 holds channel c's contribution through tap (kh, kw). Each
// is added to y, `channels` planes of OH x OW. Channels are split over `parallel`.
struct Col2imTile {
  int64_t row0 = 0, rows = 0, col0 = 0, width = 0;
};
void col2im_add(const Conv2dShape& s, int64_t channels, const float* cols, const Col2imTile& tile,
                float* y, const Parallel& parallel);

}  // namespace onyx::kernels
