// Does a channel-blocked layout (NCHWc) pay? One thread, on MobileNetV2's layers: Onyx's
// NCHW kernels (through sessions, the path a model takes) beside direct blocked kernels
// written for the comparison (nchwc/: 8 channels a block with AVX2, 16 with AVX-512; no
// row tails, stride 2 as cheap as stride 1, no packing of the activations), and the
// reorders in and out of the blocked layout that a layout pass would add at the edges of
// a conv chain:
//   - BM_Nchwc_Depthwise*: one depthwise layer;
//   - BM_Nchwc_Block*: a whole inverted-residual block (1x1 expand + Clip, 3x3 depthwise
//     + Clip, 1x1 project + residual Add), the unit a blocked chain would be made of.
// Every blocked result is checked against the sessions' before it is timed. Onyx's side
// runs the ISA the process chose (ONYX_ISA=avx2 matches it to the 8-channel kernels).
// It stays an experiment: bench/RESULTS.md says what it measured and what was decided.
// x86-64 only: the blocked kernels are written with intrinsics.
#if defined(__x86_64__)
#include <cmath>

#include "bench_session.h"
#include "kernels/cpu.h"
#include "nchwc/nchwc_kernels.h"

namespace onyx {
namespace {

using bench::random_floats;
using nchwc::Clamp;
using testing::OpTester;

constexpr float kInf = std::numeric_limits<float>::infinity();

// One ISA's blocked kernels: range(1) of a benchmark is its block (8 or 16 channels).
struct BlockedKernels {
  int64_t block;
  void (*pointwise)(const nchwc::Pointwise&);
  void (*depthwise)(const nchwc::Depthwise&);
  const char* name;
};

// The kernels for `block`, or null when this CPU can't run them.
const BlockedKernels* blocked_kernels(int64_t block) {
  static const BlockedKernels avx2{8, nchwc::pointwise_avx2, nchwc::depthwise_avx2, "NCHWc8"};
  static const BlockedKernels avx512{16, nchwc::pointwise_avx512, nchwc::depthwise_avx512,
                                     "NCHWc16"};
  const BlockedKernels* k = block == 16 ? &avx512 : &avx2;
  const kernels::Isa isa = block == 16 ? kernels::Isa::Avx512 : kernels::Isa::Avx2;
  return kernels::isa_supported(isa) ? k : nullptr;
}

int64_t padded(int64_t C, int64_t block) { return (C + block - 1) / block * block; }

// NCHW (C, HW) -> (C/B, HW, B), the padded lanes zero.
std::vector<float> to_blocked(const float* x, int64_t C, int64_t HW, int64_t B) {
  std::vector<float> out(static_cast<size_t>(padded(C, B) * HW), 0.0f);
  for (int64_t c = 0; c < C; ++c)
    for (int64_t p = 0; p < HW; ++p)
      out[static_cast<size_t>(((c / B) * HW + p) * B + c % B)] = x[c * HW + p];
  return out;
}

void from_blocked(const float* x, int64_t C, int64_t HW, int64_t B, float* out) {
  for (int64_t c = 0; c < C; ++c)
    for (int64_t p = 0; p < HW; ++p) out[c * HW + p] = x[((c / B) * HW + p) * B + c % B];
}

// (Cout, Cin) weights -> (Cout/B, Cin, B), both counts padded with zeros.
std::vector<float> pointwise_weights_blocked(const Tensor& w, int64_t Cout, int64_t Cin,
                                             int64_t B) {
  const int64_t cin = padded(Cin, B);
  std::vector<float> out(static_cast<size_t>(padded(Cout, B) * cin), 0.0f);
  for (int64_t o = 0; o < Cout; ++o)
    for (int64_t i = 0; i < Cin; ++i)
      out[static_cast<size_t>(((o / B) * cin + i) * B + o % B)] = w.data<float>()[o * Cin + i];
  return out;
}

std::vector<float> bias_padded(const Tensor& b, int64_t B) {
  std::vector<float> out(static_cast<size_t>(padded(b.numel(), B)), 0.0f);
  std::copy(b.data<float>(), b.data<float>() + b.numel(), out.begin());
  return out;
}

bool agrees(const std::vector<float>& got, const Tensor& want) {
  for (int64_t i = 0; i < want.numel(); ++i)
    if (std::fabs(got[static_cast<size_t>(i)] - want.data<float>()[i]) >
        1e-4f * (1 + std::fabs(want.data<float>()[i])))
      return false;
  return true;
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

// range(0): 0 = Onyx NCHW kernel, 1 = blocked kernel, 2 = reorder in and out;
// range(1): the block (8: AVX2, 16: AVX-512).
void run_depthwise(benchmark::State& state, DepthwiseLayer l) {
  const BlockedKernels* k = blocked_kernels(state.range(1));
  if (k == nullptr) {
    state.SkipWithError("this CPU can't run the blocked kernels");
    return;
  }
  const OpTester t = conv_session(l.C, l.C, l.H, 3, l.stride, l.C, 31, false, "Relu");
  Session session = t.session(1);
  const auto feeds = t.feeds();
  const Tensor& x = feeds.at("X");
  const Tensor want = session.run(feeds).at(0);
  const int64_t B = k->block, C = padded(l.C, B), HW = l.H * l.H, OHW = l.OH() * l.OH();
  std::vector<float> xb = to_blocked(x.data<float>(), l.C, HW, B);
  const std::vector<float> wb = to_blocked(random_floats({l.C, 1, 3, 3}, 32).data<float>(), l.C, 9, B);
  const std::vector<float> bias = bias_padded(random_floats({l.C}, 33), B);
  std::vector<float> yb(static_cast<size_t>(C * OHW)), y(static_cast<size_t>(l.C * OHW));
  const nchwc::Depthwise blocked{xb.data(), wb.data(), bias.data(), yb.data(),
                                 C,         l.H,       l.stride,    Clamp{0, kInf}};
  k->depthwise(blocked);
  from_blocked(yb.data(), l.C, OHW, B, y.data());
  if (!agrees(y, want)) {
    state.SkipWithError("the blocked kernel disagrees with the session");
    return;
  }
  const int64_t mode = state.range(0);
  for (auto _ : state) {
    if (mode == 0) {
      benchmark::DoNotOptimize(session.run(feeds));
    } else if (mode == 1) {
      k->depthwise(blocked);
      benchmark::ClobberMemory();
    } else {
      xb = to_blocked(x.data<float>(), l.C, HW, B);
      from_blocked(yb.data(), l.C, OHW, B, y.data());
      benchmark::ClobberMemory();
    }
  }
  state.SetLabel(mode == 0 ? "Onyx NCHW" : mode == 1 ? k->name : "reorder in+out");
  state.counters["GB/s"] =
      benchmark::Counter(layer_bytes(l) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// Onyx's kernel once, then the blocked kernel and the reorders for each block size.
void modes_and_blocks(benchmark::internal::Benchmark* b) {
  b->Args({0, 8});
  for (int64_t block : {8, 16}) b->Args({1, block})->Args({2, block});
}

#define DEPTHWISE(name, ...)                                                       \
  void BM_Nchwc_##name(benchmark::State& st) { run_depthwise(st, {__VA_ARGS__}); } \
  BENCHMARK(BM_Nchwc_##name)->Apply(modes_and_blocks)->UseRealTime()->Unit(benchmark::kMicrosecond)

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
// 1 = the blocked chain, 2 = the block's input reordered in and its output out;
// range(1): the block (8: AVX2, 16: AVX-512).
void run_block(benchmark::State& state, InvertedResidual b) {
  const BlockedKernels* k = blocked_kernels(state.range(1));
  if (k == nullptr) {
    state.SkipWithError("this CPU can't run the blocked kernels");
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

  // The same weights, blocked once (as a layout pass would at session creation).
  const int64_t B = k->block, Cin = padded(b.Cin, B), Ep = padded(E, B), Cout = padded(b.Cout, B);
  const std::vector<float> w_expand =
      pointwise_weights_blocked(random_floats({E, b.Cin, 1, 1}, 42), E, b.Cin, B);
  const std::vector<float> w_project =
      pointwise_weights_blocked(random_floats({b.Cout, E, 1, 1}, 62), b.Cout, E, B);
  const std::vector<float> w_depthwise =
      to_blocked(random_floats({E, 1, 3, 3}, 52).data<float>(), E, 9, B);
  const std::vector<float> b_expand = bias_padded(random_floats({E}, 43), B),
                           b_depthwise = bias_padded(random_floats({E}, 53), B),
                           b_project = bias_padded(random_floats({b.Cout}, 63), B);
  std::vector<float> xb = to_blocked(x.data<float>(), b.Cin, P, B);
  std::vector<float> eb(static_cast<size_t>(Ep * P)), db(static_cast<size_t>(Ep * OP));
  std::vector<float> yb(static_cast<size_t>(Cout * OP)), y(static_cast<size_t>(b.Cout * OP));
  const Clamp relu6{0, 6};
  auto blocked = [&] {
    k->pointwise({xb.data(), w_expand.data(), b_expand.data(), nullptr, eb.data(), Cin, Ep, P,
                  relu6});
    k->depthwise({eb.data(), w_depthwise.data(), b_depthwise.data(), db.data(), Ep, b.H,
                  b.stride, relu6});
    k->pointwise({db.data(), w_project.data(), b_project.data(),
                  b.residual() ? xb.data() : nullptr, yb.data(), Ep, Cout, OP, Clamp{}});
  };
  blocked();
  from_blocked(yb.data(), b.Cout, OP, B, y.data());
  if (!agrees(y, want)) {
    state.SkipWithError("the blocked chain disagrees with the sessions");
    return;
  }
  const int64_t mode = state.range(0);
  for (auto _ : state) {
    if (mode == 0) {
      benchmark::DoNotOptimize(nchw());
    } else if (mode == 1) {
      blocked();
      benchmark::ClobberMemory();
    } else {
      xb = to_blocked(x.data<float>(), b.Cin, P, B);
      from_blocked(yb.data(), b.Cout, OP, B, y.data());
      benchmark::ClobberMemory();
    }
  }
  state.SetLabel(mode == 0 ? "Onyx NCHW" : mode == 1 ? k->name : "reorder in+out");
  state.counters["GFLOP/s"] =
      benchmark::Counter(b.flops() * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

#define BLOCK(name, ...)                                                       \
  void BM_Nchwc_##name(benchmark::State& st) { run_block(st, {__VA_ARGS__}); } \
  BENCHMARK(BM_Nchwc_##name)->Apply(modes_and_blocks)->UseRealTime()->Unit(benchmark::kMicrosecond)

// MobileNetV2's inverted-residual blocks at 224x224 (in, expanded, out, plane, stride),
// one of each kind; the model has 16 (10 with a residual).
BLOCK(Block24, 24, 144, 24, 56, 1);
BLOCK(Block24s2, 24, 144, 32, 56, 2);
BLOCK(Block32, 32, 192, 32, 28, 1);
BLOCK(Block64, 64, 384, 64, 14, 1);
BLOCK(Block96, 96, 576, 96, 14, 1);
BLOCK(Block160, 160, 960, 160, 7, 1);

}  // namespace
}  // namespace onyx

#endif  // defined(__x86_64__)
