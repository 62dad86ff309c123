// The math family: elementwise arithmetic, math functions and activations.
#include "common/families.h"
#include "math/math.h"

namespace onyx {

void register_math(Registry& registry) {
  register_binary(registry);
  register_unary(registry);
  register_trig(registry);
  register_isnan_isinf(registry);
  register_clip(registry);
  register_prelu(registry);
  register_pow(registry);
  register_mod(registry);
  register_bitshift(registry);
  register_bitwise(registry);
  register_variadic(registry);
  register_activations(registry);
  register_gelu(registry);
  register_swiglu(registry);
}

}  // namespace onyx
