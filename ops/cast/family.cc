// The cast family: type conversion: Cast, CastLike
#include "cast/cast_ops.h"
#include "common/families.h"

namespace onyx {

void register_cast(Registry& registry) { register_cast_ops(registry); }

}  // namespace onyx
