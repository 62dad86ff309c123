// Our SGEMM against OpenBLAS on the shapes the zoo runs: square sizes, the im2col GEMMs
// of ResNet-50's convolutions, BERT's projections and attention products, skinny and
// tiny cases. Counters: GFLOP/s. Arguments: threads.
//
//   build/bench/onyx_gemm_bench --benchmark_filter='Square'
//
// For OpenBLAS at full speed, run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <random>
#include <vector>

#include "common/parallel.h"
#include "kernels/gemm/gemm.h"

namespace onyx {
namespace {

struct Shape3 {
  int64_t m, n, k;
};

std::vector<float> random_vector(size_t n) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

void set_rate(benchmark::State& state, const Shape3& s) {
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * s.m * s.n * s.k * 1e-9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

void run_ours(benchmark::State& state, Shape3 s) {
  const auto a = random_vector(s.m * s.k), b = random_vector(s.k * s.n);
  std::vector<float> c(s.m * s.n);
  ThreadPool pool(static_cast<int>(state.range(0)));
  const kernels::Parallel par = parallel_of(pool);
  for (auto _ : state) {
    kernels::sgemm(false, false, s.m, s.n, s.k, 1.0f, a.data(), s.k, b.data(), s.n, 0.0f, c.data(),
                   s.n, par);
    benchmark::DoNotOptimize(c.data());
  }
  set_rate(state, s);
}

void run_openblas(benchmark::State& state, Shape3 s) {
  const auto a = random_vector(s.m * s.k), b = random_vector(s.k * s.n);
  std::vector<float> c(s.m * s.n);
  openblas_set_num_threads(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s.m, s.n, s.k, 1.0f, a.data(), s.k,
                b.data(), s.n, 0.0f, c.data(), s.n);
    benchmark::DoNotOptimize(c.data());
  }
  set_rate(state, s);
}

#define GEMM_PAIR(name, m, n, k)                                                           \
  void BM_Onyx_##name(benchmark::State& st) { run_ours(st, {m, n, k}); }                   \
  void BM_OpenBlas_##name(benchmark::State& st) { run_openblas(st, {m, n, k}); }           \
  BENCHMARK(BM_Onyx_##name)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond); \
  BENCHMARK(BM_OpenBlas_##name)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond)

GEMM_PAIR(Square256, 256, 256, 256);
GEMM_PAIR(Square1024, 1024, 1024, 1024);
GEMM_PAIR(Square2048, 2048, 2048, 2048);
// ResNet-50 convolutions as GEMMs (M = output channels, N = positions, K = C * taps).
GEMM_PAIR(ResNetConv1_7x7, 64, 12544, 147);
GEMM_PAIR(ResNet3x3_64, 64, 3136, 576);
GEMM_PAIR(ResNet1x1_256to64, 64, 3136, 256);
GEMM_PAIR(ResNet3x3_256, 256, 196, 2304);
GEMM_PAIR(ResNet3x3_512, 512, 49, 4608);
// BERT-base at sequence length 128.
GEMM_PAIR(Bert768x768, 128, 768, 768);
GEMM_PAIR(Bert768x3072, 128, 3072, 768);
GEMM_PAIR(Bert3072x768, 128, 768, 3072);
GEMM_PAIR(BertAttentionScores, 128, 128, 64);
// Skinny and tiny.
GEMM_PAIR(Skinny1x1000x2048, 1, 1000, 2048);
GEMM_PAIR(Tiny8, 8, 8, 8);

}  // namespace
}  // namespace onyx
