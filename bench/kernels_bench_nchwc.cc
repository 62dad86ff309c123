// Does a channel-blocked layout (NCHWc) pay? One thread, on MobileNetV2's layers: Onyx's
// NCHW kernels (through sessions, the path a model takes) beside the blocked kernels of
// kernels/nchwc (8 channels a block with AVX2, 16 with AVX-512: no row tails, stride 2 as
// cheap as stride 1, no packing of the activations), and the reorders in and out of the
// blocked layout that the blocked_layout pass adds at the edges of a chain:
//   - BM_Nchwc_Depthwise*: one depthwise layer;
//   - BM_Nchwc_Block*: a whole inverted-residual block (1x1 expand + Clip, 3x3 depthwise
//     + Clip, 1x1 project + residual Add), the unit such a chain is made of.
// Every blocked result is checked against the sessions' before it is timed. Both sides
// run the ISA the process chose: ONYX_ISA=avx2 compares the 8-channel kernels with the
// AVX2 NCHW ones. bench/RESULTS.md has what it measured.
#include <cmath>

#include "bench_session.h"
#include "kernels/nchwc/blocked_conv.h"

namespace onyx {
namespace {

namespace nchwc = kernels::nchwc;
using bench::random_floats;
using testing::OpTester;

std::vector<float> to_blocked(const Tensor& x, int64_t block) {
  const int64_t C = x.dim(1), HW = x.numel() / C;
  std::vector<float> y(static_cast<size_t>(nchwc::padded_channels(C, block) * HW));
  nchwc::to_blocked(x.data<float>(), C, HW, block, y.data(), kernels::serial());
  return y;
}

// Within `tolerance` x (1 + |want|): 1e-3 where the session's kernel is Winograd's.
bool agrees(const std::vector<float>& got, const Tensor& want, float tolerance = 1e-4f) {
  for (int64_t i = 0; i < want.numel(); ++i)
    if (std::fabs(got[static_cast<size_t>(i)] - want.data<float>()[i]) >
        tolerance * (1 + std::fabs(want.data<float>()[i])))
      return false;
  return true;
}

// Times range(0)'s mode, 0: `nchw` (Onyx's sessions), 1: `blocked` (the blocked kernels),
// 2: `reorder` (into and out of the blocked layout), and labels the run.
template <class Nchw, class Blocked, class Reorder>
void time_modes(benchmark::State& state, int64_t block, Nchw nchw, Blocked blocked,
                Reorder reorder) {
  const int64_t mode = state.range(0);
  for (auto _ : state) {
    if (mode == 0) {
      benchmark::DoNotOptimize(nchw());
      continue;
    }
    if (mode == 1)
      blocked();
    else
      reorder();
    benchmark::ClobberMemory();
  }
  state.SetLabel(mode == 0     ? "Onyx NCHW"
                 : mode == 2   ? "reorder in+out"
                 : block == 16 ? "NCHWc16"
                               : "NCHWc8");
}

kernels::ActivationParams clip(float lo, float hi) {
  kernels::ActivationParams p;
  p.kind = kernels::Activation::Clip;
  p.a = lo;
  p.b = hi;
  return p;
}

// ---- Sessions for the NCHW side -------------------------------------------------------

OpTester conv_session(int64_t Cin, int64_t Cout, int64_t H, int64_t kernel, int64_t stride,
                      int64_t group, uint32_t seed, bool residual, const char* activation) {
  OpTester t("FusedConv", 1, "ai.onyx");
  t.input("X", random_floats({1, Cin, H, H}, seed))
      .constant("W", random_floats({Cout, Cin / group, kernel, kernel}, seed + 1))
      .constant("B", random_floats({Cout}, seed + 2))
      .attr("kernel_shape", std::vector<int64_t>{kernel, kernel})
      .attr("strides", std::vector<int64_t>{stride, stride})
      .attr("pads", std::vector<int64_t>(4, kernel / 2))
      .attr("group", group);
  if (residual) t.input("Z", random_floats({1, Cout, H, H}, seed + 3));
  if (std::string(activation) == "Relu") t.attr("activation", std::string("Relu"));
  if (std::string(activation) == "Clip")
    t.attr("activation", std::string("Clip")).attr("activation_params", std::vector<float>{0, 6});
  t.output("Y");
  return t;
}

struct DepthwiseLayer {
  int64_t C, H, stride;
  int64_t OH() const { return (H + 2 - 3) / stride + 1; }
};

double layer_bytes(const DepthwiseLayer& l) { return 4.0 * l.C * (l.H * l.H + l.OH() * l.OH()); }

// range(0): 0 = Onyx NCHW kernel, 1 = blocked kernel, 2 = reorder in and out.
void run_depthwise(benchmark::State& state, DepthwiseLayer l) {
  const int64_t B = nchwc::native_block();
  if (B == 0) {
    state.SkipWithError("this CPU has no blocked kernels (AVX2 or AVX-512)");
    return;
  }
  const OpTester t = conv_session(l.C, l.C, l.H, 3, l.stride, l.C, 31, false, "Relu");
  Session session = t.session(1);
  const auto feeds = t.feeds();
  const Tensor& x = feeds.at("X");
  const Tensor want = session.run(feeds).at(0);
  const int64_t HW = l.H * l.H, OHW = l.OH() * l.OH();
  const nchwc::BlockedConvShape s{nchwc::BlockedConvKind::Depthwise, l.C, l.C, l.H, l.H, l.stride};
  const nchwc::BlockedConvWeights w(s, random_floats({l.C, 1, 3, 3}, 32).data<float>(),
                                    random_floats({l.C}, 33).data<float>(), B);
  kernels::ActivationParams relu;
  relu.kind = kernels::Activation::Relu;
  std::vector<float> xb = to_blocked(x, B);
  std::vector<float> yb(static_cast<size_t>(nchwc::padded_channels(l.C, B) * OHW));
  std::vector<float> y(static_cast<size_t>(l.C * OHW));
  auto blocked = [&] {
    nchwc::blocked_conv(s, w, xb.data(), nullptr, relu, yb.data(), kernels::serial());
  };
  blocked();
  nchwc::from_blocked(yb.data(), l.C, OHW, B, y.data(), kernels::serial());
  if (!agrees(y, want)) {
    state.SkipWithError("the blocked kernel disagrees with the session");
    return;
  }
  time_modes(
      state, B, [&] { return session.run(feeds); }, blocked,
      [&] {
        nchwc::to_blocked(x.data<float>(), l.C, HW, B, xb.data(), kernels::serial());
        nchwc::from_blocked(yb.data(), l.C, OHW, B, y.data(), kernels::serial());
      });
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

// ---- A whole inverted-residual block --------------------------------------------------

// Cin -> expand (1x1, Clip) -> depthwise (3x3, stride, Clip) -> project (1x1) to Cout,
// plus the block's input when stride is 1 and Cin == Cout.
struct InvertedResidual {
  int64_t Cin, expanded, Cout, H, stride;
  int64_t OH() const { return (H + 2 - 3) / stride + 1; }
  bool residual() const { return stride == 1 && Cin == Cout; }
  double flops() const {
    const double P = H * H, OP = OH() * OH();
    return 2.0 * (P * Cin * expanded + OP * expanded * 9 + OP * expanded * Cout);
  }
};

// range(0): 0 = Onyx NCHW (three one-node sessions, as the optimizer fuses the block),
// 1 = the blocked chain, 2 = the block's input reordered in and its output out.
void run_block(benchmark::State& state, InvertedResidual b) {
  const int64_t B = nchwc::native_block();
  if (B == 0) {
    state.SkipWithError("this CPU has no blocked kernels (AVX2 or AVX-512)");
    return;
  }
  const int64_t E = b.expanded, OH = b.OH(), P = b.H * b.H, OP = OH * OH;
  const OpTester expand = conv_session(b.Cin, E, b.H, 1, 1, 1, 41, false, "Clip");
  const OpTester depthwise = conv_session(E, E, b.H, 3, b.stride, E, 51, false, "Clip");
  const OpTester project = conv_session(E, b.Cout, OH, 1, 1, 1, 61, b.residual(), "");
  Session s_expand = expand.session(1), s_depthwise = depthwise.session(1),
          s_project = project.session(1);
  const Tensor x = expand.feeds().at("X");
  auto nchw = [&] {
    const Tensor e = s_expand.run({{"X", x}}).at(0);
    const Tensor d = s_depthwise.run({{"X", e}}).at(0);
    if (b.residual()) return s_project.run({{"X", d}, {"Z", x}}).at(0);
    return s_project.run({{"X", d}}).at(0);
  };
  const Tensor want = nchw();

  // The same weights, blocked once (as BlockedConv does at session creation).
  using nchwc::BlockedConvKind;
  const nchwc::BlockedConvShape s_e{BlockedConvKind::Pointwise, b.Cin, E, b.H, b.H},
      s_d{BlockedConvKind::Depthwise, E, E, b.H, b.H, b.stride},
      s_p{BlockedConvKind::Pointwise, E, b.Cout, OH, OH};
  const nchwc::BlockedConvWeights w_e(s_e, random_floats({E, b.Cin, 1, 1}, 42).data<float>(),
                                      random_floats({E}, 43).data<float>(), B),
      w_d(s_d, random_floats({E, 1, 3, 3}, 52).data<float>(), random_floats({E}, 53).data<float>(),
          B),
      w_p(s_p, random_floats({b.Cout, E, 1, 1}, 62).data<float>(),
          random_floats({b.Cout}, 63).data<float>(), B);
  std::vector<float> xb = to_blocked(x, B);
  const int64_t Ep = nchwc::padded_channels(E, B), Cout = nchwc::padded_channels(b.Cout, B);
  std::vector<float> eb(static_cast<size_t>(Ep * P)), db(static_cast<size_t>(Ep * OP));
  std::vector<float> yb(static_cast<size_t>(Cout * OP)), y(static_cast<size_t>(b.Cout * OP));
  const kernels::ActivationParams relu6 = clip(0, 6), none;
  auto blocked = [&] {
    const kernels::Parallel& one = kernels::serial();
    nchwc::blocked_conv(s_e, w_e, xb.data(), nullptr, relu6, eb.data(), one);
    nchwc::blocked_conv(s_d, w_d, eb.data(), nullptr, relu6, db.data(), one);
    nchwc::blocked_conv(s_p, w_p, db.data(), b.residual() ? xb.data() : nullptr, none, yb.data(),
                        one);
  };
  blocked();
  nchwc::from_blocked(yb.data(), b.Cout, OP, B, y.data(), kernels::serial());
  if (!agrees(y, want)) {
    state.SkipWithError("the blocked chain disagrees with the sessions");
    return;
  }
  time_modes(state, B, nchw, blocked, [&] {
    nchwc::to_blocked(x.data<float>(), b.Cin, P, B, xb.data(), kernels::serial());
    nchwc::from_blocked(yb.data(), b.Cout, OP, B, y.data(), kernels::serial());
  });
  state.counters["GFLOP/s"] =
      benchmark::Counter(b.flops() * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

#define BLOCK(name, ...)                                                       \
  void BM_Nchwc_##name(benchmark::State& st) { run_block(st, {__VA_ARGS__}); } \
  BENCHMARK(BM_Nchwc_##name)->DenseRange(0, 2)->UseRealTime()->Unit(benchmark::kMicrosecond)

// MobileNetV2's inverted-residual blocks at 224x224 (in, expanded, out, plane, stride),
// one of each kind; the model has 16 (10 with a residual).
BLOCK(Block24, 24, 144, 24, 56, 1);
BLOCK(Block24s2, 24, 144, 32, 56, 2);
BLOCK(Block32, 32, 192, 32, 28, 1);
BLOCK(Block64, 64, 384, 64, 14, 1);
BLOCK(Block96, 96, 576, 96, 14, 1);
BLOCK(Block160, 160, 960, 160, 7, 1);

// ---- A dense layer (ResNet's, SqueezeNet's) ----

struct DenseLayer {
  int64_t C, M, H, kernel, pad;
  int64_t OH() const { return H + 2 * pad - kernel + 1; }
  double flops() const { return 2.0 * M * C * kernel * kernel * OH() * OH(); }
};

// range(0): 0 = Onyx NCHW (a one-node FusedConv session, bias and Relu: Winograd or the
// implicit GEMM), 1 = blocked, 2 = reorder in and out.
void run_dense(benchmark::State& state, DenseLayer l) {
  const int64_t B = nchwc::native_block();
  if (B == 0) {
    state.SkipWithError("this CPU has no blocked kernels (AVX2 or AVX-512)");
    return;
  }
  OpTester t("FusedConv", 1, "ai.onyx");
  t.input("X", random_floats({1, l.C, l.H, l.H}, 71))
      .constant("W", random_floats({l.M, l.C, l.kernel, l.kernel}, 72))
      .constant("B", random_floats({l.M}, 73))
      .attr("kernel_shape", std::vector<int64_t>{l.kernel, l.kernel})
      .attr("pads", std::vector<int64_t>(4, l.pad))
      .attr("activation", std::string("Relu"))
      .output("Y");
  Session session = t.session(1);
  const Tensor want = session.run(t.feeds()).at(0);
  nchwc::BlockedConvShape s{nchwc::BlockedConvKind::Dense, l.C, l.M, l.H, l.H};
  s.K = l.kernel;
  s.dense_pad = l.pad;
  const nchwc::BlockedConvWeights w(s,
                                    random_floats({l.M, l.C, l.kernel, l.kernel}, 72).data<float>(),
                                    random_floats({l.M}, 73).data<float>(), B);
  kernels::ActivationParams relu;
  relu.kind = kernels::Activation::Relu;
  const std::vector<float> xb = to_blocked(t.feeds().at("X"), B);
  const int64_t OHW = l.OH() * l.OH();
  std::vector<float> yb(static_cast<size_t>(nchwc::padded_channels(l.M, B) * OHW));
  std::vector<float> y(static_cast<size_t>(l.M * OHW));
  auto blocked = [&] {
    nchwc::blocked_conv(s, w, xb.data(), nullptr, relu, yb.data(), kernels::serial());
  };
  blocked();
  nchwc::from_blocked(yb.data(), l.M, OHW, B, y.data(), kernels::serial());
  if (!agrees(y, want, 1e-3f)) {
    state.SkipWithError("the blocked kernel disagrees with the session");
    return;
  }
  std::vector<float> xb2(xb.size());
  time_modes(
      state, B, [&] { return session.run(t.feeds()); }, blocked,
      [&] {
        nchwc::to_blocked(t.feeds().at("X").data<float>(), l.C, l.H * l.H, B, xb2.data(),
                          kernels::serial());
        nchwc::from_blocked(yb.data(), l.M, OHW, B, y.data(), kernels::serial());
      });
  state.counters["GFLOP/s"] =
      benchmark::Counter(l.flops() * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

#define DENSE(name, ...)                                                       \
  void BM_Nchwc_##name(benchmark::State& st) { run_dense(st, {__VA_ARGS__}); } \
  BENCHMARK(BM_Nchwc_##name)->DenseRange(0, 2)->UseRealTime()->Unit(benchmark::kMicrosecond)

// ResNet-50's 3x3 layers of stride 1, SqueezeNet's expand3x3 layers (in, out, plane,
// kernel, padding).
DENSE(Dense64, 64, 64, 56, 3, 1);
DENSE(Dense128, 128, 128, 28, 3, 1);
DENSE(Dense256, 256, 256, 14, 3, 1);
DENSE(Dense512, 512, 512, 7, 3, 1);
DENSE(Dense16to64, 16, 64, 55, 3, 1);
DENSE(Dense64to256, 64, 256, 13, 3, 1);

}  // namespace
}  // namespace onyx
