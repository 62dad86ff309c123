// The linalg family: linear algebra: Einsum, Det
#include "common/families.h"
#include "linalg/linalg_ops.h"

namespace onyx {

void register_linalg(Registry& registry) {
  register_einsum(registry);
  register_det(registry);
}

}  // namespace onyx
