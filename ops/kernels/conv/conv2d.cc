#include "kernels/conv/conv2d.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "kernels/conv/depthwise_3x3.h"
#include "kernels/cpu.h"
#include "kernels/layout/permute.h"

namespace onyx::kernels {

// ---- padded planes ----

namespace {

// A channel copied with its zero padding around it: every tap of every output lies
// inside, so the loops that read it need no bounds checks.
struct PaddedPlane {
  int64_t Hp = 0, Wp = 0;
  explicit PaddedPlane(const Conv2dShape& s)
      : Hp(std::max(s.H + s.pad_top, (s.OH - 1) * s.SH + (s.KH - 1) * s.DH + 1)),
        Wp(std::max(s.W + s.pad_left, (s.OW - 1) * s.SW + (s.KW - 1) * s.DW + 1)) {}
  // Slack past the last row: vector walks read a little beyond it.
  int64_t size() const { return Hp * Wp + Wp + 8; }
};

// Where padded column pc lies in a row of Wp columns stored split by parity (for stride
// 2): the (Wp + 1) / 2 even columns first, then the odd ones. Output column ow's taps
// 2 ow + d then lie at split_column(d) + ow: contiguous in ow.
int64_t split_column(int64_t pc, int64_t Wp) { return (pc & 1 ? (Wp + 1) / 2 : 0) + pc / 2; }

// Writes n values, which belong at columns first_col.. of a row of Wp columns, to that row
// stored split by parity. The values go in pairs (even, odd), a loop the compiler turns
// into vector loads and shuffles.
ONYX_AVX2_CLONES
void copy_row_split(const float* src, int64_t n, int64_t first_col, int64_t Wp, float* row) {
  if (n > 0 && (first_col & 1)) {
    row[split_column(first_col, Wp)] = src[0];
    ++src;
    --n;
    ++first_col;
  }
  float* even = row + split_column(first_col, Wp);
  float* odd = row + split_column(first_col + 1, Wp);
  const int64_t pairs = n / 2;
  for (int64_t i = 0; i < pairs; ++i) {
    even[i] = src[2 * i];
    odd[i] = src[2 * i + 1];
  }
  if (n & 1) even[pairs] = src[2 * pairs];
}

}  // namespace

// ---- implicit im2col ----

ImplicitIm2col::ImplicitIm2col(const Conv2dShape& s, const float* x_group,
                               std::vector<float>& storage, const Parallel& parallel)
    : s_(s) {
  const PaddedPlane geometry(s);
  const int64_t Hp = geometry.Hp, Wp = geometry.Wp;
  const int64_t Cg = s.in_per_group();
  const bool split = s.SW == 2;
  row_step_ = s.SH * Wp;
  col_step_ = s.SW > 2 ? s.SW : 1;
  if (!split && Hp == s.H && Wp == s.W) {
    image_ = x_group;  // no padding to add: read the input itself
  } else {
    storage.resize(std::max(storage.size(), static_cast<size_t>(Cg * Hp * Wp)));
    float* image = storage.data();
    const int64_t rows = Cg * Hp;  // over all channels; chunks of ~16K values per task
    const int64_t rows_per_task = std::max<int64_t>(1, 16384 / Wp);
    parallel.for_tasks((rows + rows_per_task - 1) / rows_per_task, [&](int64_t t0, int64_t t1) {
      for (int64_t r = t0 * rows_per_task; r < std::min(rows, t1 * rows_per_task); ++r) {
        float* row = image + r * Wp;
        const int64_t c = r / Hp, ih = r % Hp - s.pad_top;
        const float* in = x_group + (c * s.H + ih) * s.W;
        if (ih < 0 || ih >= s.H) {
          std::fill(row, row + Wp, 0.0f);
        } else if (split) {
          std::fill(row, row + Wp, 0.0f);
          copy_row_split(in, s.W, s.pad_left, Wp, row);
        } else {
          std::fill(row, row + s.pad_left, 0.0f);
          std::memcpy(row + s.pad_left, in, static_cast<size_t>(s.W) * sizeof(float));
          std::fill(row + s.pad_left + s.W, row + Wp, 0.0f);
        }
      }
    });
    image_ = image;
  }
  // Where K row (c, kh, kw) finds its tap of output position (0, 0).
  tap_offset_.resize(static_cast<size_t>(s.gemm_depth()));
  for (int64_t c = 0, k = 0; c < Cg; ++c)
    for (int64_t kh = 0; kh < s.KH; ++kh)
      for (int64_t kw = 0; kw < s.KW; ++kw, ++k) {
        const int64_t col = kw * s.DW;  // padded column of output column 0's tap
        const int64_t in_row = split ? split_column(col, Wp) : col;
        tap_offset_[static_cast<size_t>(k)] = c * Hp * Wp + kh * s.DH * Wp + in_row;
      }
}

// Packs K rows [k0, k0 + kc) for `width` output positions from x0 into dst[k * P + j].
// P is the panel width, a constant for the common microkernels, so that the copy of a
// panel that lies in one output row compiles to a few vector moves per K row.
template <int P>
void ImplicitIm2col::pack_panel(int64_t k0, int64_t kc, int64_t x0, int64_t width, int panel_arg,
                                float* dst) const {
  const int64_t panel = P > 0 ? P : panel_arg;
  if (width > 64) throw std::invalid_argument("im2col panel wider than 64");
  // The panel's positions in runs that share an output row: per K row, each run reads
  // image values col_step_ apart from `start` on.
  struct Run {
    int64_t j0, len, start;
  } runs[64];
  int n_runs = 0;
  for (int64_t j = 0; j < width;) {
    const int64_t p = x0 + j, oh = p / s_.OW, ow = p % s_.OW;
    const int64_t len = std::min(width - j, s_.OW - ow);
    runs[n_runs++] = {j, len, oh * row_step_ + ow * col_step_};
    j += len;
  }
  const int64_t* offset = tap_offset_.data() + k0;
  if (P > 0 && n_runs == 1 && width == P && col_step_ == 1) {  // the common case
    const float* src = image_ + runs[0].start;
    for (int64_t k = 0; k < kc; ++k) std::memcpy(dst + k * P, src + offset[k], P * sizeof(float));
    return;
  }
  for (int64_t k = 0; k < kc; ++k) {
    const float* src = image_ + offset[k];
    float* out = dst + k * panel;
    for (int i = 0; i < n_runs; ++i) {
      const Run& r = runs[i];
      if (col_step_ == 1)
        std::memcpy(out + r.j0, src + r.start, static_cast<size_t>(r.len) * sizeof(float));
      else
        for (int64_t j = 0; j < r.len; ++j) out[r.j0 + j] = src[r.start + j * col_step_];
    }
    std::fill(out + width, out + panel, 0.0f);
  }
}

void ImplicitIm2col::pack(int64_t k0, int64_t kc, int64_t x0, int64_t width, int panel,
                          float* dst) const {
  switch (panel) {
    case 8:
      return pack_panel<8>(k0, kc, x0, width, panel, dst);
    case 16:
      return pack_panel<16>(k0, kc, x0, width, panel, dst);
    case 32:
      return pack_panel<32>(k0, kc, x0, width, panel, dst);
    default:
      return pack_panel<0>(k0, kc, x0, width, panel, dst);
  }
}

// ---- by GEMM ----

bool transposed_product_pays(int64_t M, int64_t N, const MicroKernel& uk) {
  // On larger planes the transposed operand's packing (short strided runs) and the
  // transposition cost more than the tiles gain: 32 -> 16 channels on 112x112 ran 3x
  // slower transposed.
  constexpr int64_t kMaxTransposedPositions = 256;
  if (N > kMaxTransposedPositions) return false;
  auto used = [](int64_t rows, int64_t cols, int64_t mr, int64_t nr) {
    const int64_t tiled = ((rows + mr - 1) / mr * mr) * ((cols + nr - 1) / nr * nr);
    return tiled == 0 ? 1.0 : static_cast<double>(rows * cols) / static_cast<double>(tiled);
  };
  return used(N, M, uk.mr, uk.nr) > 1.1 * used(M, N, uk.mr, uk.nr);
}

PackedConvWeights::PackedConvWeights(const Conv2dShape& s, const float* w, const MicroKernel& uk)
    : uk_(&uk) {
  const int64_t Mg = s.out_per_group(), depth = s.gemm_depth();
  transposed_ = s.is_pointwise() && transposed_product_pays(Mg, s.OH * s.OW, uk);
  for (int64_t g = 0; g < s.group; ++g) {
    // W_g is row-major Mg x depth: output channel m's taps are contiguous. They are the
    // rows of A, or the columns of B (W^T) in the transposed product.
    const StridedSource lines(w + g * Mg * depth, depth, 1);
    groups_.emplace_back(lines, Mg, depth, transposed_ ? uk.nr : uk.mr);
  }
}

void conv2d_gemm(const Conv2dShape& s, const PackedConvWeights& w, const float* x, float* y,
                 const ConvEpilogue& epilogue, const Parallel& parallel) {
  const int64_t Cg = s.in_per_group(), Mg = s.out_per_group();
  const int64_t positions = s.OH * s.OW;
  auto run_group = [&](int64_t g, const Parallel& par) {
    const float* xg = x + g * Cg * s.H * s.W;
    GemmEpilogue ep;
    ep.bias = epilogue.bias ? epilogue.bias + g * Mg : nullptr;
    ep.bias_per_row = true;
    if (epilogue.residual) {
      ep.addend = epilogue.residual + g * Mg * positions;
      ep.addend_rs = positions;
      ep.addend_cs = 1;
    }
    ep.activation = epilogue.activation;
    float* yg = y + g * Mg * positions;
    if (w.transposed()) {
      // Y_g^T (positions x Mg) = X_g^T W_g^T into scratch, the epilogue transposed with
      // it, then Y_g = its transpose.
      thread_local std::vector<float> product;
      product.resize(static_cast<size_t>(positions * Mg));
      ep.bias_per_row = false;
      std::swap(ep.addend_rs, ep.addend_cs);
      gemm(w.microkernel(), positions, Mg, Cg, StridedSource(xg, 1, positions), w.group(g),
           product.data(), Mg, ep, par);
      permute(product.data(), yg, sizeof(float), {positions, Mg}, {1, 0}, par);
    } else if (s.is_pointwise()) {
      gemm(w.microkernel(), Mg, positions, Cg, w.group(g), StridedSource(xg, 1, positions), yg,
           positions, ep, par);
    } else {
      thread_local std::vector<float> padded;  // the group's image with its padding
      gemm(w.microkernel(), Mg, positions, s.gemm_depth(), w.group(g),
           ImplicitIm2col(s, xg, padded, par), yg, positions, ep, par);
      // Kept for the next layer, unless it is large enough to matter to the process.
      constexpr size_t kKeptPaddedFloats = size_t{4} << 20;  // 16 MiB
      if (padded.capacity() > kKeptPaddedFloats) std::vector<float>().swap(padded);
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

namespace {

// y = b + the 3x3 taps over a padded plane p of width Wp. With stride 1 the plane is
// walked as one flat run of OH x Wp outputs (the Wp - OW past each row dropped while
// copying out), so that even a 7x7 plane fills whole vectors.
ONYX_AVX2_CLONES
void depthwise_3x3_padded(const Conv2dShape& s, int64_t Wp, const float* p, const float* wc,
                          float b, float* y, float* flat) {
  const int64_t r1 = s.DH * Wp, r2 = 2 * s.DH * Wp, c1 = s.DW, c2 = 2 * s.DW;
  if (s.SH == 1 && s.SW == 1) {
    const int64_t n = s.OH * Wp;
    for (int64_t v = 0; v < n; ++v)
      flat[v] = b + wc[0] * p[v] + wc[1] * p[v + c1] + wc[2] * p[v + c2] + wc[3] * p[v + r1] +
                wc[4] * p[v + r1 + c1] + wc[5] * p[v + r1 + c2] + wc[6] * p[v + r2] +
                wc[7] * p[v + r2 + c1] + wc[8] * p[v + r2 + c2];
    for (int64_t oh = 0; oh < s.OH; ++oh)
      std::memcpy(y + oh * s.OW, flat + oh * Wp, static_cast<size_t>(s.OW) * sizeof(float));
    return;
  }
  for (int64_t oh = 0; oh < s.OH; ++oh) {
    const float* row = p + oh * s.SH * Wp;
    float* out = y + oh * s.OW;
    for (int64_t ow = 0; ow < s.OW; ++ow) {
      const float* q = row + ow * s.SW;
      out[ow] = b + wc[0] * q[0] + wc[1] * q[c1] + wc[2] * q[c2] + wc[3] * q[r1] +
                wc[4] * q[r1 + c1] + wc[5] * q[r1 + c2] + wc[6] * q[r2] + wc[7] * q[r2 + c1] +
                wc[8] * q[r2 + c2];
    }
  }
}

// Stride 2, dilation 1 in width: the padded rows are stored split, even columns first
// (E, (Wp + 1) / 2 of them) then odd ones (O), so that the three taps of output column
// ow, padded columns 2 ow, 2 ow + 1 and 2 ow + 2, are E[ow], O[ow] and E[ow + 1]: every
// tap is a contiguous vector read.
ONYX_AVX2_CLONES
void depthwise_3x3_split(const Conv2dShape& s, int64_t Wp, const float* p, const float* wc, float b,
                         float* y) {
  const int64_t odd = (Wp + 1) / 2;
  for (int64_t oh = 0; oh < s.OH; ++oh) {
    const float* r0 = p + oh * s.SH * Wp;
    const float* r1 = r0 + s.DH * Wp;
    const float* r2 = r0 + 2 * s.DH * Wp;
    float* out = y + oh * s.OW;
    for (int64_t ow = 0; ow < s.OW; ++ow)
      out[ow] = b + wc[0] * r0[ow] + wc[1] * r0[odd + ow] + wc[2] * r0[ow + 1] + wc[3] * r1[ow] +
                wc[4] * r1[odd + ow] + wc[5] * r1[ow + 1] + wc[6] * r2[ow] + wc[7] * r2[odd + ow] +
                wc[8] * r2[ow + 1];
  }
}

// Any kernel size: y = b + sum over taps of w * x, row by row, each tap a vector loop
// over the output columns whose taps fall inside the input.
ONYX_AVX2_CLONES
void depthwise_channel(const Conv2dShape& s, const float* xc, const float* wc, float b, float* yc) {
  for (int64_t oh = 0; oh < s.OH; ++oh) {
    float* out = yc + oh * s.OW;
    for (int64_t i = 0; i < s.OW; ++i) out[i] = b;
    for (int64_t kh = 0; kh < s.KH; ++kh) {
      const int64_t ih = oh * s.SH - s.pad_top + kh * s.DH;
      if (ih < 0 || ih >= s.H) continue;
      const float* row = xc + ih * s.W;
      for (int64_t kw = 0; kw < s.KW; ++kw) {
        const float wv = wc[kh * s.KW + kw];
        // Output columns ow in [lo, hi) read iw = ow * SW + off inside [0, W).
        const int64_t off = kw * s.DW - s.pad_left;
        const int64_t lo = off >= 0 ? 0 : (-off + s.SW - 1) / s.SW;
        const int64_t hi = s.W - off <= 0 ? 0 : std::min(s.OW, (s.W - off + s.SW - 1) / s.SW);
        if (lo >= hi) continue;
        const float* in = row + lo * s.SW + off;  // the read of ow = lo
        float* o = out + lo;
        const int64_t n = hi - lo;
        if (s.SW == 1) {
          for (int64_t i = 0; i < n; ++i) o[i] += wv * in[i];
        } else {
          for (int64_t i = 0; i < n; ++i) o[i] += wv * in[i * s.SW];
        }
      }
    }
  }
}

// One channel by the portable kernels: copy into the zero-bordered plane, then the 3x3
// loops over it (or, for other kernel sizes, the bounds-checked loop over x itself).
void depthwise_channel_portable(const Conv2dShape& s, const PaddedPlane& geometry, bool split,
                                const float* xc, const float* wc, float b, float* padded,
                                float* flat, float* yc) {
  const bool three = s.KH == 3 && s.KW == 3;
  for (int64_t ih = 0; three && ih < s.H; ++ih) {
    float* row = padded + (ih + s.pad_top) * geometry.Wp;
    if (split)
      copy_row_split(xc + ih * s.W, s.W, s.pad_left, geometry.Wp, row);
    else
      std::memcpy(row + s.pad_left, xc + ih * s.W, static_cast<size_t>(s.W) * sizeof(float));
  }
  if (split)
    depthwise_3x3_split(s, geometry.Wp, padded, wc, b, yc);
  else if (three)
    depthwise_3x3_padded(s, geometry.Wp, padded, wc, b, yc, flat);
  else
    depthwise_channel(s, xc, wc, b, yc);
}

}  // namespace

void conv2d_depthwise(const Conv2dShape& s, const float* w, const float* x, float* y,
                      const ConvEpilogue& ep, const Parallel& parallel) {
  const int64_t plane_in = s.H * s.W, plane_out = s.OH * s.OW;
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(plane_out, 1));
  const int64_t tasks = (s.C + grain - 1) / grain;  // chunks of `grain` channels
  const bool three = s.KH == 3 && s.KW == 3;
  const bool split = three && s.SW == 2 && s.DW == 1;
  const PaddedPlane geometry(s);
  // The vector kernel reads output columns' taps contiguously: stride 1, or 2 over split
  // rows. It applies bias and a clamp itself; a residual or another activation follows.
  const Depthwise3x3Fn vector_kernel =
      three && (s.SW == 1 || split) && active_isa() >= Isa::Avx2 ? depthwise_3x3_avx2() : nullptr;
  float lo, hi;
  const bool clamp_in_kernel = vector_kernel && !ep.residual && as_clamp(ep.activation, lo, hi);
  if (!clamp_in_kernel) as_clamp({}, lo, hi);
  Depthwise3x3Plane plane;
  plane.H = s.H;
  plane.W = s.W;
  plane.pad_top = s.pad_top;
  plane.Wp = geometry.Wp;
  plane.split = split;
  // Input columns 0 and 1 are padded columns pad_left and pad_left + 1.
  plane.col0 = split ? split_column(s.pad_left, geometry.Wp) : s.pad_left;
  plane.col1 = split ? split_column(s.pad_left + 1, geometry.Wp) : s.pad_left + 1;
  plane.row_step = s.SH * geometry.Wp;
  plane.OH = s.OH;
  plane.OW = s.OW;
  for (int64_t kh = 0; kh < 3; ++kh)
    for (int64_t kw = 0; kw < 3; ++kw) {
      const int64_t col = split ? split_column(kw, geometry.Wp) : kw * s.DW;
      plane.tap[kh * 3 + kw] = kh * s.DH * geometry.Wp + col;
    }
  parallel.for_tasks(tasks, [&](int64_t t0, int64_t t1) {
    // Borders stay zero from channel to channel: only the interior is copied in.
    std::vector<float> padded, flat;
    if (three) {
      padded.assign(static_cast<size_t>(geometry.size()), 0.0f);
      if (!vector_kernel) flat.resize(static_cast<size_t>(s.OH * geometry.Wp));
    }
    for (int64_t c = t0 * grain; c < std::min(s.C, t1 * grain); ++c) {
      const float* xc = x + c * plane_in;
      const float* wc = w + c * s.KH * s.KW;
      const float b = ep.bias ? ep.bias[c] : 0.0f;
      float* yc = y + c * plane_out;
      if (vector_kernel)
        vector_kernel(plane, xc, padded.data(), wc, b, lo, hi, yc);
      else
        depthwise_channel_portable(s, geometry, split, xc, wc, b, padded.data(), flat.data(), yc);
      if (!clamp_in_kernel)
        add_and_activate(ep.activation, ep.residual ? ep.residual + c * plane_out : nullptr, yc,
                         plane_out);
    }
  });
}

}  // namespace onyx::kernels
