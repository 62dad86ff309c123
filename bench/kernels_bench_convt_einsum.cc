// ConvTranspose (GEMM + col2im) and Einsum (batched GEMM) through one-node sessions.
// Arguments: threads, then 1 for the reference kernels (the loops the fast paths replace),
// so each case reports both side by side.
// Run: build/bench/onyx_kernel_bench --benchmark_filter='ConvTranspose|Einsum'
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench_session.h"

namespace onyx {
namespace {

using bench::random_floats;
using bench::run_fast_or_reference;
using testing::OpTester;

// A decoder's upsampling layer: 64 -> 32 channels, 4x4 kernel, stride 2, pad 1, 56x56 ->
// 112x112 (DCGAN- and U-Net-style).
void BM_ConvTransposeUpsample(benchmark::State& state) {
  const int64_t C = 64, M = 32, H = 56, K = 4;
  OpTester t("ConvTranspose", 11);
  t.input("X", random_floats({1, C, H, H}, 1))
      .constant("W", random_floats({C, M, K, K}, 2))
      .constant("B", random_floats({M}, 3))
      .attr("strides", std::vector<int64_t>{2, 2})
      .attr("pads", std::vector<int64_t>{1, 1, 1, 1})
      .output("Y");
  run_fast_or_reference(state, t, "GFLOP/s", 2.0 * C * M * K * K * H * H);
}
BENCHMARK(BM_ConvTransposeUpsample)
    ->Args({1, 0})
    ->Args({2, 0})
    ->Args({1, 1})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// A 1-D upsampling layer of a vocoder: 256 -> 128 channels, kernel 16, stride 8.
void BM_ConvTranspose1D(benchmark::State& state) {
  const int64_t C = 256, M = 128, L = 200, K = 16;
  OpTester t("ConvTranspose", 11);
  t.input("X", random_floats({1, C, L}, 4))
      .constant("W", random_floats({C, M, K}, 5))
      .attr("strides", std::vector<int64_t>{8})
      .attr("pads", std::vector<int64_t>{4, 4})
      .output("Y");
  run_fast_or_reference(state, t, "GFLOP/s", 2.0 * C * M * K * L);
}
BENCHMARK(BM_ConvTranspose1D)
    ->Args({1, 0})
    ->Args({2, 0})
    ->Args({1, 1})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// Attention products of a BERT-base layer at sequence 128: 12 heads of 64.
void run_attention_einsum(benchmark::State& state, const std::string& equation, Shape a, Shape b,
                          double flops) {
  OpTester t("Einsum", 12);
  t.input("A", random_floats(std::move(a), 6))
      .input("B", random_floats(std::move(b), 7))
      .attr("equation", equation)
      .output("Y");
  run_fast_or_reference(state, t, "GFLOP/s", flops);
}

void BM_EinsumAttentionScores(benchmark::State& state) {
  run_attention_einsum(state, "bhqd,bhkd->bhqk", {1, 12, 128, 64}, {1, 12, 128, 64},
                       2.0 * 12 * 128 * 128 * 64);
}
BENCHMARK(BM_EinsumAttentionScores)
    ->Args({1, 0})
    ->Args({2, 0})
    ->Args({1, 1})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_EinsumAttentionContext(benchmark::State& state) {
  run_attention_einsum(state, "bhqk,bhkd->bhqd", {1, 12, 128, 128}, {1, 12, 128, 64},
                       2.0 * 12 * 128 * 128 * 64);
}
BENCHMARK(BM_EinsumAttentionContext)
    ->Args({1, 0})
    ->Args({2, 0})
    ->Args({1, 1})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace onyx
