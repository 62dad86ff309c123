#include "kernels/conv/conv2d.h"

#include <algorithm>
#include <cstring>

namespace onyx::kernels {

// ---- implicit im2col ----

void ImplicitIm2col::pack(int64_t k0, int64_t kc, int64_t x0, int64_t width, int panel,
                          float* dst) const {
  const Conv2dShape& s = s_;
  const int64_t taps = s.KH * s.KW;
  // Where each output position of the panel starts reading (before the tap offsets).
  int64_t ih_base[64], iw_base[64];
  const int64_t oh0 = x0 / s.OW, ow0 = x0 % s.OW;
  const bool one_row = ow0 + width <= s.OW;
  for (int64_t j = 0; j < width; ++j) {
    const int64_t n = x0 + j;
    ih_base[j] = (n / s.OW) * s.SH - s.pad_top;
    iw_base[j] = (n % s.OW) * s.SW - s.pad_left;
  }
  int64_t c = k0 / taps, kh = (k0 % taps) / s.KW, kw = k0 % s.KW;
  for (int64_t k = 0; k < kc; ++k) {
    float* out = dst + k * panel;
    const float* plane = x_ + c * s.H * s.W;
    const int64_t dh = kh * s.DH, dw = kw * s.DW;
    if (one_row) {
      // The whole panel reads one input row: zeros, or (stride 1, in bounds) one copy.
      const int64_t ih = oh0 * s.SH - s.pad_top + dh;
      const int64_t iw0 = ow0 * s.SW - s.pad_left + dw;
      if (ih < 0 || ih >= s.H) {
        std::fill(out, out + panel, 0.0f);
      } else if (s.SW == 1 && iw0 >= 0 && iw0 + width <= s.W) {
        std::memcpy(out, plane + ih * s.W + iw0, static_cast<size_t>(width) * sizeof(float));
        std::fill(out + width, out + panel, 0.0f);
      } else {
        const float* row = plane + ih * s.W;
        for (int64_t j = 0; j < width; ++j) {
          const int64_t iw = iw0 + j * s.SW;
          out[j] = iw >= 0 && iw < s.W ? row[iw] : 0.0f;
        }
        std::fill(out + width, out + panel, 0.0f);
      }
    } else {
      for (int64_t j = 0; j < width; ++j) {
        const int64_t ih = ih_base[j] + dh, iw = iw_base[j] + dw;
        out[j] = ih >= 0 && ih < s.H && iw >= 0 && iw < s.W ? plane[ih * s.W + iw] : 0.0f;
      }
      std::fill(out + width, out + panel, 0.0f);
    }
    if (++kw == s.KW) {  // next tap
      kw = 0;
      if (++kh == s.KH) {
        kh = 0;
        ++c;
      }
    }
  }
}

// ---- by GEMM ----

PackedConvWeights::PackedConvWeights(const Conv2dShape& s, const float* w,
                                     const MicroKernel& uk)
    : uk_(&uk) {
  const int64_t Mg = s.out_per_group(), depth = s.gemm_depth();
  for (int64_t g = 0; g < s.group; ++g) {
    // W_g is row-major Mg x depth: output channel m's taps are contiguous.
    const StridedSource a(w + g * Mg * depth, depth, 1);
    groups_.emplace_back(a, Mg, depth, uk.mr);
  }
}

void conv2d_gemm(const Conv2dShape& s, const PackedConvWeights& w, const float* x,
                 const float* bias, float* y, const ActivationParams& act,
                 const Parallel& parallel) {
  const int64_t Cg = s.in_per_group(), Mg = s.out_per_group();
  const int64_t positions = s.OH * s.OW;
  auto run_group = [&](int64_t g, const Parallel& par) {
    const float* xg = x + g * Cg * s.H * s.W;
    GemmEpilogue ep;
    ep.bias = bias ? bias + g * Mg : nullptr;
    ep.bias_per_row = true;
    ep.activation = act;
    float* yg = y + g * Mg * positions;
    if (s.is_pointwise()) {
      gemm(w.microkernel(), Mg, positions, Cg, w.group(g), StridedSource(xg, 1, positions), yg,
           positions, ep, par);
    } else {
      gemm(w.microkernel(), Mg, positions, s.gemm_depth(), w.group(g), ImplicitIm2col(s, xg), yg,
           positions, ep, par);
    }
  };
  if (s.group >= parallel.threads && s.group > 1) {
    // Many groups: each thread takes whole groups.
    parallel.for_tasks(s.group, [&](int64_t g0, int64_t g1) {
      for (int64_t g = g0; g < g1; ++g) run_group(g, serial());
    });
  } else {
    for (int64_t g = 0; g < s.group; ++g) run_group(g, parallel);
  }
}

// ---- depthwise ----

void conv2d_depthwise(const Conv2dShape& s, const float* w, const float* x, const float* bias,
                      float* y, const ActivationParams& act, const Parallel& parallel) {
  const int64_t plane_in = s.H * s.W, plane_out = s.OH * s.OW;
  // The output columns whose every tap column lies inside the input, per kernel column:
  // ow in [lo, hi) reads iw = ow * SW - pad_left + kw * DW in [0, W).
  auto ow_range = [&](int64_t kw, int64_t& lo, int64_t& hi) {
    const int64_t off = kw * s.DW - s.pad_left;
    lo = off >= 0 ? 0 : (-off + s.SW - 1) / s.SW;
    hi = s.W - off <= 0 ? 0 : std::min(s.OW, (s.W - off + s.SW - 1) / s.SW);
    lo = std::min(lo, hi);
  };
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(plane_out, 1));
  const int64_t tasks = parallel.threads > 1 ? (s.C + grain - 1) / grain : 1;
  parallel.for_tasks(tasks, [&](int64_t t0, int64_t t1) {
    for (int64_t c = t0 * grain; c < std::min(s.C, t1 * grain); ++c) {
      const float* xc = x + c * plane_in;
      const float* wc = w + c * s.KH * s.KW;
      float* yc = y + c * plane_out;
      const float b = bias ? bias[c] : 0.0f;
      for (int64_t oh = 0; oh < s.OH; ++oh) {
        float* out = yc + oh * s.OW;
        std::fill(out, out + s.OW, b);
        for (int64_t kh = 0; kh < s.KH; ++kh) {
          const int64_t ih = oh * s.SH - s.pad_top + kh * s.DH;
          if (ih < 0 || ih >= s.H) continue;
          const float* row = xc + ih * s.W;
          for (int64_t kw = 0; kw < s.KW; ++kw) {
            const float wv = wc[kh * s.KW + kw];
            int64_t lo, hi;
            ow_range(kw, lo, hi);
            if (lo >= hi) continue;
            const float* in = row + lo * s.SW + kw * s.DW - s.pad_left;  // reads of ow = lo
            float* o = out + lo;
            const int64_t n = hi - lo;
            if (s.SW == 1) {
              for (int64_t i = 0; i < n; ++i) o[i] += wv * in[i];
            } else {
              for (int64_t i = 0; i < n; ++i) o[i] += wv * in[i * s.SW];
            }
          }
        }
        activate_inplace(act, out, s.OW);
      }
    }
  });
}

}  // namespace onyx::kernels
