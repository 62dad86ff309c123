#include "kernels/pool/pool2d.h"

#include <algorithm>
#include <vector>

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

}  // namespace

bool pool2d(PoolKind kind, const PoolAxis& h, const PoolAxis& w, int64_t planes,
            const float* x, float* y, const Parallel& parallel) {
  const AxisTaps th = resolve(h), tw = resolve(w);
  for (int64_t v : th.valid)
    if (v == 0) return false;
  for (int64_t v : tw.valid)
    if (v == 0) return false;
  const int64_t in_plane = h.in * w.in, out_plane = h.out * w.out;
  const int64_t dh = h.dilation, dw = w.dilation;
  const int64_t grain = std::max<int64_t>(1, 8192 / std::max<int64_t>(out_plane, 1));
  const int64_t tasks = (planes + grain - 1) / grain;  // chunks of `grain` planes
  parallel.for_tasks(tasks, [&](int64_t t0, int64_t t1) {
    for (int64_t p = t0 * grain; p < std::min(planes, t1 * grain); ++p) {
      const float* xp = x + p * in_plane;
      float* yp = y + p * out_plane;
      for (int64_t oh = 0; oh < h.out; ++oh) {
        const int64_t ih0 = th.first[oh], nh = th.valid[oh];
        for (int64_t ow = 0; ow < w.out; ++ow) {
          const int64_t iw0 = tw.first[ow], nw = tw.valid[ow];
          const float* base = xp + ih0 * w.in + iw0;
          float result;
          if (kind == PoolKind::Max) {
            result = base[0];  // the first tap in row-major order, as the reference starts
            for (int64_t i = 0; i < nh; ++i) {
              const float* row = base + i * dh * w.in;
              for (int64_t j = 0; j < nw; ++j) {
                const float v = row[j * dw];
                if (v > result) result = v;
              }
            }
          } else {
            float sum = 0.0f;
            for (int64_t i = 0; i < nh; ++i) {
              const float* row = base + i * dh * w.in;
              for (int64_t j = 0; j < nw; ++j) sum += row[j * dw];
            }
            const int64_t count = kind == PoolKind::Average ? nh * nw
                                                            : th.with_pad[oh] * tw.with_pad[ow];
            result = sum / static_cast<float>(count);
          }
          yp[oh * w.out + ow] = result;
        }
      }
    }
  });
  return true;
}

}  // namespace onyx::kernels
