// Accepted-dtype lists in the spec's type-constraint vocabulary, shared by every
// operator family's registration. Opsets before 13 lack bfloat16.
#pragma once

#include <algorithm>
#include <vector>

#include "onyx/dtype.h"
#include "onyx/registry.h"  // dtypes_of

namespace onyx {

inline std::vector<DType> without_bfloat16(std::vector<DType> list) {
  list.erase(std::remove(list.begin(), list.end(), DType::BFloat16), list.end());
  return list;
}
inline std::vector<DType> with_dtypes(std::vector<DType> base, std::vector<DType> extra) {
  base.insert(base.end(), extra.begin(), extra.end());
  return base;
}
inline bool dtype_listed(const std::vector<DType>& list, DType t) {
  return std::find(list.begin(), list.end(), t) != list.end();
}

// tensor(float16), tensor(float), tensor(double): the float types of early opsets.
inline std::vector<DType> float_dtypes() { return {DType::Float16, DType::Float, DType::Double}; }
// all_numeric_types (13+), and before opset 13.
inline std::vector<DType> numeric_dtypes() { return dtypes_of(NumericTypes{}); }
inline std::vector<DType> numeric_dtypes_no_bf16() { return without_bfloat16(numeric_dtypes()); }
// all_tensor_types as far as Onyx stores them (13+), and before opset 13.
inline std::vector<DType> all_dtypes_13() { return dtypes_of(AllTypes{}); }
inline std::vector<DType> all_dtypes() { return without_bfloat16(all_dtypes_13()); }

}  // namespace onyx
