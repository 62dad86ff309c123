// 8-bit integer GEMM with zero points, exact in int32:
//
//   C[m, n] = sum_k (A[m, k] - a_zp[m]) * (B[k, n] - b_zp[n])   (wrapping int32)
//
//   A (M x K) and B (K x N) are row-major uint8 or int8, each with one zero point or one
//   per line (A's rows, B's columns). Packing subtracts the zero points and widens to
//   int16 (a difference of two 8-bit values of one type fits in [-255, 255]), so the
//   microkernel multiplies int16 pairs into int32 (AVX2 vpmaddwd: two products of at most
//   255 * 255 summed, never saturating) and needs no row or column sum corrections.
//   B panels hold NR columns with each pair of K steps interleaved; a constant B is packed
//   once (PackedInt8B). The driver splits C into blocks of rows and columns, one task
//   each, and blocks K so an A block stays in L2 and a B panel in L1.
#pragma once

#include <cstdint>
#include <type_traits>
#include <vector>

#include "kernels/parallel.h"

namespace onyx::kernels {

// An 8-bit row-major matrix: element (row r, column c) at data[r * row_stride + c].
struct Int8Matrix {
  const void* data = nullptr;
  bool is_signed = false;  // int8, else uint8
  int64_t row_stride = 0;
  // The zero point of each line (A: per row, B: per column), or null for `zero_point`.
  const int32_t* zero_points = nullptr;
  int32_t zero_point = 0;
};

// Computes rows [0, rows) of a tile of 16 columns over `pairs` pairs of K steps and
// stores (or, with `accumulate`, adds) them at c with row stride ldc.
using IgemmTile = void (*)(int rows, int64_t pairs, const int16_t* a, const int16_t* b, int32_t* c,
                           int64_t ldc, bool accumulate);

struct IgemmKernel {
  const char* name;
  IgemmTile tile;
};

constexpr int kIgemmMR = 6;   // rows per A panel
constexpr int kIgemmNR = 16;  // columns per B panel

// Calls fn(std::integral_constant<int, rows>{}) for rows in [1, kIgemmMR]: the ISA tiles
// take the row count as a template argument, so their row loops unroll into registers.
template <class Fn>
void with_row_count(int rows, Fn&& fn) {
  switch (rows) {
    case 1:
      return fn(std::integral_constant<int, 1>{});
    case 2:
      return fn(std::integral_constant<int, 2>{});
    case 3:
      return fn(std::integral_constant<int, 3>{});
    case 4:
      return fn(std::integral_constant<int, 4>{});
    case 5:
      return fn(std::integral_constant<int, 5>{});
    default:
      return fn(std::integral_constant<int, kIgemmMR>{});
  }
}

// The kernel of the active ISA, and every kernel this CPU runs (for tests).
const IgemmKernel& default_igemm_kernel();
std::vector<const IgemmKernel*> runnable_igemm_kernels();

// B (K x N) minus its zero points, widened and packed into panels for every K step.
class PackedInt8B {
 public:
  PackedInt8B() = default;
  PackedInt8B(const Int8Matrix& b, int64_t K, int64_t N, const Parallel& parallel = serial());
  bool holds(int64_t K, int64_t N) const { return packed_ && K_ == K && N_ == N; }
  // Panel p from K step k (even).
  const int16_t* panel(int64_t p, int64_t k) const {
    return data_.data() + (p * pairs_ + k / 2) * 2 * kIgemmNR;
  }

 private:
  std::vector<int16_t> data_;
  int64_t K_ = 0, N_ = 0, pairs_ = 0;
  bool packed_ = false;
};

// C (M x N, row stride ldc) = the product above.
void igemm(int64_t M, int64_t N, int64_t K, const Int8Matrix& a, const Int8Matrix& b, int32_t* c,
           int64_t ldc, const Parallel& parallel = serial(),
           const IgemmKernel& kernel = default_igemm_kernel());
void igemm(int64_t M, int64_t N, int64_t K, const Int8Matrix& a, const PackedInt8B& b, int32_t* c,
           int64_t ldc, const Parallel& parallel = serial(),
           const IgemmKernel& kernel = default_igemm_kernel());

// QLinearMatMul's requantization of n sums: out[i] = saturate(round_half_even(acc[i] *
// double(multiplier[i])) + zero_point), NaN read as 0, in double as the reference does.
void requantize(const int32_t* acc, const float* multiplier, int64_t n, int32_t zero_point,
                uint8_t* out);
void requantize(const int32_t* acc, const float* multiplier, int64_t n, int32_t zero_point,
                int8_t* out);

}  // namespace onyx::kernels
