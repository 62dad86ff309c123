// The GEMM driver: blocking, packing, the parallel split and the epilogue. Only the
// microkernel is written per ISA; everything here is shared.
#include "kernels/gemm/gemm.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace onyx::kernels {

namespace {

constexpr int64_t kGemmNC = 2048;       // columns of B per block (a KC x NC block in L2/L3)
constexpr int64_t kGemmMCTarget = 144;  // rows of A per block (an MC x KC block in L2)
// Below this many multiply-adds a GEMM stays on the calling thread.
constexpr int64_t kMinParallelMacs = int64_t{1} << 20;

}  // namespace

const MicroKernel& default_microkernel() {
  static const MicroKernel* chosen = [] {
    switch (active_isa()) {
      case Isa::Avx512:
        if (const MicroKernel* k = avx512_microkernel()) return k;
        [[fallthrough]];
      case Isa::Avx2:
        if (const MicroKernel* k = avx2_microkernel()) return k;
        [[fallthrough]];
      default:
        return generic_microkernel();
    }
  }();
  return *chosen;
}

std::vector<const MicroKernel*> runnable_microkernels() {
  std::vector<const MicroKernel*> list = {generic_microkernel(), generic_microkernel_6x16(),
                                          generic_microkernel_14x32()};
  if (isa_supported(Isa::Avx2) && avx2_microkernel()) list.push_back(avx2_microkernel());
  if (isa_supported(Isa::Avx512) && avx512_microkernel()) list.push_back(avx512_microkernel());
  return list;
}

// ---- sources ----

namespace {

// Copies kc rows of P contiguous floats (row stride `stride`) into P-wide panel rows.
// Each row is a stream of its own that the next panels continue, more streams than the
// hardware prefetcher follows: fetch a few panels ahead by hand.
template <int P>
void copy_rows(const float* src, int64_t stride, int64_t kc, float* dst) {
  constexpr int64_t kAhead = 128;  // floats: 512 bytes
  for (int64_t k = 0; k < kc; ++k) {
    __builtin_prefetch(src + k * stride + kAhead);
    std::memcpy(dst + k * P, src + k * stride, P * sizeof(float));
  }
}

}  // namespace

void StridedSource::pack(int64_t k0, int64_t kc, int64_t x0, int64_t width, int panel,
                         float* dst) const {
  const float* base = data_ + x0 * line_stride_ + k0 * k_stride_;
  if (line_stride_ == 1 && width == panel) {  // full panels of contiguous rows
    switch (panel) {
      case 8:
        return copy_rows<8>(base, k_stride_, kc, dst);
      case 16:
        return copy_rows<16>(base, k_stride_, kc, dst);
      case 32:
        return copy_rows<32>(base, k_stride_, kc, dst);
      default:
        break;
    }
  }
  if (line_stride_ == 1) {  // the lines of one K step are contiguous: copy rows
    for (int64_t k = 0; k < kc; ++k) {
      const float* src = base + k * k_stride_;
      float* out = dst + k * panel;
      std::memcpy(out, src, static_cast<size_t>(width) * sizeof(float));
      std::fill(out + width, out + panel, 0.0f);
    }
    return;
  }
  for (int64_t i = 0; i < width; ++i) {
    const float* src = base + i * line_stride_;
    for (int64_t k = 0; k < kc; ++k) dst[k * panel + i] = src[k * k_stride_];
  }
  for (int64_t i = width; i < panel; ++i)
    for (int64_t k = 0; k < kc; ++k) dst[k * panel + i] = 0.0f;
}

// Layout: K blocks of gemm_k_block(depth) steps one after another; inside a block, the panels in
// line order, each kc x panel. So the panel for (k0, x0) starts at
// k0 * padded + (x0 / panel) * panel * kc.
void PackedPanels::size_for(int64_t lines, int64_t depth, int panel) {
  lines_ = lines;
  depth_ = depth;
  panel_ = panel;
  padded_ = (lines + panel - 1) / panel * panel;
  block_ = gemm_k_block(depth);
  data_.resize(static_cast<size_t>(std::max<int64_t>(padded_ * depth, 1)));
}

PackedPanels::PackedPanels(int64_t lines, int64_t depth, int panel) {
  size_for(lines, depth, panel);
}

