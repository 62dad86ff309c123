// The generate family: tensors made from shapes or counts: Range, ConstantOfShape, EyeLike, OneHot,
// Trilu
#include "common/families.h"
#include "generate/generate_ops.h"

namespace onyx {

void register_generate(Registry& registry) {
  register_range(registry);
  register_constant_of_shape(registry);
  register_eye_like(registry);
  register_one_hot(registry);
  register_trilu(registry);
}

}  // namespace onyx
