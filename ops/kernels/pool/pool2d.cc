#include "kernels/pool/pool2d.h"

#include <algorithm>
#include <vector>

#include "kernels/cpu.h"

namespace onyx::kernels {

namespace {

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
// the same value as the row-major scan of the reference (NaN included).
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

ONYX_AVX2_CLONES
void pool_plane(PoolKind kind, const PoolAxis& h, const PoolAxis& w, const AxisTaps& th,
                const AxisTaps& tw, const float* x, float* y, float* column, float* window) {
  const bool max = kind == PoolKind::Max;
  const bool windows = w.stride > 1 && w.kernel > 1 && w.in >= (w.kernel - 1) * w.dilation + 1;
  for (int64_t oh = 0; oh < h.out; ++oh) {
    const float* first = x + th.first[oh] * w.in;
    for (int64_t iw = 0; iw < w.in; ++iw) column[iw] = first[iw];
    for (int64_t i = 1; i < th.valid[oh]; ++i) {
      const float* row = first + i * h.dilation * w.in;
      if (max)
        for (int64_t iw = 0; iw < w.in; ++iw)
          column[iw] = row[iw] > column[iw] ? row[iw] : column[iw];
      else
        for (int64_t iw = 0; iw < w.in; ++iw) column[iw] += row[iw];
    }
    float* out = y + oh * w.out;
    if (windows) full_windows(max, w, column, window);
    for (int64_t ow = 0; ow < w.out; ++ow) {
      const float* c = column + tw.first[ow];
      float r = c[0];
      if (windows && tw.valid[ow] == w.kernel) {
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
    std::vector<float> column(static_cast<size_t>(w.in)), window(column.size());
    for (int64_t p = t0 * grain; p < std::min(planes, t1 * grain); ++p)
      pool_plane(kind, h, w, th, tw, x + p * in_plane, y + p * out_plane, column.data(),
                 window.data());
  });
  return true;
}

}  // namespace onyx::kernels
