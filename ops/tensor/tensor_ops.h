// Internals shared by the files of ops/tensor: each file's registration entry and
// the dtype lists of the ONNX type constraints these ops use.
#pragma once

#include "common/dtype_lists.h"

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
void register_center_crop_pad(Registry& registry);
void register_tensor_scatter(Registry& registry);

// ONNX's all_tensor_types as far as Onyx stores them; the `13` list adds bfloat16.
}  // namespace onyx
