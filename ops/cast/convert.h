// Element-type conversion shared by Cast and CastLike: one routine over every (from, to)
// pair of stored dtypes (numeric types, bool, float16, bfloat16, string, and the narrow
// types of onyx/narrow_tensor.h).
#pragma once

#include "onyx/narrow_tensor.h"
#include "onyx/tensor.h"

namespace onyx {

// How float and double become bfloat16. ONNX's backend data up to opset 18 was made by
// dropping the low 16 bits of the float; the reference implementation that came with
// opset 19 rounds to nearest even, as float16 always does.
enum class BFloat16Rounding { NearestEven, Truncate };

struct CastOptions {
  BFloat16Rounding bf16 = BFloat16Rounding::NearestEven;
  NarrowingOptions narrowing;  // Cast's `saturate` and `round_mode`
};

// Converts every element of `in` into `out` (same element count, already allocated with
// the target dtype). Rules:
//  - float to integer truncates toward zero; NaN and out-of-range values (undefined in the
//    spec) give what x86-64's truncating conversions give: the integer minimum of 32 or
//    64 bits, whose low bits narrower types then keep (as numpy does);
//  - integer to integer wraps around (keeps the low bits); anything to bool is x != 0;
//  - to float16 and bfloat16, round to nearest even (from double without double rounding);
//  - to string: integers in decimal, bool as 1/0, floats as the shortest text that reads
//    back to the same value, NaN/INF/-INF for the special values;
//  - from string: decimal or scientific numbers, with INF/+INF/-INF/NaN in any case, and
//    true/false for bool; a text that is not a number is an error;
//  - a narrow type converts through its wide type (float for float8/float4, int8 or uint8
//    for int4/int2/uint4/uint2): float, double, float16 and bfloat16 become float8 through
//    float; integers become int4/int2 by keeping the low bits, as ONNX's reference (numpy
//    and ml_dtypes' astype) wraps them, so 9 becomes int4 -7.
// Throws onyx::Error naming the offending element.
void convert_elements(const Tensor& in, Tensor& out, const CastOptions& options = {});

}  // namespace onyx
