// Whole tensors of the types with no C++ element type: the float8 types, float8e8m0,
// float4e2m1, int4/uint4 and int2/uint2. Kernels work on them through a "wide" tensor of
// the same shape: float for the float formats, int8 for int4/int2, uint8 for uint4/uint2.
// Widening is exact; narrowing rounds (floats, see small_float.h) or keeps the low bits
// (integers, as two's complement wraps).
#pragma once

#include "onyx/small_float.h"
#include "onyx/tensor.h"

namespace onyx {

bool dtype_is_narrow(DType t);
// float, int8 or uint8 for a narrow type; fails for any other.
DType widened_dtype(DType t);

// A new tensor of widened_dtype(t.dtype()) holding t's values.
Tensor widen(const Tensor& t);

struct NarrowingOptions {
  bool saturate = true;  // float8 only: see small_float_encode
  E8M0Rounding e8m0 = E8M0Rounding::Up;
};

// Writes `wide` (of widened_dtype(out.dtype()), same element count) into `out`.
void narrow_into(const Tensor& wide, Tensor& out, const NarrowingOptions& options = {});

}  // namespace onyx
