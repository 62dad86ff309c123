// 8-bit matrix products through a one-node Session: MatMulInteger with a constant
// weight (packed once), fast kernels against the reference ones side by side.
// Arguments: threads, reference (1: SessionOptions::reference_kernels).
// Run: build/bench/onyx_kernel_bench --benchmark_filter=MatMulInteger
#include <benchmark/benchmark.h>

#include "bench_session.h"

namespace onyx {
namespace {

using bench::run_fast_or_reference;

using testing::OpTester;

template <class T>
Tensor random_bytes(DType t, Shape shape, uint32_t seed) {
  Tensor out(t, std::move(shape));
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> u(0, 255);
  for (int64_t i = 0; i < out.numel(); ++i) out.data<T>()[i] = static_cast<T>(u(rng));
  return out;
}

// uint8 activations (M x K) times int8 weights (K x N), as dynamically quantized
// transformers run them.
void run_matmul_integer(benchmark::State& state, int64_t M, int64_t K, int64_t N) {
  OpTester t("MatMulInteger", 10);
  t.input("A", random_bytes<uint8_t>(DType::UInt8, {M, K}, 1))
      .constant("B", random_bytes<int8_t>(DType::Int8, {K, N}, 2))
      .input("a_zero_point", Tensor::from_vector<uint8_t>({}, {128}))
      .constant("b_zero_point", Tensor::from_vector<int8_t>({}, {3}))
      .output("Y");
  run_fast_or_reference(state, t, "GOP/s", 2.0 * M * K * N);
}

void BM_MatMulInteger_128x768x768(benchmark::State& state) {
  run_matmul_integer(state, 128, 768, 768);
}
BENCHMARK(BM_MatMulInteger_128x768x768)
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

void BM_MatMulInteger_1x768x3072(benchmark::State& state) {
  run_matmul_integer(state, 1, 768, 3072);
}
BENCHMARK(BM_MatMulInteger_1x768x3072)
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// QLinearMatMul 128x768x768: the same product and the requantization.
void BM_QLinearMatMul_128x768x768(benchmark::State& state) {
  const int64_t M = 128, K = 768, N = 768;
  OpTester t("QLinearMatMul", 10);
  t.input("a", random_bytes<uint8_t>(DType::UInt8, {M, K}, 1))
      .input("a_scale", Tensor::from_vector<float>({}, {0.02f}))
      .input("a_zero_point", Tensor::from_vector<uint8_t>({}, {128}))
      .constant("b", random_bytes<int8_t>(DType::Int8, {K, N}, 2))
      .constant("b_scale", Tensor::from_vector<float>({}, {0.01f}))
      .constant("b_zero_point", Tensor::from_vector<int8_t>({}, {0}))
      .input("y_scale", Tensor::from_vector<float>({}, {0.5f}))
      .input("y_zero_point", Tensor::from_vector<uint8_t>({}, {128}))
      .output("y");
  run_fast_or_reference(state, t, "GOP/s", 2.0 * M * K * N);
}
BENCHMARK(BM_QLinearMatMul_128x768x768)
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// ConvInteger, ResNet-style 3x3, 64 -> 64 channels on 56x56 (im2col and the same GEMM).
void BM_ConvInteger_3x3_64to64_56(benchmark::State& state) {
  const int64_t C = 64, M = 64, H = 56;
  OpTester t("ConvInteger", 10);
  t.input("x", random_bytes<uint8_t>(DType::UInt8, {1, C, H, H}, 1))
      .constant("w", random_bytes<int8_t>(DType::Int8, {M, C, 3, 3}, 2))
      .input("x_zero_point", Tensor::from_vector<uint8_t>({}, {128}))
      .constant("w_zero_point", Tensor::from_vector<int8_t>({}, {0}))
      .attr("pads", std::vector<int64_t>{1, 1, 1, 1})
      .output("y");
  run_fast_or_reference(state, t, "GOP/s", 2.0 * M * C * 9 * H * H);
}
BENCHMARK(BM_ConvInteger_3x3_64to64_56)
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace onyx
