// Output comparison with the ONNX backend runner's rules: floats by
// |got - want| <= atol + rtol * |want| (NaN equals NaN), everything else exactly,
// and dtypes and shapes must match.
#pragma once

#include <string>

#include "onyx/tensor.h"

namespace onyx::cli {

// Empty when equal; otherwise a one-line reason naming the first mismatch.
std::string compare_tensors(const Tensor& got, const Tensor& want, double rtol, double atol);

}  // namespace onyx::cli
