// Per-kernel timings through a real one-node Session (the same path a model takes).
// Run: build/bench/onyx_kernel_bench [--benchmark_filter=Conv]
#include <benchmark/benchmark.h>

#include <random>

#include "op_tester.h"

namespace onyx {
namespace {

using testing::OpTester;

Tensor random_floats(Shape shape, uint32_t seed) {
  Tensor t(DType::Float, std::move(shape));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = u(rng);
  return t;
}

void run_session(benchmark::State& state, const OpTester& tester, double flops) {
  Session session = tester.session(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(session.run(tester.feeds()));
  if (flops > 0)
    state.counters["GFLOP/s"] =
        benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// ResNet-style 3x3 convolution, 64 -> 64 channels on 56x56.
void BM_Conv3x3(benchmark::State& state) {
  OpTester t("Conv", 13);
  t.input("X", random_floats({1, 64, 56, 56}, 1))
      .constant("W", random_floats({64, 64, 3, 3}, 2))
      .constant("B", random_floats({64}, 3))
      .attr("kernel_shape", std::vector<int64_t>{3, 3})
      .attr("pads", std::vector<int64_t>{1, 1, 1, 1})
      .output("Y");
  run_session(state, t, 2.0 * 64 * 64 * 9 * 56 * 56);
}
BENCHMARK(BM_Conv3x3)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_Gemm512(benchmark::State& state) {
  OpTester t("Gemm", 13);
  t.input("A", random_floats({512, 512}, 4))
      .constant("B", random_floats({512, 512}, 5))
      .output("Y");
  run_session(state, t, 2.0 * 512 * 512 * 512);
}
BENCHMARK(BM_Gemm512)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_MatMulBatched(benchmark::State& state) {
  OpTester t("MatMul", 13);
  t.input("A", random_floats({12, 128, 64}, 6))
      .input("B", random_floats({12, 64, 128}, 7))
      .output("Y");
  run_session(state, t, 2.0 * 12 * 128 * 64 * 128);
}
BENCHMARK(BM_MatMulBatched)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_SoftmaxRows(benchmark::State& state) {
  OpTester t("Softmax", 13);
  t.input("X", random_floats({128, 1000}, 8)).output("Y");
  run_session(state, t, 0);
}
BENCHMARK(BM_SoftmaxRows)->Arg(1)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_AddBroadcast(benchmark::State& state) {
  OpTester t("Add", 14);
  t.input("A", random_floats({1, 64, 56, 56}, 9))
      .constant("B", random_floats({64, 1, 1}, 10))
      .output("Y");
  run_session(state, t, 0);
}
BENCHMARK(BM_AddBroadcast)->Arg(1)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_MaxPool3x3(benchmark::State& state) {
  OpTester t("MaxPool", 12);
  t.input("X", random_floats({1, 64, 112, 112}, 11))
      .attr("kernel_shape", std::vector<int64_t>{3, 3})
      .attr("strides", std::vector<int64_t>{2, 2})
      .attr("pads", std::vector<int64_t>{1, 1, 1, 1})
      .output("Y");
  run_session(state, t, 0);
}
BENCHMARK(BM_MaxPool3x3)->Arg(1)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace onyx
