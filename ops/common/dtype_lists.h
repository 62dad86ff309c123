// Accepted-dtype lists in the spec's type-constraint vocabulary, shared by every
// operator family's registration. Opsets before 13 lack bfloat16.
#pragma once

#include <algorithm>
#include <utility>
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
// The same plus tensor(bfloat16): most float ops from opset 13, and the ~48 ops whose
// opset-22 version did nothing but add it (Conv, the pools, the RNNs, Elu, Sin, ...).
inline std::vector<DType> float_dtypes_bf16() {
  return with_dtypes(float_dtypes(), {DType::BFloat16});
}
// all_numeric_types (13+), and before opset 13.
inline std::vector<DType> numeric_dtypes() { return dtypes_of(NumericTypes{}); }
inline std::vector<DType> numeric_dtypes_no_bf16() { return without_bfloat16(numeric_dtypes()); }
// all_tensor_types as far as Onyx stores them (13+), and before opset 13.
inline std::vector<DType> all_dtypes_13() { return dtypes_of(AllTypes{}); }
inline std::vector<DType> all_dtypes() { return without_bfloat16(all_dtypes_13()); }

// The element types below 16 bits that the spec's later type lists add, each list named
// by the IR version that introduced its newest types (the spec's all_tensor_types_irN):
// IR 9 (opset 19) the four float8 types, IR 10 (opset 21) int4 and uint4, IR 11 (opset 23)
// float4e2m1, IR 12 (opset 24) float8e8m0, IR 13 (opset 25) int2 and uint2.
inline std::vector<DType> narrow_dtypes_ir(int ir) {
  const std::pair<int, std::vector<DType>> added[] = {
      {9, {DType::Float8E4M3FN, DType::Float8E4M3FNUZ, DType::Float8E5M2, DType::Float8E5M2FNUZ}},
      {10, {DType::UInt4, DType::Int4}},
      {11, {DType::Float4E2M1}},
      {12, {DType::Float8E8M0}},
      {13, {DType::UInt2, DType::Int2}}};
  std::vector<DType> out;
  for (const auto& [since, types] : added)
    if (ir >= since) out.insert(out.end(), types.begin(), types.end());
  return out;
}
// all_tensor_types_irN (N = 9 to 13): all_dtypes_13() and the narrow types up to IR N.
inline std::vector<DType> all_dtypes_ir(int ir) {
  return with_dtypes(all_dtypes_13(), narrow_dtypes_ir(ir));
}
// The IR whose types an operator widened at each of those opsets takes at `opset`
// (Identity, Constant, If, Loop, Scan, ...): IR 9 at 19, ..., IR 13 from 25; 4 before 19.
inline int all_types_ir_at(int opset) {
  return opset >= 25   ? 13
         : opset >= 24 ? 12
         : opset >= 23 ? 11
         : opset >= 21 ? 10
         : opset >= 19 ? 9
                       : 4;
}

}  // namespace onyx
