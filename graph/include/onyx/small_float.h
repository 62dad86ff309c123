// The 8- and 4-bit float formats ONNX defines, one element at a time: the four float8
// types of opset 19 (E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ), float4e2m1 (opset 21) and the
// exponent-only float8e8m0 (opset 24). Each code is the element's bits in a uint8_t.
#pragma once

#include <cstdint>

#include "onyx/dtype.h"

namespace onyx {

// How a float becomes float8e8m0 when it lies between two powers of two (Cast's
// `round_mode`, opset 25): Up to the larger, Down to the smaller, Nearest to the closer
// (a tie goes up).
enum class E8M0Rounding { Up, Down, Nearest };

// The float8, float8e8m0 and float4e2m1 types.
bool dtype_is_small_float(DType t);

// The value of `code` (exact: every one of these values is a float).
float small_float_decode(DType t, uint8_t code);

// The code of x, rounded to nearest even (float8e8m0: per `e8m0`). With `saturate`,
// values beyond the largest finite value (infinities included) become it; without,
// they become infinity where the format has one, else NaN. float4e2m1 has neither, so it
// always saturates. NaN stays NaN; float4e2m1, which has none, gives -0 as ONNX's
// reference does. The FNUZ types have no negative zero: -0 becomes +0.
uint8_t small_float_encode(DType t, float x, bool saturate, E8M0Rounding e8m0 = E8M0Rounding::Up);

}  // namespace onyx
