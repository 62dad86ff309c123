// Internals shared by the files of ops/tensor: each file's registration entry and
// the dtype lists of the ONNX type constraints these ops use.
#pragma once

#include <vector>

#include "onyx/dtype.h"
#include "onyx/registry.h"

namespace onyx {

void register_reshape(Registry& registry);  // Reshape, Flatten
void register_squeeze(Registry& registry);  // Squeeze, Unsqueeze
void register_transpose(Registry& registry);
void register_concat(Registry& registry);
void register_constant(Registry& registry);
void register_identity(Registry& registry);
void register_shape(Registry& registry);
void register_gather(Registry& registry);
void register_size(Registry& registry);
void register_split(Registry& registry);
void register_slice(Registry& registry);
void register_gather_elements(Registry& registry);
void register_gather_nd(Registry& registry);
void register_scatter_elements(Registry& registry);  // Scatter, ScatterElements
void register_scatter_nd(Registry& registry);
void register_expand(Registry& registry);
void register_tile(Registry& registry);
void register_pad(Registry& registry);
void register_depth_space(Registry& registry);  // DepthToSpace, SpaceToDepth

// ONNX's all_tensor_types as far as Onyx stores them; the `13` list adds bfloat16.
inline std::vector<DType> all_dtypes_13() { return dtypes_of(AllTypes{}); }
inline std::vector<DType> all_dtypes() {
  std::vector<DType> out;
  for (DType t : all_dtypes_13())
    if (t != DType::BFloat16) out.push_back(t);
  return out;
}
inline std::vector<DType> float_dtypes_v1() {  // the float16/float/double of opset 1
  return {DType::Float16, DType::Float, DType::Double};
}

}  // namespace onyx
