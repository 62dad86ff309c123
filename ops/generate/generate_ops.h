// Internals shared by the files of ops/generate: each file's registration entry and the
// dtype lists of the ONNX type constraints these ops use.
#pragma once

#include <vector>

#include "onyx/dtype.h"
#include "onyx/registry.h"

namespace onyx {

void register_range(Registry& registry);              // range.cc: Range
void register_constant_of_shape(Registry& registry);  // constant_of_shape.cc: ConstantOfShape
void register_eye_like(Registry& registry);           // eye_like.cc: EyeLike
void register_one_hot(Registry& registry);            // one_hot.cc: OneHot
void register_trilu(Registry& registry);              // trilu.cc: Trilu

// Dtype lists, in a namespace of their own so they cannot clash with other families' helpers.
namespace gen {

// ONNX's all_numeric_types: the integers and float16/float/double (no bfloat16).
inline std::vector<DType> numeric_dtypes() {
  std::vector<DType> out;
  for (DType t : dtypes_of(NumericTypes{}))
    if (t != DType::BFloat16) out.push_back(t);
  return out;
}
// The numeric types plus bool (EyeLike, ConstantOfShape).
inline std::vector<DType> numeric_bool_dtypes() {
  std::vector<DType> out = numeric_dtypes();
  out.push_back(DType::Bool);
  return out;
}
// Whether `t` is one of `list`.
inline bool dtype_listed(const std::vector<DType>& list, DType t) {
  for (DType d : list)
    if (d == t) return true;
  return false;
}

}  // namespace gen
}  // namespace onyx
