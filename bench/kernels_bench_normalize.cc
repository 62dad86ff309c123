// Softmax, LogSoftmax and LayerNormalization through a one-node Session: the shapes of a
// BERT-base layer and a strided (axis 1) Softmax. Each runs with the fast kernels and
// with the reference ones (second arg 1), at 1 and 2 threads (first arg); GB/s counts
// the bytes of X read and Y written once.
// Run: build/bench/onyx_kernel_bench --benchmark_filter='Softmax|LayerNorm'
#include <benchmark/benchmark.h>

#include "bench_session.h"

namespace onyx {
namespace {

using bench::random_floats;
using bench::run_fast_or_reference;
using testing::OpTester;

// Bytes moved: X read once, Y written once.
double bytes_moved(int64_t elements) { return 2.0 * sizeof(float) * static_cast<double>(elements); }

void normalize_args(benchmark::internal::Benchmark* b) {
  for (int threads : {1, 2})
    for (int reference : {0, 1}) b->Args({threads, reference});
  b->ArgNames({"threads", "reference"})->UseRealTime()->Unit(benchmark::kMicrosecond);
}

// Attention probabilities of BERT-base at sequence length 128: 12 heads of 128 x 128.
void BM_Softmax_Attention(benchmark::State& state) {
  OpTester t("Softmax", 13);
  t.input("X", random_floats({1, 12, 128, 128}, 51)).output("Y");
  run_fast_or_reference(state, t, "GB/s", bytes_moved(12 * 128 * 128));
}
BENCHMARK(BM_Softmax_Attention)->Apply(normalize_args);

void BM_LogSoftmax_Attention(benchmark::State& state) {
  OpTester t("LogSoftmax", 13);
  t.input("X", random_floats({1, 12, 128, 128}, 52)).output("Y");
  run_fast_or_reference(state, t, "GB/s", bytes_moved(12 * 128 * 128));
}
BENCHMARK(BM_LogSoftmax_Attention)->Apply(normalize_args);

// Class scores laid out as NCHW: the normalized axis has stride 7 x 7.
void BM_Softmax_Strided(benchmark::State& state) {
  OpTester t("Softmax", 13);
  t.input("X", random_floats({1, 1000, 7, 7}, 53)).attr("axis", int64_t{1}).output("Y");
  run_fast_or_reference(state, t, "GB/s", bytes_moved(1000 * 7 * 7));
}
BENCHMARK(BM_Softmax_Strided)->Apply(normalize_args);

// BERT-base's LayerNormalization over 128 tokens of 768.
void BM_LayerNorm_Bert(benchmark::State& state) {
  OpTester t("LayerNormalization", 17);
  t.input("X", random_floats({128, 768}, 54))
      .constant("Scale", random_floats({768}, 55))
      .constant("B", random_floats({768}, 56))
      .attr("axis", int64_t{-1})
      .output("Y");
  run_fast_or_reference(state, t, "GB/s", bytes_moved(128 * 768));
}
BENCHMARK(BM_LayerNorm_Bert)->Apply(normalize_args);

}  // namespace
}  // namespace onyx
