// The cast family: type conversion: Cast, CastLike
#include "common/families.h"

namespace onyx {

void register_cast(Registry& registry) {
  (void)registry;  // operators are added here as their files land
}

}  // namespace onyx
