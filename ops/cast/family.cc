// The cast family: type conversion: Cast, CastLike, BitCast
#include "cast/cast_ops.h"
#include "common/families.h"

namespace onyx {

void register_cast(Registry& registry) {
  register_cast_ops(registry);
  register_bitcast(registry);
}

}  // namespace onyx
