// The tensor family: shape manipulation and data movement.
#include "common/families.h"
#include "tensor/tensor_ops.h"

namespace onyx {

void register_tensor(Registry& registry) {
  register_reshape(registry);
  register_squeeze(registry);
  register_transpose(registry);
  register_concat(registry);
  register_constant(registry);
  register_identity(registry);
  register_shape(registry);
  register_gather(registry);
  register_size(registry);
  register_split(registry);
  register_slice(registry);
  register_gather_elements(registry);
  register_gather_nd(registry);
  register_scatter_elements(registry);
  register_scatter_nd(registry);
  register_expand(registry);
  register_tile(registry);
  register_pad(registry);
  register_depth_space(registry);
  register_center_crop_pad(registry);
  register_tensor_scatter(registry);
}

}  // namespace onyx
