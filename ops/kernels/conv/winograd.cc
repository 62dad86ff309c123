#include "kernels/conv/winograd.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "kernels/cpu.h"

namespace onyx::kernels {

bool winograd_applies(const Conv2dShape& s) {
  return s.KH == 3 && s.KW == 3 && s.SH == 1 && s.SW == 1 && s.DH == 1 && s.DW == 1 && s.group == 1;
}

namespace {

// Tiles are transformed eight at a time, one per vector lane: the arrays below are
// [row][column][lane], and every loop over lanes is one vector operation.
constexpr int kLanes = 8;

// out = B^T in along the first index of a 6-row (or 6-column) strip, for all lanes.
inline void input_transform6(const float (*in)[kLanes], int64_t stride, float (*out)[kLanes],
                             int64_t out_stride) {
  for (int l = 0; l < kLanes; ++l) {
    const float d0 = in[0][l], d1 = in[stride][l], d2 = in[2 * stride][l], d3 = in[3 * stride][l],
                d4 = in[4 * stride][l], d5 = in[5 * stride][l];
    out[0][l] = 4 * d0 - 5 * d2 + d4;
    out[out_stride][l] = -4 * d1 - 4 * d2 + d3 + d4;
    out[2 * out_stride][l] = 4 * d1 - 4 * d2 - d3 + d4;
    out[3 * out_stride][l] = -2 * d1 - d2 + 2 * d3 + d4;
    out[4 * out_stride][l] = 2 * d1 - d2 - 2 * d3 + d4;
    out[5 * out_stride][l] = 4 * d1 - 5 * d3 + d5;
  }
}

// out = A^T in: 6 values to 4, for all lanes.
inline void output_transform6(const float (*in)[kLanes], int64_t stride, float (*out)[kLanes],
                              int64_t out_stride) {
  for (int l = 0; l < kLanes; ++l) {
    const float m0 = in[0][l], m1 = in[stride][l], m2 = in[2 * stride][l], m3 = in[3 * stride][l],
                m4 = in[4 * stride][l], m5 = in[5 * stride][l];
    out[0][l] = m0 + m1 + m2 + m3 + m4;
    out[out_stride][l] = m1 - m2 + 2 * (m3 - m4);
    out[2 * out_stride][l] = m1 + m2 + 4 * (m3 + m4);
    out[3 * out_stride][l] = m1 - m2 + 8 * (m3 - m4) + m5;
  }
}

// The transformed input of one block of tiles, already in the GEMM's B panel layout
// (PackedPanels' layout for `lines` tiles of `depth` channels), so nothing is repacked.
class TransformedInput final : public PanelSource {
 public:
  TransformedInput(const float* data, int64_t lines_padded, int64_t depth, int panel)
      : data_(data),
        padded_(lines_padded),
        depth_(depth),
        block_(gemm_k_block(depth)),
        panel_(panel) {}
  const float* packed(int64_t k0, int64_t x0, int panel) const override {
    if (panel != panel_) return nullptr;
    return data_ + k0 * padded_ + x0 * std::min(block_, depth_ - k0);
  }
  void pack(int64_t k0, int64_t kc, int64_t x0, int64_t width, int panel,
            float* dst) const override {  // only for another panel width: element by element
    for (int64_t k = 0; k < kc; ++k)
      for (int64_t i = 0; i < panel; ++i)
        dst[k * panel + i] = i < width ? at(k0 + k, x0 + i) : 0.0f;
  }
  // Where (channel c, tile t) lives. Tiles t..t+7 with t a multiple of 8 are adjacent
  // (panels are 8, 16 or 32 wide).
  static int64_t offset(int64_t c, int64_t t, int64_t padded, int64_t depth, int panel) {
    const int64_t block = gemm_k_block(depth), k0 = c / block * block;
    const int64_t kc = std::min(block, depth - k0);
    return k0 * padded + (t / panel) * panel * kc + (c - k0) * panel + t % panel;
  }

