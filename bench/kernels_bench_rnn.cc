// Recurrent layers through one-node sessions: an LSTM and a GRU of 32 steps, input 128,
// hidden 256, W and R as initializers, at batch 1 and 8.
// Args: threads, batch, variant: 0 the fast path (GEMM per step, vectorised gates),
// 1 the reference kernels, 2 the per-entry matvec loop that non-default gate functions
// take (the last gate function given as ScaledTanh(1, 1), which equals Tanh).
// GFLOP/s counts the multiply-adds of the input and recurrent products only.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench_session.h"

namespace onyx {
namespace {

using bench::random_floats;
using testing::OpTester;

constexpr int64_t kSeq = 32, kInput = 128, kHidden = 256;

void run_recurrent(benchmark::State& state, const std::string& op, int gates) {
  const int threads = static_cast<int>(state.range(0));
  const int64_t batch = state.range(1);
  const int64_t variant = state.range(2);
  const int64_t G = gates * kHidden;
  OpTester t(op, 14);
  t.input("X", random_floats({kSeq, batch, kInput}, 31))
      .constant("W", random_floats({1, G, kInput}, 32))
      .constant("R", random_floats({1, G, kHidden}, 33))
      .constant("B", random_floats({1, 2 * G}, 34))
      .output("Y")
      .output("Y_h")
      .attr("hidden_size", kHidden);
  if (variant == 2) {
    std::vector<std::string> acts = {"Sigmoid", "ScaledTanh"};
    if (op == "LSTM") acts = {"Sigmoid", "Tanh", "ScaledTanh"};
    t.attr("activations", acts)
        .attr("activation_alpha", std::vector<float>{1.0f})
        .attr("activation_beta", std::vector<float>{1.0f});
  }
  Session session = t.session(threads, variant == 1);
  for (auto _ : state) benchmark::DoNotOptimize(session.run(t.feeds()));
  const double flops = 2.0 * kSeq * batch * G * (kInput + kHidden);
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(variant == 0 ? "fast" : variant == 1 ? "reference" : "matvec");
}

void BM_Lstm(benchmark::State& state) { run_recurrent(state, "LSTM", 4); }
void BM_Gru(benchmark::State& state) { run_recurrent(state, "GRU", 3); }

void recurrent_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"threads", "batch", "variant"});
  for (int64_t threads : {1, 2})
    for (int64_t batch : {1, 8})
      for (int64_t variant : {0, 1, 2}) b->Args({threads, batch, variant});
}

BENCHMARK(BM_Lstm)->Apply(recurrent_args)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Gru)->Apply(recurrent_args)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace onyx
