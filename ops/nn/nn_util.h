// Helpers shared by the nn kernels: the accumulator type of each element type, the
// conversion back, reading small parameter tensors, and message building.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "onyx/dtype.h"
#include "onyx/tensor.h"

namespace onyx {

// Sums run in a wider type than the storage: float for float16/bfloat16/float,
// double for double, 64-bit integers for integers.
template <class T>
struct accumulator {
  using type = std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>;
};
template <>
struct accumulator<float> {
  using type = float;
};
template <>
struct accumulator<double> {
  using type = double;
};
template <>
struct accumulator<float16_t> {
  using type = float;
};
template <>
struct accumulator<bfloat16_t> {
  using type = float;
};
template <class T>
using acc_t = typename accumulator<T>::type;

// Converts an accumulator back to storage (float16/bfloat16 construct from float).
template <class T, class A>
T from_acc(A value) {
  if constexpr (std::is_same_v<T, float16_t> || std::is_same_v<T, bfloat16_t>)
    return T(static_cast<float>(value));
  else
    return static_cast<T>(value);
}

// The values of a floating-point tensor of any float dtype, converted to A.
template <class A>
std::vector<A> float_values(const Tensor& t, const char* what) {
  std::vector<A> out(static_cast<size_t>(t.numel()));
  dispatch<FloatTypes>(t.dtype(), what, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = t.data<T>();
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<A>(static_cast<acc_t<T>>(p[i]));
  });
  return out;
}

// Concatenates streamable parts into one message string.
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

// C[m, n] += sum_k A[m, k] * B[k, n] for row-major views given by element strides, so
// transposed operands need no copy. acc holds M*N accumulators.
template <class T, class A>
void matmul_accumulate(const T* a, int64_t a_row, int64_t a_col, const T* b, int64_t b_row,
                       int64_t b_col, int64_t M, int64_t N, int64_t K, A* acc) {
  for (int64_t m = 0; m < M; ++m) {
    A* row = acc + m * N;
    for (int64_t k = 0; k < K; ++k) {
      const A av = static_cast<A>(a[m * a_row + k * a_col]);
      const T* brow = b + k * b_row;
      for (int64_t n = 0; n < N; ++n) row[n] += av * static_cast<A>(brow[n * b_col]);
    }
  }
}

}  // namespace onyx
