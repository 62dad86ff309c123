// Internals shared by the files of ops/math: each file's registration entry and the
// arithmetic type rules of elementwise kernels.
#pragma once

#include <type_traits>
#include <vector>

#include "onyx/dtype.h"
#include "onyx/registry.h"

namespace onyx {

void register_binary(Registry& registry);  // Add, Sub, Mul, Div
void register_unary(Registry& registry);   // Relu, Sigmoid, Tanh
void register_clip(Registry& registry);
void register_prelu(Registry& registry);

// Half-precision types are computed in float: convert, compute, convert back.
template <class T>
inline constexpr bool is_half_v = std::is_same_v<T, float16_t> || std::is_same_v<T, bfloat16_t>;
template <class T>
using compute_t = std::conditional_t<is_half_v<T>, float, T>;

// a op b for one element. Integers wrap around (two's complement, like numpy) instead of
// overflowing into undefined behaviour: the op runs on an unsigned type at least as wide
// as `unsigned`, so small types are not promoted to a signed int that could overflow.
template <class T, class Op>
inline T arith(T a, T b, Op op) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;
    return static_cast<T>(op(static_cast<U>(a), static_cast<U>(b)));
  } else if constexpr (is_half_v<T>) {
    return T(op(static_cast<float>(a), static_cast<float>(b)));
  } else {
    return op(a, b);
  }
}

// Dtype lists of the ONNX type constraints the math ops use, by name.
inline std::vector<DType> float_dtypes() {  // float16, float, double
  return {DType::Float16, DType::Float, DType::Double};
}
inline std::vector<DType> with_dtypes(std::vector<DType> base, std::vector<DType> extra) {
  base.insert(base.end(), extra.begin(), extra.end());
  return base;
}

}  // namespace onyx
