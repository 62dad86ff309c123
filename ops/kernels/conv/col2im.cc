#include "kernels/conv/col2im.h"

#include <algorithm>

#include "kernels/cpu.h"

namespace onyx::kernels {
namespace {

// The inputs i in [0, n) whose landing i * stride + offset lies in [0, out): [*lo, *hi).
void landing_range(int64_t n, int64_t stride, int64_t offset, int64_t out, int64_t* lo,
                   int64_t* hi) {
  *lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  *hi = out - offset <= 0 ? 0 : std::min(n, (out - offset + stride - 1) / stride);
  if (*hi < *lo) *hi = *lo;
}

// One input row's taps along a row of the output: y[i * stride] += c[i].
ONYX_AVX2_CLONES
void add_row(const float* __restrict c, int64_t n, int64_t stride, float* __restrict y) {
  if (stride == 1) {
    for (int64_t i = 0; i < n; ++i) y[i] += c[i];
  } else {
    for (int64_t i = 0; i < n; ++i) y[i * stride] += c[i];
  }
}

// Channels [c0, c1): each task owns its output planes, so no two write one pixel.
void col2im_channels(const Conv2dShape& s, int64_t c0, int64_t c1, const float* cols,
                     const Col2imTile& t, float* y) {
  const int64_t pixels = t.rows * t.width;  // columns of cols
  for (int64_t c = c0; c < c1; ++c) {
    float* plane = y + c * s.OH * s.OW;
    for (int64_t kh = 0; kh < s.KH; ++kh) {
      int64_t r_lo, r_hi;  // the tile's rows that land inside the output
      landing_range(t.row0 + t.rows, s.SH, kh * s.DH - s.pad_top, s.OH, &r_lo, &r_hi);
      r_lo = std::max(r_lo, t.row0);
      for (int64_t kw = 0; kw < s.KW; ++kw) {
        const int64_t offset = kw * s.DW - s.pad_left;
        int64_t w_lo, w_hi;
        landing_range(t.col0 + t.width, s.SW, offset, s.OW, &w_lo, &w_hi);
        w_lo = std::max(w_lo, t.col0);
        if (w_lo >= w_hi) continue;
        const float* taps = cols + ((c * s.KH + kh) * s.KW + kw) * pixels;
        for (int64_t ih = r_lo; ih < r_hi; ++ih) {
          const int64_t oh = ih * s.SH - s.pad_top + kh * s.DH;
          add_row(taps + (ih - t.row0) * t.width + w_lo - t.col0, w_hi - w_lo, s.SW,
                  plane + oh * s.OW + w_lo * s.SW + offset);
        }
      }
    }
  }
}

}  // namespace

void col2im_add(const Conv2dShape& s, int64_t channels, const float* cols, const Col2imTile& tile,
                float* y, const Parallel& parallel) {
  // Below this many additions a split costs more than it saves.
  constexpr int64_t kMinParallelWork = int64_t{1} << 16;
  const int64_t work = channels * s.KH * s.KW * tile.rows * tile.width;
  if (work < kMinParallelWork || channels == 1) {
    col2im_channels(s, 0, channels, cols, tile, y);
    return;
  }
  parallel.for_tasks(channels,
                     [&](int64_t c0, int64_t c1) { col2im_channels(s, c0, c1, cols, tile, y); });
}

}  // namespace onyx::kernels
