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
}

}  // namespace onyx
