// The random family: tensors drawn at random: RandomUniform, RandomNormal, RandomUniformLike,
// RandomNormalLike, Bernoulli, Multinomial
#include "common/families.h"
#include "random/random_ops.h"

namespace onyx {

void register_random(Registry& registry) {
  register_random_uniform_normal(registry);
  register_bernoulli(registry);
  register_multinomial(registry);
}

}  // namespace onyx
