// The select family: data-dependent selection: Compress, NonZero, Unique, ReverseSequence
#include "common/families.h"
#include "select/select_ops.h"

namespace onyx {

void register_select(Registry& registry) {
  register_compress(registry);
  register_non_zero(registry);
  register_unique(registry);
  register_reverse_sequence(registry);
}

}  // namespace onyx
