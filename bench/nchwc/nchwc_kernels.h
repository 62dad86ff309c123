// Direct convolution kernels on a channel-blocked layout (NCHWc), written for the
// experiment in kernels_bench_nchwc.cc: does such a layout pay against Onyx's NCHW
// kernels? One vector holds the channels of a block (8 for AVX2, 16 for AVX-512), so a
// depthwise tap is one FMA and a pointwise step broadcasts one input value against one
// weight vector per output block, with no packing of the activations.
//
// Layouts, with B the block and C padded up to a multiple of B (padded lanes are zero):
//   activations (C/B, H, W, B); pointwise weights (Cout/B, Cin, B); depthwise weights
//   (C/B, 9, B); biases (C) padded to (C/B * B).
//
// The kernels are templates over a vector type; nchwc_avx2.cc and nchwc_avx512.cc each
// compile them for their ISA alone, and the caller checks the CPU first.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

namespace onyx::nchwc {

// The epilogue's activation as a clamp: Relu is [0, inf), Clip(0, 6) is [0, 6], and no
// activation is (-inf, inf).
struct Clamp {
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
};

// y = clamp(W x + b + z), a 1x1 convolution over P pixels.
struct Pointwise {
  const float *x, *w, *b, *z;  // z: the residual, y's layout, or null
  float* y;
  int64_t Cin, Cout, P;  // channel counts padded to the block
  Clamp clamp;
};

// y = clamp(depthwise 3x3, padding 1, stride s (x) + b) on an H x H plane.
struct Depthwise {
  const float *x, *w, *b;
  float* y;
  int64_t C, H, stride;  // C padded to the block
  Clamp clamp;
  int64_t OH() const { return (H + 2 - 3) / stride + 1; }
};

// Each ISA's entry points (defined where that ISA's file is compiled).
void pointwise_avx2(const Pointwise& a);
void depthwise_avx2(const Depthwise& a);
void pointwise_avx512(const Pointwise& a);
void depthwise_avx512(const Depthwise& a);

#if defined(NCHWC_KERNEL_TEMPLATES)
// V: { using Reg; kLanes; load, store, set1, bcast, fmadd, add, min, max }.
template <class V>
typename V::Reg clamp(typename V::Reg v, Clamp c) {
  return V::min(V::max(v, V::set1(c.lo)), V::set1(c.hi));
}

// One output pixel of a block at the border, where some taps fall in the padding.
template <class V>
void depthwise_edge_pixel(const Depthwise& a, const float* xb, const typename V::Reg* wv,
                          typename V::Reg bias, int64_t oh, int64_t ow, float* yr) {
  constexpr int64_t B = V::kLanes;
  auto acc = bias;
  for (int64_t kh = 0; kh < 3; ++kh) {
    const int64_t ih = oh * a.stride - 1 + kh;
    if (ih < 0 || ih >= a.H) continue;
    for (int64_t kw = 0; kw < 3; ++kw) {
      const int64_t iw = ow * a.stride - 1 + kw;
      if (iw < 0 || iw >= a.H) continue;
      acc = V::fmadd(V::load(xb + (ih * a.H + iw) * B), wv[kh * 3 + kw], acc);
    }
  }
  V::store(yr + ow * B, clamp<V>(acc, a.clamp));
}

// The nine weights stay in registers, and only the first and last columns check bounds.
template <class V>
void depthwise(const Depthwise& a) {
  constexpr int64_t B = V::kLanes;
  const int64_t H = a.H, OH = a.OH(), s = a.stride;
  // Columns whose three taps all lie inside the row: ow * s - 1 >= 0, ow * s + 1 < H.
  const int64_t inner_end = std::min(OH, (H - 2) / s + 1);
  for (int64_t cb = 0; cb < a.C / B; ++cb) {
    const float* xb = a.x + cb * H * H * B;
    typename V::Reg wv[9];
    for (int t = 0; t < 9; ++t) wv[t] = V::load(a.w + (cb * 9 + t) * B);
    const auto bias = V::load(a.b + cb * B);
    for (int64_t oh = 0; oh < OH; ++oh) {
      float* yr = a.y + (cb * OH + oh) * OH * B;
      depthwise_edge_pixel<V>(a, xb, wv, bias, oh, 0, yr);
      for (int64_t ow = 1; ow < inner_end; ++ow) {
        auto acc = bias;
        for (int64_t kh = 0; kh < 3; ++kh) {
          const int64_t ih = oh * s - 1 + kh;
          if (ih < 0 || ih >= H) continue;
          const float* xp = xb + (ih * H + ow * s - 1) * B;
          acc = V::fmadd(V::load(xp), wv[kh * 3], acc);
          acc = V::fmadd(V::load(xp + B), wv[kh * 3 + 1], acc);
          acc = V::fmadd(V::load(xp + 2 * B), wv[kh * 3 + 2], acc);
        }
        V::store(yr + ow * B, clamp<V>(acc, a.clamp));
      }
      for (int64_t ow = std::max<int64_t>(inner_end, 1); ow < OH; ++ow)
        depthwise_edge_pixel<V>(a, xb, wv, bias, oh, ow, yr);
    }
  }
}

// NB output blocks by NP pixels, NB * NP accumulators, unrolled fully so that they stay
// in registers.
template <class V, int NB, int NP>
void pointwise_tile(const Pointwise& a, int64_t ob, int64_t p0) {
  constexpr int B = V::kLanes;
  typename V::Reg acc[NB][NP];
  for (int nb = 0; nb < NB; ++nb) {
    const auto bias = V::load(a.b + (ob + nb) * B);
    for (int np = 0; np < NP; ++np) acc[nb][np] = bias;
  }
  for (int64_t cb = 0; cb < a.Cin / B; ++cb) {
    const float* xp = a.x + (cb * a.P + p0) * B;
    const float* wp = a.w + (ob * a.Cin + cb * B) * B;
#pragma GCC unroll 16
    for (int l = 0; l < B; ++l) {
      typename V::Reg wv[NB];
#pragma GCC unroll 4
      for (int nb = 0; nb < NB; ++nb) wv[nb] = V::load(wp + (nb * a.Cin + l) * B);
#pragma GCC unroll 16
      for (int np = 0; np < NP; ++np) {
        const auto xv = V::bcast(xp + np * B + l);
#pragma GCC unroll 4
        for (int nb = 0; nb < NB; ++nb) acc[nb][np] = V::fmadd(xv, wv[nb], acc[nb][np]);
      }
    }
  }
  for (int nb = 0; nb < NB; ++nb)
    for (int np = 0; np < NP; ++np) {
      const int64_t at = ((ob + nb) * a.P + p0 + np) * B;
      auto v = acc[nb][np];
      if (a.z != nullptr) v = V::add(v, V::load(a.z + at));
      V::store(a.y + at, clamp<V>(v, a.clamp));
    }
}

// The tile for np (1..NP) pixels.
template <class V, int NB, int NP>
void pointwise_tile_of(const Pointwise& a, int64_t ob, int64_t p0, int64_t np) {
  if constexpr (NP > 1)
    if (np < NP) return pointwise_tile_of<V, NB, NP - 1>(a, ob, p0, np);
  pointwise_tile<V, NB, NP>(a, ob, p0);
}

// Pixels in chunks (the chunk's input stays in cache while every output block passes
// over it), output blocks two at a time, pixels V::kPixels at a time.
template <class V>
void pointwise(const Pointwise& a) {
  constexpr int64_t B = V::kLanes, kPixels = V::kPixels, kChunk = 8 * kPixels;
  for (int64_t c0 = 0; c0 < a.P; c0 += kChunk) {
    const int64_t c1 = std::min(a.P, c0 + kChunk);
    for (int64_t ob = 0; ob < a.Cout / B; ob += 2)
      for (int64_t p = c0; p < c1; p += kPixels) {
        const int64_t np = std::min(kPixels, c1 - p);
        if (a.Cout / B - ob >= 2)
          pointwise_tile_of<V, 2, V::kPixels>(a, ob, p, np);
        else
          pointwise_tile_of<V, 1, V::kPixels>(a, ob, p, np);
      }
  }
}
#endif  // defined(NCHWC_KERNEL_TEMPLATES)

}  // namespace onyx::nchwc
