// Output comparison with the ONNX backend runner's rules: floats by
// |got - want| <= atol + rtol * |want| (NaN equals NaN), everything else exactly,
// and dtypes and shapes must match.
#pragma once

#include <string>

#include "onyx/runtime_value.h"
#include "onyx/tensor.h"

namespace onyx::cli {

// Empty when equal; otherwise a one-line reason naming the first mismatch.
std::string compare_tensors(const Tensor& got, const Tensor& want, double rtol, double atol);
// The same for any value: kinds must match; sequences compare item by item.
std::string compare_values(const RuntimeValue& got, const RuntimeValue& want, double rtol,
                           double atol);

}  // namespace onyx::cli
