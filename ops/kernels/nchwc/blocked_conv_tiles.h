// The blocked convolutions' inner loops, templates over a vector type V, compiled once
// per ISA (blocked_conv_avx2.cc, blocked_conv_avx512.cc); blocked_conv.cc picks one.
//
// V: { Reg; kLanes (the block); kPixels (a pointwise tile's pixels); load, store, set1,
//      bcast, fmadd, add, min, max }.
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "kernels/activation.h"
#include "kernels/nchwc/blocked_conv.h"

namespace onyx::kernels::nchwc {

// One layer's operands, blocked and padded (C and M are multiples of the block).
struct BlockedJob {
  const float *x, *w, *b, *z;  // z: the residual, or null
  float* y;
  int64_t C, M, H, W, OH, OW, stride;
  int64_t K, pad;                 // dense: the window, and the padding around x (already in place)
  int64_t lanes_used;             // of the last output block (the rest are padding), 1..block
  float lo, hi;                   // the activation's clamp, applied in registers
  const ActivationParams* after;  // an activation that is no clamp, applied to each
                                  // stored run while it is in cache; or null
};

// One ISA's kernels. Tasks are independent ranges of the output, for a thread each.
struct BlockedKernels {
  int64_t block;
  int64_t (*pointwise_tasks)(const BlockedJob& j);
  void (*pointwise)(const BlockedJob& j, int64_t t0, int64_t t1);
  int64_t (*depthwise_tasks)(const BlockedJob& j);
  void (*depthwise)(const BlockedJob& j, int64_t t0, int64_t t1);
  int64_t (*dense_tasks)(const BlockedJob& j);
  void (*dense)(const BlockedJob& j, int64_t t0, int64_t t1);
};

// Null where the build lacks the ISA; blocked_conv.cc checks the CPU (active_isa).
const BlockedKernels* blocked_kernels_avx2();
const BlockedKernels* blocked_kernels_avx512();

#if defined(ONYX_BLOCKED_CONV_TILES)
namespace tiles {

// Padded lanes stay exactly zero, whatever the activation made of them or a padded
// output channel's zero weights made of an infinite input (0 * inf): the next layer
// multiplies them by zero weights and must not read NaN.
template <class V>
void zero_padding(const BlockedJob& j, int64_t block_index, int64_t blocks, float* y,
                  int64_t pixels) {
  if (block_index != blocks - 1 || j.lanes_used == V::kLanes) return;
  for (int64_t p = 0; p < pixels; ++p)
    std::fill(y + p * V::kLanes + j.lanes_used, y + (p + 1) * V::kLanes, 0.0f);
}

// min(hi, max(lo, v)) with the constants first, so that NaN stays NaN (maxps and minps
// return their second operand when either is NaN).
template <class V>
typename V::Reg clamp(typename V::Reg v, typename V::Reg lo, typename V::Reg hi) {
  return V::min(hi, V::max(lo, v));
}

// ---- 1x1 ----

// NB output blocks by NP pixels: NB * NP accumulators, unrolled fully so that they stay
// in registers. Each input channel broadcasts one value per pixel against one weight
// vector per output block.
template <class V, int NB, int NP>
void pointwise_tile(const BlockedJob& j, int64_t ob, int64_t p0) {
  constexpr int B = V::kLanes;
  const int64_t P = j.H * j.W;
  typename V::Reg acc[NB][NP];
  for (int nb = 0; nb < NB; ++nb) {
    const auto bias = V::load(j.b + (ob + nb) * B);
    for (int np = 0; np < NP; ++np) acc[nb][np] = bias;
  }
  for (int64_t cb = 0; cb < j.C / B; ++cb) {
    const float* xp = j.x + (cb * P + p0) * B;
    const float* wp = j.w + (ob * j.C + cb * B) * B;
#pragma GCC unroll 16
    for (int l = 0; l < B; ++l) {
      typename V::Reg wv[NB];
#pragma GCC unroll 4
      for (int nb = 0; nb < NB; ++nb) wv[nb] = V::load(wp + (nb * j.C + l) * B);
#pragma GCC unroll 16
      for (int np = 0; np < NP; ++np) {
        const auto xv = V::bcast(xp + np * B + l);
#pragma GCC unroll 4
        for (int nb = 0; nb < NB; ++nb) acc[nb][np] = V::fmadd(xv, wv[nb], acc[nb][np]);
      }
    }
  }
  const auto lo = V::set1(j.lo), hi = V::set1(j.hi);
  for (int nb = 0; nb < NB; ++nb) {
    float* y = j.y + ((ob + nb) * P + p0) * B;
    for (int np = 0; np < NP; ++np) {
      auto v = acc[nb][np];
      if (j.z != nullptr) v = V::add(v, V::load(j.z + ((ob + nb) * P + p0 + np) * B));
      V::store(y + np * B, clamp<V>(v, lo, hi));
    }
    if (j.after != nullptr) activate_inplace(*j.after, y, NP * B);
    zero_padding<V>(j, ob + nb, j.M / B, y, NP);
  }
}

// The tile for np (1..NP) pixels.
template <class V, int NB, int NP>
void pointwise_tile_of(const BlockedJob& j, int64_t ob, int64_t p0, int64_t np) {
  if constexpr (NP > 1)
    if (np < NP) return pointwise_tile_of<V, NB, NP - 1>(j, ob, p0, np);
  pointwise_tile<V, NB, NP>(j, ob, p0);
}

// A task: one chunk of pixels (its input, C x kChunk floats, stays in cache while each
// output block of the task passes over it) by two output blocks.
template <class V>
constexpr int64_t kChunk = 8 * V::kPixels;

// The task split of the 1x1 and dense kernels: chunks of `positions` consecutive output
// positions by pairs of output blocks. tile(NB, ob, p, np) computes np positions from p
// of NB output blocks from ob (NB a std::integral_constant).
template <class V>
int64_t chunk_tasks(const BlockedJob& j, int64_t positions) {
  const int64_t chunks = (positions + kChunk<V> - 1) / kChunk<V>;
  return chunks * ((j.M / V::kLanes + 1) / 2);
}

template <class V, class Tile>
void for_each_tile(const BlockedJob& j, int64_t positions, int64_t t0, int64_t t1, Tile tile) {
  const int64_t blocks = j.M / V::kLanes, pairs = (blocks + 1) / 2;
  for (int64_t t = t0; t < t1; ++t) {
    const int64_t c0 = (t / pairs) * kChunk<V>, c1 = std::min(positions, c0 + kChunk<V>);
    const int64_t ob = (t % pairs) * 2;
    for (int64_t p = c0; p < c1; p += V::kPixels) {
      const int64_t np = std::min<int64_t>(V::kPixels, c1 - p);
      if (blocks - ob >= 2)
        tile(std::integral_constant<int, 2>{}, ob, p, np);
      else
        tile(std::integral_constant<int, 1>{}, ob, p, np);
    }
  }
}

template <class V>
int64_t pointwise_tasks(const BlockedJob& j) {
  return chunk_tasks<V>(j, j.H * j.W);
}

template <class V>
void pointwise(const BlockedJob& j, int64_t t0, int64_t t1) {
  for_each_tile<V>(j, j.H * j.W, t0, t1, [&](auto nb, int64_t ob, int64_t p, int64_t np) {
    pointwise_tile_of<V, decltype(nb)::value, V::kPixels>(j, ob, p, np);
  });
}

// ---- 3x3 depthwise, padding 1 ----

// One output pixel at the border, where some taps fall in the padding.
template <class V>
typename V::Reg depthwise_edge(const BlockedJob& j, const float* xb, const typename V::Reg* wv,
                               typename V::Reg bias, int64_t oh, int64_t ow) {
  constexpr int64_t B = V::kLanes;
  auto acc = bias;
  for (int64_t kh = 0; kh < 3; ++kh) {
    const int64_t ih = oh * j.stride - 1 + kh;
    if (ih < 0 || ih >= j.H) continue;
    for (int64_t kw = 0; kw < 3; ++kw) {
      const int64_t iw = ow * j.stride - 1 + kw;
      if (iw < 0 || iw >= j.W) continue;
      acc = V::fmadd(V::load(xb + (ih * j.W + iw) * B), wv[kh * 3 + kw], acc);
    }
  }
  return acc;
}

template <class V>
int64_t depthwise_tasks(const BlockedJob& j) {
  return j.C / V::kLanes * j.OH;
}

// A task: output rows of channel blocks. The nine weight vectors stay in registers, and
// only the first and last columns check bounds.
template <class V>
void depthwise(const BlockedJob& j, int64_t t0, int64_t t1) {
  constexpr int64_t B = V::kLanes;
  const int64_t s = j.stride;
  // Columns whose three taps all lie inside the row: ow * s - 1 >= 0, ow * s + 1 < W.
  const int64_t inner_end = std::min(j.OW, (j.W - 2) / s + 1);
  const auto lo = V::set1(j.lo), hi = V::set1(j.hi);
  for (int64_t t = t0; t < t1;) {
    const int64_t cb = t / j.OH, rows_end = std::min(t1, (cb + 1) * j.OH);
    typename V::Reg wv[9];
    for (int k = 0; k < 9; ++k) wv[k] = V::load(j.w + (cb * 9 + k) * B);
    const auto bias = V::load(j.b + cb * B);
    const float* xb = j.x + cb * j.H * j.W * B;
    for (; t < rows_end; ++t) {
      const int64_t oh = t % j.OH, row = (cb * j.OH + oh) * j.OW;
      float* y = j.y + row * B;
      const float* z = j.z != nullptr ? j.z + row * B : nullptr;
      auto put = [&](int64_t ow, typename V::Reg acc) {
        if (z != nullptr) acc = V::add(acc, V::load(z + ow * B));
        V::store(y + ow * B, clamp<V>(acc, lo, hi));
      };
      put(0, depthwise_edge<V>(j, xb, wv, bias, oh, 0));
      for (int64_t ow = 1; ow < inner_end; ++ow) {
        auto acc = bias;
        for (int64_t kh = 0; kh < 3; ++kh) {
          const int64_t ih = oh * s - 1 + kh;
          if (ih < 0 || ih >= j.H) continue;
          const float* xp = xb + (ih * j.W + ow * s - 1) * B;
          acc = V::fmadd(V::load(xp), wv[kh * 3], acc);
          acc = V::fmadd(V::load(xp + B), wv[kh * 3 + 1], acc);
          acc = V::fmadd(V::load(xp + 2 * B), wv[kh * 3 + 2], acc);
        }
        put(ow, acc);
      }
      for (int64_t ow = std::max<int64_t>(inner_end, 1); ow < j.OW; ++ow)
        put(ow, depthwise_edge<V>(j, xb, wv, bias, oh, ow));
      if (j.after != nullptr) activate_inplace(*j.after, y, j.OW * B);
      zero_padding<V>(j, cb, j.C / B, y, j.OW);
    }
  }
}

// ---- K x K dense, stride 1 ----
// x is padded already: (C' / B, H + 2 pad, W + 2 pad, B) with a zero border and slack past
// its end (blocked_conv.cc copies it so). Output position q = oh * Wp + ow runs over the
// padded width Wp, so that tap (kh, kw) of q reads input position q + kh * Wp + kw: every
// tile is a run of consecutive positions, full length, and the K - 1 columns past OW in
// each row it computes are dropped when storing. Weights: (M' / B, C' / B, K, K, B, B).
template <class V, int NB, int NP>
void dense_tile(const BlockedJob& j, int64_t ob, int64_t q0) {
  constexpr int B = V::kLanes;
  const int64_t Wp = j.W + 2 * j.pad, plane = (j.H + 2 * j.pad) * Wp, Cb = j.C / B;
  const int64_t block_weights = Cb * j.K * j.K * B * B;
  typename V::Reg acc[NB][NP];
  for (int nb = 0; nb < NB; ++nb) {
    const auto bias = V::load(j.b + (ob + nb) * B);
    for (int np = 0; np < NP; ++np) acc[nb][np] = bias;
  }
  for (int64_t cb = 0; cb < Cb; ++cb)
    for (int64_t kh = 0; kh < j.K; ++kh)
      for (int64_t kw = 0; kw < j.K; ++kw) {
        const float* xp = j.x + (cb * plane + q0 + kh * Wp + kw) * B;
        const float* wp = j.w + (((ob * Cb + cb) * j.K + kh) * j.K + kw) * B * B;
#pragma GCC unroll 4
        for (int l = 0; l < B; ++l) {
          typename V::Reg wv[NB];
#pragma GCC unroll 4
          for (int nb = 0; nb < NB; ++nb) wv[nb] = V::load(wp + nb * block_weights + l * B);
#pragma GCC unroll 16
          for (int np = 0; np < NP; ++np) {
            const auto xv = V::bcast(xp + np * B + l);
#pragma GCC unroll 4
            for (int nb = 0; nb < NB; ++nb) acc[nb][np] = V::fmadd(xv, wv[nb], acc[nb][np]);
          }
        }
      }
  const auto lo = V::set1(j.lo), hi = V::set1(j.hi);
  for (int np = 0; np < NP; ++np) {
    const int64_t oh = (q0 + np) / Wp, ow = (q0 + np) % Wp;
    if (ow >= j.OW) continue;  // a column of the padding
    for (int nb = 0; nb < NB; ++nb) {
      float* y = j.y + (((ob + nb) * j.OH + oh) * j.OW + ow) * B;
      auto v = acc[nb][np];
      if (j.z != nullptr) v = V::add(v, V::load(j.z + (y - j.y)));
      V::store(y, clamp<V>(v, lo, hi));
      if (j.after != nullptr) activate_inplace(*j.after, y, B);
      zero_padding<V>(j, ob + nb, j.M / B, y, 1);
    }
  }
}

template <class V, int NB, int NP>
void dense_tile_of(const BlockedJob& j, int64_t ob, int64_t q0, int64_t np) {
  if constexpr (NP > 1)
    if (np < NP) return dense_tile_of<V, NB, NP - 1>(j, ob, q0, np);
  dense_tile<V, NB, NP>(j, ob, q0);
}

// The positions q computed: up to the last row's last output column.
inline int64_t dense_positions(const BlockedJob& j) {
  return j.OH == 0 ? 0 : (j.OH - 1) * (j.W + 2 * j.pad) + j.OW;
}

template <class V>
int64_t dense_tasks(const BlockedJob& j) {
  return chunk_tasks<V>(j, dense_positions(j));
}

template <class V>
void dense(const BlockedJob& j, int64_t t0, int64_t t1) {
  for_each_tile<V>(j, dense_positions(j), t0, t1, [&](auto nb, int64_t ob, int64_t q, int64_t np) {
    dense_tile_of<V, decltype(nb)::value, V::kPixels>(j, ob, q, np);
  });
}

template <class V>
const BlockedKernels* kernels_of() {
  static const BlockedKernels k{V::kLanes,    pointwise_tasks<V>, pointwise<V>, depthwise_tasks<V>,
                                depthwise<V>, dense_tasks<V>,     dense<V>};
  return &k;
}

}  // namespace tiles
#endif  // defined(ONYX_BLOCKED_CONV_TILES)

}  // namespace onyx::kernels::nchwc
