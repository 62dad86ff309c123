// What every per-kernel benchmark shares: random inputs and the timing of a one-node
// Session, the same path a model takes. Benchmarks of one op family live in a file of
// their own, kernels_bench_<family>.cc, linked into onyx_kernel_bench.
#pragma once

#include <benchmark/benchmark.h>

#include <random>

#include "op_tester.h"

namespace onyx::bench {

inline Tensor random_floats(Shape shape, uint32_t seed) {
  Tensor t(DType::Float, std::move(shape));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = u(rng);
  return t;
}

inline void run_session(benchmark::State& state, const testing::OpTester& tester, double flops) {
  Session session = tester.session(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(session.run(tester.feeds()));
  if (flops > 0)
    state.counters["GFLOP/s"] =
        benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// Times the op with range(0) threads and, when range(1) is 1, the reference kernels, so
// that fast and reference runs sit side by side in one report. `counter` names the rate
// reported ("GB/s", "GFLOP/s", "GOP/s") of `per_run` (bytes moved, operations) per run.
inline void run_fast_or_reference(benchmark::State& state, const testing::OpTester& tester,
                                  const char* counter, double per_run) {
  Session session = tester.session(static_cast<int>(state.range(0)), state.range(1) != 0);
  for (auto _ : state) benchmark::DoNotOptimize(session.run(tester.feeds()));
  state.counters[counter] =
      benchmark::Counter(per_run * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(state.range(1) != 0 ? "reference" : "fast");
}

}  // namespace onyx::bench
