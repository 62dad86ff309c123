// Internals shared by the files of ops/generate: each file's registration entry and the
// dtype lists of the ONNX type constraints these ops use.
#pragma once

#include <vector>

#include "common/dtype_lists.h"
#include "onyx/dtype.h"
#include "onyx/registry.h"

namespace onyx {

void register_range(Registry& registry);              // range.cc: Range
void register_constant_of_shape(Registry& registry);  // constant_of_shape.cc: ConstantOfShape
void register_eye_like(Registry& registry);           // eye_like.cc: EyeLike
void register_one_hot(Registry& registry);            // one_hot.cc: OneHot
void register_trilu(Registry& registry);              // trilu.cc: Trilu

// Lists only this family uses (the shared ones are in common/dtype_lists.h).
namespace gen {

// The numeric types plus bool (EyeLike, ConstantOfShape).
inline std::vector<DType> numeric_bool_dtypes() {
  return with_dtypes(numeric_dtypes_no_bf16(), {DType::Bool});
}

}  // namespace gen
}  // namespace onyx