PackedPanels::PackedPanels(const PanelSource& source, int64_t lines, int64_t depth, int panel) {
  size_for(lines, depth, panel);
  // Not zeroed: each panel's pack() writes all of it, padding columns included.
  for (int64_t k0 = 0; k0 < depth; k0 += block_) {
    const int64_t kc = std::min(block_, depth - k0);
    for (int64_t x0 = 0; x0 < lines; x0 += panel)
      source.pack(k0, kc, x0, std::min<int64_t>(panel, lines - x0), panel,
                  data_.data() + k0 * padded_ + x0 * kc);
  }
}

void PackedPanels::set_panel(int64_t x0, const float* rows, int64_t row_stride) {
  const int64_t width = std::min<int64_t>(panel_, lines_ - x0);
  for (int64_t k0 = 0; k0 < depth_; k0 += block_) {
    const int64_t kc = std::min(block_, depth_ - k0);
    float* p = data_.data() + k0 * padded_ + x0 * kc;
    for (int64_t k = 0; k < kc; ++k, p += panel_) {
      for (int64_t i = 0; i < width; ++i) p[i] = rows[i * row_stride + k0 + k];
      for (int64_t i = width; i < panel_; ++i) p[i] = 0.0f;
    }
  }
}

const float* PackedPanels::packed(int64_t k0, int64_t x0, int panel) const {
  if (panel != panel_) return nullptr;
  const int64_t kc = std::min(block_, depth_ - k0);
  return data_.data() + k0 * padded_ + x0 * kc;
}

void PackedPanels::pack(int64_t k0, int64_t kc, int64_t x0, int64_t width, int panel,
                        float* dst) const {
  // Only reached when the driver's panel differs from ours (another microkernel).
  for (int64_t k = 0; k < kc; ++k)
    for (int64_t i = 0; i < panel; ++i) {
      const int64_t x = x0 + i;
      dst[k * panel + i] =
          i < width ? packed(k0, x / panel_ * panel_, panel_)[k * panel_ + x % panel_] : 0.0f;
    }
}

// ---- the driver ----

namespace {}  // namespace

ONYX_AVX2_CLONES
void apply_epilogue(const GemmEpilogue& ep, float* c, int64_t ldc, int64_t m0, int64_t n0,
                    int64_t rows, int64_t cols) {
  const bool trivial =
      ep.alpha == 1.0f && !ep.bias && !ep.addend && ep.activation.kind == Activation::None;
  if (trivial) return;
  for (int64_t i = 0; i < rows; ++i) {
    float* row = c + i * ldc;
    const int64_t m = m0 + i;
    if (ep.alpha != 1.0f)
      for (int64_t j = 0; j < cols; ++j) row[j] *= ep.alpha;
    if (ep.bias) {
      if (ep.bias_per_row) {
        const float v = ep.bias[m];
        for (int64_t j = 0; j < cols; ++j) row[j] += v;
      } else {
        const float* bias = ep.bias + n0;
        for (int64_t j = 0; j < cols; ++j) row[j] += bias[j];
      }
    }
    if (ep.addend) {
      const float* add = ep.addend + m * ep.addend_rs + n0 * ep.addend_cs;
      if (ep.addend_cs == 1)
        for (int64_t j = 0; j < cols; ++j) row[j] += ep.beta * add[j];
      else
        for (int64_t j = 0; j < cols; ++j) row[j] += ep.beta * add[j * ep.addend_cs];
    }
    if (ep.activation.kind != Activation::None) activate_inplace(ep.activation, row, cols);
  }
}

