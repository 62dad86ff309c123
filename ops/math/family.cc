// The math family: elementwise arithmetic and activations.
#include "common/families.h"
#include "math/math.h"

namespace onyx {

void register_math(Registry& registry) {
  register_binary(registry);
  register_unary(registry);
  register_clip(registry);
  register_prelu(registry);
}

}  // namespace onyx
