// The select family: data-dependent selection: Compress, NonZero, Unique, ReverseSequence
#include "common/families.h"

namespace onyx {

void register_select(Registry& registry) {
  (void)registry;  // operators are added here as their files land
}

}  // namespace onyx
