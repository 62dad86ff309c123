#include "kernels/conv/conv2d.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace onyx::kernels {

// ---- implicit im2col ----

namespace {

// One K row (channel plane, tap offsets dh and dw) of a panel into out[0, panel).
template <int P>
void pack_im2col_row(const Conv2dShape& s, const float* plane, int64_t dh, int64_t dw,
                     bool one_row, int64_t oh0, int64_t ow0, int64_t width, int64_t panel,
                     const int64_t* ih_base, const int64_t* iw_base, float* out) {
  if (!one_row) {
    for (int64_t j = 0; j < width; ++j) {
      const int64_t ih = ih_base[j] + dh, iw = iw_base[j] + dw;
      out[j] = ih >= 0 && ih < s.H && iw >= 0 && iw < s.W ? plane[ih * s.W + iw] : 0.0f;
    }
    for (int64_t j = width; j < panel; ++j) out[j] = 0.0f;
    return;
  }
  const int64_t ih = oh0 * s.SH - s.pad_top + dh;
  if (ih < 0 || ih >= s.H) {
    for (int64_t j = 0; j < panel; ++j) out[j] = 0.0f;
    return;
  }
  const float* row = plane + ih * s.W;
  const int64_t iw0 = ow0 * s.SW - s.pad_left + dw;
  if (P > 0 && width == P && iw0 >= 0 && iw0 + (P - 1) * s.SW < s.W) {
    // The common case: a full panel, every tap inside the row.
    if (s.SW == 1)
      for (int j = 0; j < P; ++j) out[j] = row[iw0 + j];
    else
      for (int j = 0; j < P; ++j) out[j] = row[iw0 + j * s.SW];
    return;
  }
  for (int64_t j = 0; j < width; ++j) {
    const int64_t iw = iw0 + j * s.SW;
    out[j] = iw >= 0 && iw < s.W ? row[iw] : 0.0f;
  }
  for (int64_t j = width; j < panel; ++j) out[j] = 0.0f;
}

// Packs K rows [k0, k0 + kc) of the im2col matrix for `width` output positions from
// x0 into dst[k * P + j]. P is the panel width, a constant for the common microkernels
// so that the copies below compile to a few vector moves.
template <int P>
void pack_im2col(const Conv2dShape& s, const float* x, int64_t k0, int64_t kc, int64_t x0,
                 int64_t width, int panel_arg, float* dst) {
  const int64_t panel = P > 0 ? P : panel_arg;
  const int64_t oh0 = x0 / s.OW, ow0 = x0 % s.OW;
  // A panel within one output row reads one input row per K row.
  const bool one_row = ow0 + width <= s.OW;
  int64_t ih_base[64], iw_base[64];  // per position, for panels that span rows
  if (width > 64) throw std::invalid_argument("im2col panel wider than 64");
  if (!one_row)
    for (int64_t j = 0; j < width; ++j) {
      ih_base[j] = ((x0 + j) / s.OW) * s.SH - s.pad_top;
      iw_base[j] = ((x0 + j) % s.OW) * s.SW - s.pad_left;
    }
  const int64_t taps = s.KH * s.KW;
  int64_t c = k0 / taps, kh = (k0 % taps) / s.KW, kw = k0 % s.KW;
  for (int64_t k = 0; k < kc; ++k) {
    pack_im2col_row<P>(s, x + c * s.H * s.W, kh * s.DH, kw * s.DW, one_row, oh0, ow0, width,
                       panel, ih_base, iw_base, dst + k * panel);
    if (++kw == s.KW) {  // next tap
      kw = 0;
      if (++kh == s.KH) {
        kh = 0;
        ++c;
      }
    }
  }
}

}  // namespace

void ImplicitIm2col::pack(int64_t k0, int64_t kc, int64_t x0, int64_t width, int panel,
                          float* dst) const {
  switch (panel) {
    case 8:
      return pack_im2col<8>(s_, x_, k0, kc, x0, width, panel, dst);
    case 16:
      return pack_im2col<16>(s_, x_, k0, kc, x0, width, panel, dst);
    case 32:
      return pack_im2col<32>(s_, x_, k0, kc, x0, width, panel, dst);
    default:
      return pack_im2col<0>(s_, x_, k0, kc, x0, width, panel, dst);
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
  const int64_t tasks = (s.C + grain - 1) / grain;  // chunks of `grain` channels
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
