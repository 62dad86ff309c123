#include "kernels/pool/pool2d.h"

#include <algorithm>
#include <vector>

#include "kernels/cpu.h"
#include "kernels/pool/max_pool_row.h"

namespace onyx::kernels {

namespace {

constexpr int64_t kMaxRowKernelRows = 16;  // window heights the row kernel takes

// For each output index of one axis: the first valid input position, how many valid
// taps follow (dilation apart), and how many taps count for an average with padding.
struct AxisTaps {
  std::vector<int64_t> first, valid, with_pad;
};

AxisTaps resolve(const PoolAxis& a) {
  AxisTaps t;
  t.first.resize(static_cast<size_t>(a.out));
  t.valid.resize(t.first.size());
  t.with_pad.resize(t.first.size());
  for (int64_t o = 0; o < a.out; ++o) {
    const int64_t start = o * a.stride - a.pad_begin;
    int64_t first = -1, valid = 0, with_pad = 0;
    for (int64_t k = 0; k < a.kernel; ++k) {
      const int64_t pos = start + k * a.dilation;
      if (pos >= 0 && pos < a.in) {
        if (first < 0) first = pos;
        ++valid;
      }
      if (pos < a.in + a.pad_end) ++with_pad;
    }
    t.first[o] = first;
    t.valid[o] = valid;
    t.with_pad[o] = with_pad;
  }
  return t;
}

// One plane, separably: first down the rows (a vector loop over the input columns,
// combining the kernel rows of one output row), then across the columns. A maximum
// keeps its first tap unless a later one is greater, down and then across, which picks
// the same value as the row-major scan of the reference when no NaN is involved; an
// output row whose windows hold a NaN takes the reference's order.
// Across the columns, a full window (all `kernel` taps inside) starting at every input
// column at once: window[i] combines column[i], column[i + dilation], ... in tap order,
// each tap a vector loop. Outputs whose window is full then read one value.
ONYX_AVX2_CLONES
void full_windows(bool max, const PoolAxis& w, const float* column, float* window) {
  const int64_t n = w.in - (w.kernel - 1) * w.dilation;
  for (int64_t i = 0; i < n; ++i) window[i] = column[i];
  for (int64_t j = 1; j < w.kernel; ++j) {
    const float* tap = column + j * w.dilation;
    if (max)
      for (int64_t i = 0; i < n; ++i) window[i] = tap[i] > window[i] ? tap[i] : window[i];
    else
      for (int64_t i = 0; i < n; ++i) window[i] += tap[i];
  }
}

// Stride 2, dilation 1 across the columns: the column split into its even and odd
// entries (a pair loop the compiler turns into vector loads and shuffles), so that tap j
// of the outputs [lo, hi) is a contiguous run of one half. Writes those outputs' maxima
// (or sums), tap by tap in order.
ONYX_AVX2_CLONES
void stride2_windows(bool max, const PoolAxis& w, int64_t lo, int64_t hi, const float* column,
                     float* even, float* odd, float* out) {
  for (int64_t i = 0; i < w.in / 2; ++i) {
    even[i] = column[2 * i];
    odd[i] = column[2 * i + 1];
  }
  if (w.in & 1) even[w.in / 2] = column[w.in - 1];
  for (int64_t j = 0; j < w.kernel; ++j) {
    // Output ow reads column 2 ow - pad_begin + j: entry ow + d / 2 (d rounded down) of
    // the half of d's parity, d = j - pad_begin.
    const int64_t d = j - w.pad_begin;
    const int64_t shift = d >= 0 ? d / 2 : -((1 - d) / 2);
    const float* tap = ((d & 1) ? odd : even) + shift;
    if (j == 0)
      for (int64_t ow = lo; ow < hi; ++ow) out[ow] = tap[ow];
    else if (max)
      for (int64_t ow = lo; ow < hi; ++ow) out[ow] = tap[ow] > out[ow] ? tap[ow] : out[ow];
    else
      for (int64_t ow = lo; ow < hi; ++ow) out[ow] += tap[ow];
  }
}

// Outputs [ow_begin, ow_end) of row oh in the reference's order exactly: the taps of a window
// row-major, a later one winning only when greater. The separable passes agree with it unless the
// window holds a NaN (one that is first in its column, but not in its window, would
// hide the rest of its column).
void max_row_in_reference_order(const PoolAxis& h, const PoolAxis& w, const AxisTaps& th,
                                const AxisTaps& tw, int64_t oh, int64_t ow_begin, int64_t ow_end,
                                const float* x, float* out) {
  for (int64_t ow = ow_begin; ow < ow_end; ++ow) {
    const float* corner = x + th.first[oh] * w.in + tw.first[ow];
    float r = corner[0];
    for (int64_t i = 0; i < th.valid[oh]; ++i)
      for (int64_t j = 0; j < tw.valid[ow]; ++j) {
        const float v = corner[i * h.dilation * w.in + j * w.dilation];
        r = v > r ? v : r;
      }
    out[ow] = r;
  }
}

ONYX_AVX2_CLONES
void pool_plane(PoolKind kind, const PoolAxis& h, const PoolAxis& w, const AxisTaps& th,
                const AxisTaps& tw, const float* x, float* y, float* column, float* window,
                float* odd) {
  const bool max = kind == PoolKind::Max;
  const bool windows = w.stride > 1 && w.kernel > 1 && w.in >= (w.kernel - 1) * w.dilation + 1;
  // Outputs [lo, hi) have every tap inside the row: ow * stride - pad_begin >= 0 and
  // last = ow * stride - pad_begin + (kernel - 1) * dilation <= in - 1.
  const int64_t lo = std::min(w.out, (w.pad_begin + w.stride - 1) / w.stride);
  const int64_t last_start = w.in - 1 + w.pad_begin - (w.kernel - 1) * w.dilation;
  const int64_t hi = last_start < 0 ? lo : std::clamp(last_start / w.stride + 1, lo, w.out);
  const bool split = w.stride == 2 && w.dilation == 1 && lo < hi;
  const MaxPoolRow3s2Fn row_kernel =
      max && split && w.kernel == 3 && h.kernel <= kMaxRowKernelRows && active_isa() >= Isa::Avx2
          ? max_pool_row_3s2_avx2()
          : nullptr;
  for (int64_t oh = 0; oh < h.out; ++oh) {
    const float* first = x + th.first[oh] * w.in;
    float* out = y + oh * w.out;
    if (row_kernel) {
      const float* rows[kMaxRowKernelRows];
      for (int64_t i = 0; i < th.valid[oh]; ++i) rows[i] = first + i * h.dilation * w.in;
      const int64_t start = lo * 2 - w.pad_begin;
      if (row_kernel(rows, static_cast<int>(th.valid[oh]), start, hi - lo, w.in - start,
                     out + lo)) {
        // The outputs whose windows cross the row's ends, in the reference's order.
        max_row_in_reference_order(h, w, th, tw, oh, 0, lo, x, out);
        max_row_in_reference_order(h, w, th, tw, oh, hi, w.out, x, out);
      } else {  // a NaN
        max_row_in_reference_order(h, w, th, tw, oh, 0, w.out, x, out);
      }
      continue;
    }
    int nan = 0;  // whether a max window may hold a NaN (an int reduction vectorizes)
    for (int64_t iw = 0; iw < w.in; ++iw) {
      column[iw] = first[iw];
      nan |= first[iw] != first[iw];
    }
    for (int64_t i = 1; i < th.valid[oh]; ++i) {
      const float* row = first + i * h.dilation * w.in;
      if (max)
        for (int64_t iw = 0; iw < w.in; ++iw) {
          nan |= row[iw] != row[iw];
          column[iw] = row[iw] > column[iw] ? row[iw] : column[iw];
        }
      else
        for (int64_t iw = 0; iw < w.in; ++iw) column[iw] += row[iw];
    }
    if (max && nan) {
      max_row_in_reference_order(h, w, th, tw, oh, 0, w.out, x, out);
      continue;
    }
    if (split) {
      stride2_windows(max, w, lo, hi, column, window, odd, out);
    } else if (windows) {
      full_windows(max, w, column, window);
    }
    for (int64_t ow = 0; ow < w.out; ++ow) {
      if (split && ow == lo) {  // computed above: only the average's division is left
        if (!max) {
          const float count = static_cast<float>(
              kind == PoolKind::Average ? th.valid[oh] * w.kernel : th.with_pad[oh] * w.kernel);
          for (int64_t i = lo; i < hi; ++i) out[i] /= count;
        }
        ow = hi - 1;
        continue;
      }
      const float* c = column + tw.first[ow];
      float r = c[0];
      if (windows && !split && tw.valid[ow] == w.kernel) {
        r = window[tw.first[ow]];
      } else {
        for (int64_t j = 1; j < tw.valid[ow]; ++j) {
          const float v = c[j * w.dilation];
          r = max ? (v > r ? v : r) : r + v;
        }
      }
      if (!max) {
        const int64_t count = kind == PoolKind::Average ? th.valid[oh] * tw.valid[ow]
                                                        : th.with_pad[oh] * tw.with_pad[ow];
        r /= static_cast<float>(count);
      }
      out[ow] = r;
    }
  }
}

}  // namespace

bool pool2d(PoolKind kind, const PoolAxis& h, const PoolAxis& w, int64_t planes, const float* x,
            float* y, const Parallel& parallel) {
  const AxisTaps th = resolve(h), tw = resolve(w);
  for (int64_t v : th.valid)
    if (v == 0) return false;
  for (int64_t v : tw.valid)
    if (v == 0) return false;
  const int64_t in_plane = h.in * w.in, out_plane = h.out * w.out;
  const int64_t grain = std::max<int64_t>(1, 8192 / std::max<int64_t>(out_plane, 1));
  const int64_t tasks = (planes + grain - 1) / grain;  // chunks of `grain` planes
  parallel.for_tasks(tasks, [&](int64_t t0, int64_t t1) {
    std::vector<float> column(static_cast<size_t>(w.in)), window(column.size()), odd(column.size());
    for (int64_t p = t0 * grain; p < std::min(planes, t1 * grain); ++p)
      pool_plane(kind, h, w, th, tw, x + p * in_plane, y + p * out_plane, column.data(),
                 window.data(), odd.data());
  });
  return true;
}

}  // namespace onyx::kernels
