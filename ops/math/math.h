// Internals shared by the files of ops/math: each file's registration entry and the
// arithmetic type rules of elementwise kernels.
#pragma once

#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "common/dtype_lists.h"
#include "onyx/dtype.h"
#include "onyx/registry.h"

namespace onyx {

void register_binary(Registry& registry);  // Add, Sub, Mul, Div
// Relu, Sigmoid, Tanh, Abs, Neg, Sign, Ceil, Floor, Round, Reciprocal, Sqrt, Exp, Log, Erf
void register_unary(Registry& registry);
void register_trig(Registry& registry);  // Sin, Cos, Tan, Asin, ..., Atanh
void register_isnan_isinf(Registry& registry);
void register_clip(Registry& registry);
void register_prelu(Registry& registry);
void register_pow(Registry& registry);
void register_mod(Registry& registry);
void register_bitshift(Registry& registry);
void register_bitwise(Registry& registry);   // BitwiseAnd, BitwiseOr, BitwiseXor, BitwiseNot
void register_variadic(Registry& registry);  // Max, Min, Mean, Sum
// LeakyRelu, Elu, Selu, Celu, HardSigmoid, HardSwish, Softplus, Softsign, ThresholdedRelu,
// Shrink, Mish, Swish
void register_activations(Registry& registry);
void register_gelu(Registry& registry);  // Gelu, and the optimizer's ai.onyx Gelu
void register_swiglu(Registry& registry);

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

// A floating-point value converted to integer type I: truncated toward zero, saturated at
// I's range, NaN as 0 (C++ leaves the out-of-range cases undefined).
template <class I>
inline I saturate_cast(double v) {
  if (std::isnan(v)) return I(0);
  if (v <= static_cast<double>(std::numeric_limits<I>::lowest()))
    return std::numeric_limits<I>::lowest();
  if (v >= static_cast<double>(std::numeric_limits<I>::max())) return std::numeric_limits<I>::max();
  return static_cast<I>(v);
}

// Dtype lists of the ONNX type constraints the math ops use, by name.
}  // namespace onyx