 private:
  float at(int64_t c, int64_t t) const { return data_[offset(c, t, padded_, depth_, panel_)]; }
  const float* data_;
  int64_t padded_, depth_, block_;
  int panel_;
};

// Where the tiles of one lane group start: output corner (oh0, ow0) per lane.
struct LaneTiles {
  int64_t oh0[kLanes], ow0[kLanes];
  int count;  // valid lanes
};

// Input transform of eight tiles (t0 a multiple of 8) for every channel: V_xi(c, t).
ONYX_AVX2_CLONES
void transform_input(const Conv2dShape& s, const float* x, const LaneTiles& lt, int64_t t0,
                     int64_t padded, int panel, int64_t v_stride, float* v) {
  bool inside[kLanes];
  int64_t base[kLanes];
  for (int l = 0; l < kLanes; ++l) {
    const int64_t ih0 = lt.oh0[l] - s.pad_top, iw0 = lt.ow0[l] - s.pad_left;
    inside[l] = l < lt.count && ih0 >= 0 && iw0 >= 0 && ih0 + 6 <= s.H && iw0 + 6 <= s.W;
    base[l] = ih0 * s.W + iw0;
  }
  float d[36][kLanes], tmp[36][kLanes], out[36][kLanes];
  for (int64_t c = 0; c < s.C; ++c) {
    const float* plane = x + c * s.H * s.W;
    for (int l = 0; l < kLanes; ++l) {
      if (inside[l]) {
        const float* p = plane + base[l];
        for (int i = 0; i < 6; ++i)
          for (int j = 0; j < 6; ++j) d[i * 6 + j][l] = p[i * s.W + j];
        continue;
      }
      const int64_t ih0 = lt.oh0[l] - s.pad_top, iw0 = lt.ow0[l] - s.pad_left;
      for (int i = 0; i < 6; ++i)
        for (int j = 0; j < 6; ++j) {
          const int64_t ih = ih0 + i, iw = iw0 + j;
          const bool in = l < lt.count && ih >= 0 && ih < s.H && iw >= 0 && iw < s.W;
          d[i * 6 + j][l] = in ? plane[ih * s.W + iw] : 0.0f;
        }
    }
    for (int j = 0; j < 6; ++j) input_transform6(d + j, 6, tmp + j, 6);            // B^T d
    for (int i = 0; i < 6; ++i) input_transform6(tmp + i * 6, 1, out + i * 6, 1);  // (.) B
    float* dst = v + TransformedInput::offset(c, t0, padded, s.C, panel);
    for (int xi = 0; xi < 36; ++xi)
      for (int l = 0; l < kLanes; ++l) dst[xi * v_stride + l] = out[xi][l];
  }
}

// Output transform of eight tiles for every output channel, with the epilogue.
ONYX_AVX2_CLONES
void transform_output(const Conv2dShape& s, const float* m, int64_t m_stride, int64_t ldm,
                      const LaneTiles& lt, int64_t t0, const ConvEpilogue& ep, float* y) {
  float in[36][kLanes], tmp[24][kLanes], out[16][kLanes];
  for (int64_t o = 0; o < s.M; ++o) {
    const float* src = m + o * ldm + t0;
    for (int xi = 0; xi < 36; ++xi)
      for (int l = 0; l < kLanes; ++l) in[xi][l] = src[xi * m_stride + l];
    for (int j = 0; j < 6; ++j) output_transform6(in + j, 6, tmp + j, 6);           // A^T M
    for (int i = 0; i < 4; ++i) output_transform6(tmp + i * 6, 1, out + i * 4, 1);  // (.) A
    const float b = ep.bias ? ep.bias[o] : 0.0f;
    float* yo = y + o * s.OH * s.OW;
    const float* ro = ep.residual ? ep.residual + o * s.OH * s.OW : nullptr;
    for (int l = 0; l < lt.count; ++l) {
      const int64_t rows = std::min<int64_t>(4, s.OH - lt.oh0[l]);
      const int64_t cols = std::min<int64_t>(4, s.OW - lt.ow0[l]);
      const int64_t first = lt.oh0[l] * s.OW + lt.ow0[l];
      float* corner = yo + first;
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j) {
          const float r = ro ? ro[first + i * s.OW + j] : 0.0f;
          corner[i * s.OW + j] = activate(ep.activation, out[i * 4 + j][l] + b + r);
        }
    }
  }
}

// U = G g G^T of every 3x3 kernel g of W (M x C x 3 x 3), for the output channels
// [m0, m1): channel m's 36 transformed values of all its kernels, u[xi * C + c], are
// written at out + (m - m0) * 36 * C. The taps are laid out as rows over the input
// channels, so every loop below runs along c and is one vector operation.
ONYX_AVX2_CLONES void transform_weights(const float* w, int64_t m0, int64_t m1, int64_t C,
                                        float* out) {
  static const float G[6][3] = {{1.0f / 4, 0, 0},
                                {-1.0f / 6, -1.0f / 6, -1.0f / 6},
                                {-1.0f / 6, 1.0f / 6, -1.0f / 6},
                                {1.0f / 24, 1.0f / 12, 1.0f / 6},
                                {1.0f / 24, -1.0f / 12, 1.0f / 6},
                                {0, 0, 1}};
  std::vector<float> taps(static_cast<size_t>(9 * C)), gg(static_cast<size_t>(18 * C));
  for (int64_t m = m0; m < m1; ++m) {
    const float* g = w + m * C * 9;
    for (int64_t c = 0; c < C; ++c)
      for (int t = 0; t < 9; ++t) taps[static_cast<size_t>(t * C + c)] = g[c * 9 + t];
    for (int i = 0; i < 6; ++i)  // G g: row i of G times the three rows of g
      for (int b = 0; b < 3; ++b) {
        float* out = gg.data() + (i * 3 + b) * C;
        const float* t0 = taps.data() + b * C;
        const float* t1 = t0 + 3 * C;
        const float* t2 = t0 + 6 * C;
        for (int64_t c = 0; c < C; ++c)
          out[c] = G[i][0] * t0[c] + G[i][1] * t1[c] + G[i][2] * t2[c];
      }
    for (int i = 0; i < 6; ++i)  // (G g) G^T
      for (int j = 0; j < 6; ++j) {
        const float* r = gg.data() + i * 3 * C;
        float* u = out + ((m - m0) * 36 + i * 6 + j) * C;
        for (int64_t c = 0; c < C; ++c)
          u[c] = r[c] * G[j][0] + r[C + c] * G[j][1] + r[2 * C + c] * G[j][2];
      }
  }
}

}  // namespace