namespace {

// Whether the microkernel can apply `ep` itself, in registers (TileEpilogue): no alpha,
// an addend with beta 1 read along rows, and no activation beyond a clamp.
bool fits_tile_epilogue(const GemmEpilogue& ep) {
  float lo, hi;
  return as_clamp(ep.activation, lo, hi) && ep.alpha == 1.0f &&
         (!ep.addend || (ep.beta == 1.0f && ep.addend_cs == 1));
}

// The tile epilogue of the full tile at (m0, n0).
TileEpilogue tile_epilogue(const GemmEpilogue& ep, int64_t m0, int64_t n0) {
  TileEpilogue te;
  if (ep.bias)
    (ep.bias_per_row ? te.row_bias : te.col_bias) = ep.bias + (ep.bias_per_row ? m0 : n0);
  if (ep.addend) {
    te.addend = ep.addend + m0 * ep.addend_rs + n0;
    te.addend_ld = ep.addend_rs;
  }
  as_clamp(ep.activation, te.lo, te.hi);
  return te;
}

struct Buffers {
  std::vector<float> a, b;
  float* reserve_a(size_t n) {
    if (a.size() < n) a.resize(n);
    return a.data();
  }
  float* reserve_b(size_t n) {
    if (b.size() < n) b.resize(n);
    return b.data();
  }
};

// Computes C rows [m_begin, m_end) x columns [n_begin, n_end) on the calling thread.
// Range starts are multiples of MR / NR, so prepacked panels line up.
void gemm_range(const MicroKernel& uk, int64_t m_begin, int64_t m_end, int64_t n_begin,
                int64_t n_end, int64_t K, const PanelSource& a, const PanelSource& b, float* c,
                int64_t ldc, const GemmEpilogue& ep) {
  const int MR = uk.mr, NR = uk.nr;
  const int64_t MC = std::max<int64_t>(MR, kGemmMCTarget / MR * MR);
  thread_local Buffers buffers;
  if (K == 0) {  // an empty sum: C is the epilogue of zeros
    for (int64_t m = m_begin; m < m_end; ++m)
      std::fill(c + m * ldc + n_begin, c + m * ldc + n_end, 0.0f);
    apply_epilogue(ep, c + m_begin * ldc + n_begin, ldc, m_begin, n_begin, m_end - m_begin,
                   n_end - n_begin);
    return;
  }
  float tile[14 * 32 * 2];  // edge tiles: MR x NR of the largest kernel
  // An activation that is no clamp (GELU, Sigmoid, ...) is applied to groups of finished
  // tiles about 128 columns wide, while they are in L2: one call per 16-column tile would
  // cost more than the vector math. The rest of the epilogue stays in registers.
  float lo, hi;
  const bool clamp = as_clamp(ep.activation, lo, hi);
  GemmEpilogue reg_ep = ep;
  if (!clamp) reg_ep.activation = ActivationParams{};
  const bool in_registers = fits_tile_epilogue(reg_ep);
  const bool activate_groups = in_registers && !clamp;
  const int64_t group_panels = std::max<int64_t>(1, 128 / NR);
  const bool any_epilogue =
      reg_ep.bias || reg_ep.addend || reg_ep.activation.kind != Activation::None;
  for (int64_t jc = n_begin; jc < n_end; jc += kGemmNC) {
    const int64_t nc = std::min(kGemmNC, n_end - jc);
    const int64_t n_panels = (nc + NR - 1) / NR;
    const int64_t k_block = gemm_k_block(K);
    for (int64_t pc = 0; pc < K; pc += k_block) {
      const int64_t kc = std::min(k_block, K - pc);
      const bool first = pc == 0, last = pc + kc >= K;
      // B panels: prepacked, or packed right before their first use so that the
      // microkernel reads them from L1. With one A block they are used once, so one
      // panel-sized buffer serves them all (it stays in L1: no write misses); with
      // several, each panel is kept in a block buffer for the A blocks after the first.
      const float* b_block = b.packed(pc, jc, NR);  // null unless prepacked
      const bool b_prepacked = b_block != nullptr;
      const bool one_a_block = m_end - m_begin <= MC;
      float* bbuf =
          b_prepacked
              ? nullptr
              : buffers.reserve_b(static_cast<size_t>((one_a_block ? 1 : n_panels) * NR * kc));
      for (int64_t ic = m_begin; ic < m_end; ic += MC) {
        const int64_t mc = std::min(MC, m_end - ic);
        const int64_t m_panels = (mc + MR - 1) / MR;
        const float* a_block = a.packed(pc, ic, MR);  // null unless prepacked
        const bool a_prepacked = a_block != nullptr;
        float* abuf = nullptr;
        if (!a_prepacked) {
          abuf = buffers.reserve_a(static_cast<size_t>(m_panels * MR * kc));
          for (int64_t p = 0; p < m_panels; ++p) {
            const int64_t m0 = ic + p * MR;
            a.pack(pc, kc, m0, std::min<int64_t>(MR, ic + mc - m0), MR, abuf + p * MR * kc);
          }
        }
        for (int64_t jp = 0; jp < n_panels; ++jp) {
          const int64_t jr = jc + jp * NR;
          const int64_t nr = std::min<int64_t>(NR, jc + nc - jr);
          const float* bp;
          if (b_prepacked) {
            bp = b_block + jp * NR * kc;
          } else {
            float* own = one_a_block ? bbuf : bbuf + jp * NR * kc;
            if (ic == m_begin) b.pack(pc, kc, jr, nr, NR, own);
            bp = own;
          }
          for (int64_t ip = 0; ip < m_panels; ++ip) {
            const int64_t ir = ic + ip * MR;
            const int64_t mr = std::min<int64_t>(MR, ic + mc - ir);
            const float* ap = (a_prepacked ? a_block : abuf) + ip * MR * kc;
            float* ct = c + ir * ldc + jr;
            if (nr == NR && (mr == MR || uk.rows)) {  // straight into C
              const MicroKernelFn run = mr == MR ? uk.run : uk.rows[mr - 1];
              if (last && in_registers && any_epilogue) {
                const TileEpilogue te = tile_epilogue(reg_ep, ir, jr);
                run(kc, ap, bp, ct, ldc, !first, &te);
              } else {
                run(kc, ap, bp, ct, ldc, !first, nullptr);
              }
            } else {
              const size_t row_bytes = static_cast<size_t>(nr) * sizeof(float);
              if (!first)
                for (int64_t i = 0; i < mr; ++i)
                  std::memcpy(tile + i * NR, ct + i * ldc, row_bytes);
              uk.run(kc, ap, bp, tile, NR, !first, nullptr);
              for (int64_t i = 0; i < mr; ++i) std::memcpy(ct + i * ldc, tile + i * NR, row_bytes);
              if (last && in_registers) apply_epilogue(reg_ep, ct, ldc, ir, jr, mr, nr);
            }
          }
          // The column of tiles just finished is still in cache.
          if (last && !in_registers) apply_epilogue(ep, c + ic * ldc + jr, ldc, ic, jr, mc, nr);
          if (last && activate_groups && ((jp + 1) % group_panels == 0 || jp + 1 == n_panels)) {
            const int64_t g0 = jc + jp / group_panels * group_panels * NR, g1 = jr + nr;
            for (int64_t i = ic; i < ic + mc; ++i)
              activate_inplace(ep.activation, c + i * ldc + g0, g1 - g0);
          }
        }
      }
    }
  }
}

}  // namespace

