#include "kernels/conv/conv_transpose.h"

#include <algorithm>

#include "kernels/conv/col2im.h"

namespace onyx::kernels {

namespace {
// The columns of one tile are at most this many floats (1 MiB, about an L2), unless one
// input row alone is more.
constexpr int64_t kColumnsBudget = int64_t{1} << 18;
}  // namespace

PackedConvTransposeWeights::PackedConvTransposeWeights(const Conv2dShape& s, const float* w,
                                                       const MicroKernel& uk)
    : uk_(&uk) {
  const int64_t Cg = s.in_per_group(), lines = s.out_per_group() * s.KH * s.KW;
  for (int64_t g = 0; g < s.group; ++g) {
    // W_g is row-major Cg x lines; A is its transpose, read through strides.
    const StridedSource a = StridedSource::a_matrix(w + g * Cg * lines, lines, true);
    groups_.emplace_back(a, lines, Cg, uk.mr);
  }
}

bool PackedConvTransposeWeights::fits(const Conv2dShape& s) const {
  return static_cast<int64_t>(groups_.size()) == s.group &&
         groups_.front().holds(s.out_per_group() * s.KH * s.KW, s.in_per_group());
}

void conv_transpose2d(const Conv2dShape& s, const PackedConvTransposeWeights& w, const float* x,
                      const float* bias, float* y, const Parallel& parallel) {
  const int64_t Cg = s.in_per_group(), Mg = s.out_per_group();
  const int64_t lines = Mg * s.KH * s.KW, plane = s.OH * s.OW;
  for (int64_t m = 0; m < s.M; ++m)
    std::fill(y + m * plane, y + (m + 1) * plane, bias ? bias[m] : 0.0f);
  if (Cg == 0 || lines == 0 || s.H == 0 || s.W == 0) return;
  // A tile is whole input rows, or part of one row when a row alone is over the budget
  // (a long 1-D signal).
  const int64_t row_floats = lines * s.W;
  Col2imTile tile;
  tile.rows = row_floats <= kColumnsBudget ? std::min(s.H, kColumnsBudget / row_floats) : 1;
  tile.width = row_floats <= kColumnsBudget ? s.W : std::max<int64_t>(1, kColumnsBudget / lines);
  std::vector<float> columns(static_cast<size_t>(lines * tile.rows * tile.width));
  for (int64_t g = 0; g < s.group; ++g) {
    const float* xg = x + g * Cg * s.H * s.W;
    float* yg = y + g * Mg * plane;
    for (int64_t row0 = 0; row0 < s.H; row0 += tile.rows) {
      for (int64_t col0 = 0; col0 < s.W; col0 += tile.width) {
        Col2imTile t = tile;
        t.row0 = row0;
        t.rows = std::min(tile.rows, s.H - row0);
        t.col0 = col0;
        t.width = std::min(tile.width, s.W - col0);
        // The tile's pixels are contiguous in X_g: columns of a Cg x H*W matrix.
        const int64_t pixels = t.rows * t.width;
        const StridedSource b = StridedSource::b_matrix(xg + row0 * s.W + col0, s.H * s.W, false);
        gemm(w.microkernel(), lines, pixels, Cg, w.group(g), b, columns.data(), pixels, {},
             parallel);
        col2im_add(s, Mg, columns.data(), t, yg, parallel);
      }
    }
  }
}

}  // namespace onyx::kernels