WinogradWeights::WinogradWeights(const float* w, int64_t M, int64_t C, const MicroKernel& uk)
    : uk_(&uk) {
  // One panel of output channels at a time is transformed, then written into each of
  // the 36 packed matrices.
  u_.reserve(36);
  for (int xi = 0; xi < 36; ++xi) u_.emplace_back(M, C, uk.mr);
  std::vector<float> panel(static_cast<size_t>(uk.mr * 36 * C));  // [line][xi][c]
  for (int64_t m0 = 0; m0 < M; m0 += uk.mr) {
    transform_weights(w, m0, std::min<int64_t>(M, m0 + uk.mr), C, panel.data());
    for (int xi = 0; xi < 36; ++xi)
      u_[static_cast<size_t>(xi)].set_panel(m0, panel.data() + xi * C, 36 * C);
  }
}

void conv2d_winograd(const Conv2dShape& s, const WinogradWeights& w, const float* x, float* y,
                     const ConvEpilogue& ep, const Parallel& parallel) {
  const MicroKernel& uk = w.microkernel();
  const int NR = uk.nr;
  const int64_t tiles_h = (s.OH + 3) / 4, tiles_w = (s.OW + 3) / 4, tiles = tiles_h * tiles_w;
  // Tiles per block: a few B panels, fewer when there are many channels (the block's
  // 36 transformed matrices should stay near the caches).
  // and at least one block per thread.
  const int64_t per_thread = (tiles + parallel.threads - 1) / parallel.threads;
  const int64_t per_block =
      std::min(NR * std::clamp<int64_t>(2048 / std::max<int64_t>(std::max(s.C, s.M), 1), 1, 8),
               (per_thread + NR - 1) / NR * NR);
  const int64_t blocks = (tiles + per_block - 1) / per_block;
  parallel.for_tasks(blocks, [&](int64_t b0, int64_t b1) {
    const int64_t padded = per_block;  // a multiple of NR (and of 8)
    // Zero once: lanes past the last tile stay finite (their columns are never stored).
    // Kept from call to call. Lanes past the last tile hold whatever an earlier call left:
    // GEMM columns are independent, and those columns are never stored.
    thread_local std::vector<float> v_buffer, m_buffer;
    v_buffer.resize(std::max(v_buffer.size(), static_cast<size_t>(36 * padded * s.C)));
    m_buffer.resize(std::max(m_buffer.size(), static_cast<size_t>(36 * s.M * padded)));
    float* v = v_buffer.data();
    float* m = m_buffer.data();
    const int64_t v_stride = padded * s.C, m_stride = s.M * padded;
    auto lanes_of = [&](int64_t first_tile, int64_t remaining) {
      LaneTiles lt;
      lt.count = static_cast<int>(std::min<int64_t>(kLanes, remaining));
      for (int l = 0; l < kLanes; ++l) {
        const int64_t tile = first_tile + std::min<int64_t>(l, lt.count - 1);
        lt.oh0[l] = tile / tiles_w * 4;
        lt.ow0[l] = tile % tiles_w * 4;
      }
      return lt;
    };
    for (int64_t blk = b0; blk < b1; ++blk) {
      const int64_t t0 = blk * per_block, count = std::min(per_block, tiles - t0);
      for (int64_t t = 0; t < count; t += kLanes)
        transform_input(s, x, lanes_of(t0 + t, count - t), t, padded, NR, v_stride, v);
      for (int xi = 0; xi < 36; ++xi)
        gemm(uk, s.M, count, s.C, w.u(xi), TransformedInput(v + xi * v_stride, padded, s.C, NR),
             m + xi * m_stride, padded, {}, serial());
      for (int64_t t = 0; t < count; t += kLanes)
        transform_output(s, m, m_stride, padded, lanes_of(t0 + t, count - t), t, ep, y);
    }
  });
}

}  // namespace onyx::kernels