void gemm(const MicroKernel& uk, int64_t M, int64_t N, int64_t K, const PanelSource& a,
          const PanelSource& b, float* c, int64_t ldc, const GemmEpilogue& epilogue,
          const Parallel& parallel) {
  if (M <= 0 || N <= 0) return;
  if (uk.mr * uk.nr > 14 * 32 * 2) throw std::logic_error("microkernel tile too large");
  // Split C into equal strips along its longer side, aligned to the tile, one per thread.
  int64_t tasks = 1;
  const bool split_n = N >= M;
  const int64_t unit = split_n ? uk.nr : uk.mr;
  const int64_t units = ((split_n ? N : M) + unit - 1) / unit;
  if (parallel.threads > 1 && M * N * std::max<int64_t>(K, 1) >= kMinParallelMacs)
    tasks = std::min<int64_t>(parallel.threads, units);
  const int64_t per_task = (units + tasks - 1) / tasks * unit;
  parallel.for_tasks(tasks, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t begin = t * per_task;
      const int64_t end = std::min((t + 1) * per_task, split_n ? N : M);
      if (begin >= end) continue;
      if (split_n)
        gemm_range(uk, 0, M, begin, end, K, a, b, c, ldc, epilogue);
      else
        gemm_range(uk, begin, end, 0, N, K, a, b, c, ldc, epilogue);
    }
  });
}

void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* a,
           int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc,
           const Parallel& parallel, const MicroKernel& uk) {
  GemmEpilogue ep;
  ep.alpha = alpha;
  std::vector<float> c_in;  // C is overwritten block by block, so its old value is copied
  if (beta != 0.0f) {
    c_in.resize(static_cast<size_t>(M * N));
    for (int64_t m = 0; m < M; ++m)
      std::memcpy(c_in.data() + m * N, c + m * ldc, static_cast<size_t>(N) * sizeof(float));
    ep.addend = c_in.data();
    ep.addend_rs = N;
    ep.addend_cs = 1;
    ep.beta = beta;
  }
  gemm(uk, M, N, K, StridedSource::a_matrix(a, lda, trans_a),
       StridedSource::b_matrix(b, ldb, trans_b), c, ldc, ep, parallel);
}

}  // namespace onyx::kernels
