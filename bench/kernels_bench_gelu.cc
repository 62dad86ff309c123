// Gelu (erf and tanh forms) through a one-node Session, on BERT-base's feed-forward
// activations (128 tokens of 3072), with the fast kernels and with the reference ones
// (second arg 1), at 1 and 2 threads (first arg); GB/s counts X read and Y written once.
// Run: build/bench/onyx_kernel_bench --benchmark_filter=Gelu
#include <benchmark/benchmark.h>

#include "bench_session.h"

namespace onyx {
namespace {

using bench::random_floats;
using testing::OpTester;

void gelu_args(benchmark::internal::Benchmark* b) {
  for (int threads : {1, 2})
    for (int reference : {0, 1}) b->Args({threads, reference});
  b->ArgNames({"threads", "reference"})->UseRealTime()->Unit(benchmark::kMicrosecond);
}

void run_gelu(benchmark::State& state, const char* approximate) {
  constexpr int64_t kTokens = 128, kWidth = 3072;
  OpTester t("Gelu", 20);
  t.input("X", random_floats({kTokens, kWidth}, 61)).attr("approximate", approximate).output("Y");
  bench::run_fast_or_reference(state, t, "GB/s", 2.0 * 4 * kTokens * kWidth);
}

void BM_Gelu_Erf(benchmark::State& state) { run_gelu(state, "none"); }
BENCHMARK(BM_Gelu_Erf)->Apply(gelu_args);

void BM_Gelu_Tanh(benchmark::State& state) { run_gelu(state, "tanh"); }
BENCHMARK(BM_Gelu_Tanh)->Apply(gelu_args);

}  // namespace
}  // namespace onyx
