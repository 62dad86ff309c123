// The linalg family: linear algebra: Einsum, Det
#include "common/families.h"

namespace onyx {

void register_linalg(Registry& registry) {
  (void)registry;  // operators are added here as their files land
}

}  // namespace onyx
