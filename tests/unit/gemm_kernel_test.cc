// The GEMM of ops/kernels against an independent double-precision loop and OpenBLAS:
// every runnable microkernel (each ISA and tile geometry), every transposition, edge
// and odd sizes, prepacked operands, the epilogue, and 1, 2 and 4 threads.
#include <cblas.h>
#include <gtest/gtest.h>

#include <cstring>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "common/parallel.h"
#include "kernels/gemm/gemm.h"

namespace onyx {
namespace {

using kernels::MicroKernel;

std::vector<float> random_vector(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

struct Case {
  int64_t M, N, K;
  bool ta, tb;
};

// op(X)[r, c] of a stored row-major matrix with `cols` columns.
float at(const std::vector<float>& x, bool trans, int64_t r, int64_t c, int64_t cols) {
  return trans ? x[c * cols + r] : x[r * cols + c];
}

// Compares C = alpha * op(A) * op(B) + beta * C0 with a double-precision sum.
void check_case(const MicroKernel& uk, const Case& k, float alpha, float beta,
                const kernels::Parallel& par) {
  const auto a = random_vector(static_cast<size_t>(k.M * k.K), 1);
  const auto b = random_vector(static_cast<size_t>(k.K * k.N), 2);
  const auto c0 = random_vector(static_cast<size_t>(k.M * k.N), 3);
  std::vector<float> c = c0;
  const int64_t lda = k.ta ? k.M : k.K, ldb = k.tb ? k.K : k.N;
  kernels::sgemm(k.ta, k.tb, k.M, k.N, k.K, alpha, a.data(), lda, b.data(), ldb, beta, c.data(),
                 k.N, par, uk);
  for (int64_t m = 0; m < k.M; ++m)
    for (int64_t n = 0; n < k.N; ++n) {
      double sum = 0;
      for (int64_t i = 0; i < k.K; ++i)
        sum += double(at(a, k.ta, m, i, lda)) * double(at(b, k.tb, i, n, ldb));
      const double want = alpha * sum + beta * double(c0[m * k.N + n]);
      ASSERT_NEAR(c[m * k.N + n], want, 1e-5 * (k.K + 1) + 1e-5 * std::fabs(want))
          << uk.name << " M=" << k.M << " N=" << k.N << " K=" << k.K << " ta=" << k.ta
          << " tb=" << k.tb << " at (" << m << ", " << n << ") threads=" << par.threads;
    }
}

TEST(GemmKernel, EveryMicrokernelMatchesDoubleSumsOnOddShapes) {
  ThreadPool pool(4);
  const kernels::Parallel four = parallel_of(pool);
  for (const MicroKernel* uk : kernels::runnable_microkernels()) {
    for (int64_t M : {1, 2, 5, 13, 31})
      for (int64_t N : {1, 3, 17, 64})
        for (int64_t K : {0, 1, 7, 300})
          for (int t = 0; t < 4; ++t)
            check_case(*uk, {M, N, K, (t & 1) != 0, (t & 2) != 0}, 0.5f, 2.0f,
                       M * N > 100 ? four : kernels::serial());
  }
}

TEST(GemmKernel, LargeShapesAtSeveralThreadCounts) {
  // Shapes that cross the K, M and N blocks (256, 144, 2048) and leave edge tiles.
  for (int threads : {1, 2, 4}) {
    ThreadPool pool(threads);
    for (const Case& k : {Case{150, 2100, 70, false, false}, Case{301, 97, 513, true, false},
                          Case{7, 4099, 260, false, true}})
      check_case(kernels::default_microkernel(), k, 1.0f, 0.0f, parallel_of(pool));
  }
}

TEST(GemmKernel, AgreesWithOpenBlas) {
  const int64_t M = 197, N = 383, K = 611;
  const auto a = random_vector(M * K, 4), b = random_vector(K * N, 5);
  std::vector<float> ours(M * N), blas(M * N);
  ThreadPool pool(2);
  kernels::sgemm(false, true, M, N, K, 1.0f, a.data(), K, b.data(), K, 0.0f, ours.data(), N,
                 parallel_of(pool));
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.0f, a.data(), K, b.data(), K,
              0.0f, blas.data(), N);
  for (int64_t i = 0; i < M * N; ++i) ASSERT_NEAR(ours[i], blas[i], 1e-4f) << "at " << i;
}

TEST(GemmKernel, PanelsFilledPanelByPanelEqualPackedOnes) {
  // K spans several depth blocks; M leaves the last panel partly padding.
  const int64_t M = 37, N = 45, K = 1111;
  const auto a = random_vector(M * K, 10), b = random_vector(K * N, 11);
  for (const MicroKernel* uk : kernels::runnable_microkernels()) {
    const kernels::PackedPanels packed(kernels::StridedSource::a_matrix(a.data(), K, false), M, K,
                                       uk->mr);
    kernels::PackedPanels by_panel(M, K, uk->mr);
    for (int64_t m0 = (M - 1) / uk->mr * uk->mr; m0 >= 0; m0 -= uk->mr)  // in any order
      by_panel.set_panel(m0, a.data() + m0 * K, K);
    const kernels::PackedPanels pb(kernels::StridedSource::b_matrix(b.data(), N, false), N, K,
                                   uk->nr);
    std::vector<float> want(M * N), got(M * N);
    kernels::gemm(*uk, M, N, K, packed, pb, want.data(), N);
    kernels::gemm(*uk, M, N, K, by_panel, pb, got.data(), N);
    EXPECT_EQ(std::memcmp(want.data(), got.data(), want.size() * sizeof(float)), 0) << uk->name;
  }
}

TEST(GemmKernel, PrepackedOperandsAndEpilogue) {
  const int64_t M = 37, N = 45, K = 290;
  const auto a = random_vector(M * K, 6), b = random_vector(K * N, 7);
  const auto bias = random_vector(M, 8), residual = random_vector(M * N, 9);
  for (const MicroKernel* uk : kernels::runnable_microkernels()) {
    const kernels::PackedPanels pa(kernels::StridedSource::a_matrix(a.data(), K, false), M, K,
                                   uk->mr);
    const kernels::PackedPanels pb(kernels::StridedSource::b_matrix(b.data(), N, false), N, K,
                                   uk->nr);
    kernels::GemmEpilogue ep;
    ep.alpha = 0.25f;
    ep.bias = bias.data();
    ep.bias_per_row = true;
    ep.addend = residual.data();
    ep.addend_rs = N;
    ep.addend_cs = 1;
    ep.beta = -1.0f;
    ep.activation.kind = kernels::Activation::Relu;
    std::vector<float> c(M * N, 42.0f);
    kernels::gemm(*uk, M, N, K, pa, pb, c.data(), N, ep);
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        double sum = 0;
        for (int64_t i = 0; i < K; ++i) sum += double(a[m * K + i]) * b[i * N + n];
        const double v = 0.25 * sum + bias[m] - residual[m * N + n];
        ASSERT_NEAR(c[m * N + n], v < 0 ? 0.0 : v, 1e-4)
            << uk->name << " (" << m << ", " << n << ")";
      }
  }
}

// Bias (per row or column), an addend and Relu/Clip are applied by the microkernel in
// registers on full tiles and by the driver on edge tiles: both must give the formula,
// over several K blocks, and keep NaN.
TEST(GemmKernel, EpilogueInRegistersMatchesTheFormula) {
  const int64_t M = 37, N = 45, K = 700;
  auto a = random_vector(M * K, 10);
  const auto b = random_vector(K * N, 11);
  const auto bias = random_vector(std::max(M, N), 12), addend = random_vector(M * N, 13);
  a[3 * K + 5] = std::numeric_limits<float>::quiet_NaN();  // row 3 of C is NaN
  using kernels::Activation;
  for (const MicroKernel* uk : kernels::runnable_microkernels())
    for (Activation act : {Activation::None, Activation::Relu, Activation::Clip})
      for (bool per_row : {true, false})
        for (bool with_addend : {false, true}) {
          kernels::GemmEpilogue ep;
          ep.bias = bias.data();
          ep.bias_per_row = per_row;
          if (with_addend) {
            ep.addend = addend.data();
            ep.addend_rs = N;
            ep.addend_cs = 1;
          }
          ep.activation = {act, -0.5f, 0.7f};
          std::vector<float> c(M * N, 42.0f);
          kernels::gemm(*uk, M, N, K, kernels::StridedSource::a_matrix(a.data(), K, false),
                        kernels::StridedSource::b_matrix(b.data(), N, false), c.data(), N, ep);
          for (int64_t m = 0; m < M; ++m)
            for (int64_t n = 0; n < N; ++n) {
              const float got = c[m * N + n];
              if (m == 3) {
                ASSERT_TRUE(std::isnan(got)) << uk->name << " (" << m << ", " << n << ")";
                continue;
              }
              double v = per_row ? bias[m] : bias[n];
              for (int64_t i = 0; i < K; ++i) v += double(a[m * K + i]) * b[i * N + n];
              if (with_addend) v += addend[m * N + n];
              if (act == Activation::Relu) v = std::max(v, 0.0);
              if (act == Activation::Clip) v = std::clamp(v, -0.5, 0.7);
              ASSERT_NEAR(got, v, 1e-4) << uk->name << " (" << m << ", " << n << ") act "
                                        << static_cast<int>(act) << " per_row " << per_row;
            }
        }
}

// Activations that are no clamp (Sigmoid, GELU) are applied by the driver to groups of
// finished tiles, after the bias and addend the microkernel added in registers: over
// several row blocks, column groups and a ragged edge, the result is the formula.
TEST(GemmKernel, VectorMathActivationsAfterTheRegisterEpilogueMatchTheFormula) {
  const int64_t M = 301, N = 333, K = 40;
  const auto a = random_vector(M * K, 20), b = random_vector(K * N, 21);
  const auto bias = random_vector(N, 22), addend = random_vector(M * N, 23);
  using kernels::Activation;
  for (const MicroKernel* uk : kernels::runnable_microkernels())
    for (Activation act : {Activation::Sigmoid, Activation::Gelu, Activation::GeluTanh}) {
      kernels::GemmEpilogue ep;
      ep.bias = bias.data();
      ep.bias_per_row = false;
      ep.addend = addend.data();
      ep.addend_rs = N;
      ep.addend_cs = 1;
      ep.activation.kind = act;
      std::vector<float> c(M * N, 42.0f);
      kernels::gemm(*uk, M, N, K, kernels::StridedSource::a_matrix(a.data(), K, false),
                    kernels::StridedSource::b_matrix(b.data(), N, false), c.data(), N, ep);
      for (int64_t m = 0; m < M; ++m)
        for (int64_t n = 0; n < N; ++n) {
          double v = bias[n] + addend[m * N + n];
          for (int64_t i = 0; i < K; ++i) v += double(a[m * K + i]) * b[i * N + n];
          ASSERT_NEAR(c[m * N + n], kernels::activate<double>(ep.activation, v), 1e-4)
              << uk->name << " (" << m << ", " << n << ") act " << static_cast<int>(act);
        }
    }
}

TEST(GemmKernel, ActiveIsaIsRunnable) {
  const MicroKernel& uk = kernels::default_microkernel();
  EXPECT_TRUE(kernels::isa_supported(uk.isa)) << uk.name;
  EXPECT_LE(static_cast<int>(uk.isa), static_cast<int>(kernels::active_isa()));
}

}  // namespace
}  // namespace onyx
