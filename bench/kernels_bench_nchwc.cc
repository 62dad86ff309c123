// Does a channel-blocked layout (NCHWc, 8 channels a block) pay for depthwise layers?
// One thread, MobileNetV2's depthwise layers: Onyx's NCHW depthwise kernel (through a
// one-node session, bias and Relu fused) beside a direct NCHWc8 depthwise kernel written
// here for the comparison, whose eight lanes are eight channels (no row tails, stride 2
// as cheap as stride 1), and the reorder in and out of the blocked layout that a layout
// pass would add at the edges of a conv chain. The blocked kernel's output is checked
// against the session's before it is timed. It stays an experiment: see
// bench/RESULTS.md for what it measured and why no layout pass was built on it.
// x86-64 only: the blocked kernel is written with AVX2 intrinsics.
#if defined(__x86_64__)
#include <immintrin.h>

#include <algorithm>
#include <cmath>

#include "bench_session.h"

namespace onyx {
namespace {

using bench::random_floats;
using testing::OpTester;

constexpr int64_t kBlock = 8;

struct DepthwiseLayer {
  int64_t C, H, stride;
  int64_t OH() const { return (H + 2 - 3) / stride + 1; }
};

// NCHW (C, H, W) -> NCHWc8 (C/8, H, W, 8); C is a multiple of 8 in every layer here.
void to_blocked(const float* x, int64_t C, int64_t HW, float* out) {
  for (int64_t cb = 0; cb < C / kBlock; ++cb)
    for (int64_t p = 0; p < HW; ++p)
      for (int64_t l = 0; l < kBlock; ++l)
        out[(cb * HW + p) * kBlock + l] = x[(cb * kBlock + l) * HW + p];
}

void from_blocked(const float* x, int64_t C, int64_t HW, float* out) {
  for (int64_t cb = 0; cb < C / kBlock; ++cb)
    for (int64_t l = 0; l < kBlock; ++l)
      for (int64_t p = 0; p < HW; ++p)
        out[(cb * kBlock + l) * HW + p] = x[(cb * HW + p) * kBlock + l];
}

// One output pixel of a block at the border, where some taps fall in the padding.
__attribute__((target("avx2,fma"))) void edge_pixel(const float* xb, const __m256* wv, __m256 bias,
                                                    int64_t H, int64_t W, int64_t oh, int64_t ow,
                                                    int64_t s, float* yr) {
  __m256 acc = bias;
  for (int64_t kh = 0; kh < 3; ++kh) {
    const int64_t ih = oh * s - 1 + kh;
    if (ih < 0 || ih >= H) continue;
    for (int64_t kw = 0; kw < 3; ++kw) {
      const int64_t iw = ow * s - 1 + kw;
      if (iw < 0 || iw >= W) continue;
      acc = _mm256_fmadd_ps(_mm256_loadu_ps(xb + (ih * W + iw) * kBlock), wv[kh * 3 + kw], acc);
    }
  }
  _mm256_storeu_ps(yr + ow * kBlock, _mm256_max_ps(acc, _mm256_setzero_ps()));
}

// 3x3 depthwise, padding 1, bias and Relu, on NCHWc8: x (C/8, H, W, 8), w (C/8, 9, 8),
// b (C/8, 8). One vector holds the eight channels of a block: a tap is one FMA, the
// nine weights stay in registers, and only the first and last columns check bounds.
__attribute__((target("avx2,fma"))) void depthwise_blocked(const DepthwiseLayer& l, const float* x,
                                                           const float* w, const float* b,
                                                           float* y) {
  const int64_t H = l.H, W = l.H, OH = l.OH(), OW = l.OH(), s = l.stride;
  // Columns whose three taps all lie inside the row: ow * s - 1 >= 0, ow * s + 1 < W.
  const int64_t inner_begin = 1, inner_end = std::min(OW, (W - 2) / s + 1);
  const __m256 zero = _mm256_setzero_ps();
  for (int64_t cb = 0; cb < l.C / kBlock; ++cb) {
    const float* xb = x + cb * H * W * kBlock;
    __m256 wv[9];
    for (int t = 0; t < 9; ++t) wv[t] = _mm256_loadu_ps(w + (cb * 9 + t) * kBlock);
    const __m256 bias = _mm256_loadu_ps(b + cb * kBlock);
    for (int64_t oh = 0; oh < OH; ++oh) {
      float* yr = y + (cb * OH + oh) * OW * kBlock;
      edge_pixel(xb, wv, bias, H, W, oh, 0, s, yr);
      for (int64_t ow = inner_begin; ow < inner_end; ++ow) {
        __m256 acc = bias;
        for (int64_t kh = 0; kh < 3; ++kh) {
          const int64_t ih = oh * s - 1 + kh;
          if (ih < 0 || ih >= H) continue;
          const float* xp = xb + (ih * W + ow * s - 1) * kBlock;
          acc = _mm256_fmadd_ps(_mm256_loadu_ps(xp), wv[kh * 3], acc);
          acc = _mm256_fmadd_ps(_mm256_loadu_ps(xp + kBlock), wv[kh * 3 + 1], acc);
          acc = _mm256_fmadd_ps(_mm256_loadu_ps(xp + 2 * kBlock), wv[kh * 3 + 2], acc);
        }
        _mm256_storeu_ps(yr + ow * kBlock, _mm256_max_ps(acc, zero));
      }
      for (int64_t ow = std::max<int64_t>(inner_end, 1); ow < OW; ++ow)
        edge_pixel(xb, wv, bias, H, W, oh, ow, s, yr);
    }
  }
}

OpTester depthwise_session(const DepthwiseLayer& l) {
  OpTester t("FusedConv", 1, "ai.onyx");
  t.input("X", random_floats({1, l.C, l.H, l.H}, 31))
      .constant("W", random_floats({l.C, 1, 3, 3}, 32))
      .constant("B", random_floats({l.C}, 33))
      .attr("kernel_shape", std::vector<int64_t>{3, 3})
      .attr("strides", std::vector<int64_t>{l.stride, l.stride})
      .attr("pads", std::vector<int64_t>{1, 1, 1, 1})
      .attr("group", l.C)
      .attr("activation", std::string("Relu"))
      .output("Y");
  return t;
}

double layer_bytes(const DepthwiseLayer& l) { return 4.0 * l.C * (l.H * l.H + l.OH() * l.OH()); }

// range(0): 0 = Onyx NCHW kernel, 1 = NCHWc8 kernel, 2 = reorder in and out.
void run_depthwise(benchmark::State& state, DepthwiseLayer l) {
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    state.SkipWithError("the NCHWc8 kernel needs AVX2 and FMA");
    return;
  }
  const OpTester t = depthwise_session(l);
  Session session = t.session(1);
  const auto feeds = t.feeds();
  const Tensor& x = feeds.at("X");
  const Tensor want = session.run(feeds).at(0);
  const Tensor w = random_floats({l.C, 1, 3, 3}, 32), b = random_floats({l.C}, 33);
  const int64_t HW = l.H * l.H, OHW = l.OH() * l.OH();
  std::vector<float> xb(static_cast<size_t>(l.C * HW)), yb(static_cast<size_t>(l.C * OHW));
  std::vector<float> wb(static_cast<size_t>(l.C * 9)), y(static_cast<size_t>(l.C * OHW));
  to_blocked(x.data<float>(), l.C, HW, xb.data());
  to_blocked(w.data<float>(), l.C, 9, wb.data());
  depthwise_blocked(l, xb.data(), wb.data(), b.data<float>(), yb.data());
  from_blocked(yb.data(), l.C, OHW, y.data());
  for (int64_t i = 0; i < l.C * OHW; ++i)
    if (std::fabs(y[static_cast<size_t>(i)] - want.data<float>()[i]) > 1e-4f) {
      state.SkipWithError("the NCHWc8 kernel disagrees with the session");
      return;
    }
  const int64_t mode = state.range(0);
  for (auto _ : state) {
    if (mode == 0) {
      benchmark::DoNotOptimize(session.run(feeds));
    } else if (mode == 1) {
      depthwise_blocked(l, xb.data(), wb.data(), b.data<float>(), yb.data());
      benchmark::ClobberMemory();
    } else {
      to_blocked(x.data<float>(), l.C, HW, xb.data());
      from_blocked(yb.data(), l.C, OHW, y.data());
      benchmark::ClobberMemory();
    }
  }
  state.SetLabel(mode == 0 ? "Onyx NCHW" : mode == 1 ? "NCHWc8" : "reorder in+out");
  state.counters["GB/s"] =
      benchmark::Counter(layer_bytes(l) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

#define DEPTHWISE(name, ...)                                                       \
  void BM_Nchwc_##name(benchmark::State& st) { run_depthwise(st, {__VA_ARGS__}); } \
  BENCHMARK(BM_Nchwc_##name)->DenseRange(0, 2)->UseRealTime()->Unit(benchmark::kMicrosecond)

// MobileNetV2's depthwise layers at 224x224 (channels, plane, stride).
DEPTHWISE(Depthwise32, 32, 112, 1);
DEPTHWISE(Depthwise96s2, 96, 112, 2);
DEPTHWISE(Depthwise144, 144, 56, 1);
DEPTHWISE(Depthwise144s2, 144, 56, 2);
DEPTHWISE(Depthwise192, 192, 28, 1);
DEPTHWISE(Depthwise576, 576, 14, 1);
DEPTHWISE(Depthwise576s2, 576, 14, 2);
DEPTHWISE(Depthwise960, 960, 7, 1);

}  // namespace
}  // namespace onyx

#endif  // defined(__x86_64__)
