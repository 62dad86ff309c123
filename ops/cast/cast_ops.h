// Internals shared by the files of ops/cast: each file's registration entry.
#pragma once

#include "onyx/registry.h"

namespace onyx {

void register_cast_ops(Registry& registry);  // Cast, CastLike
void register_bitcast(Registry& registry);

}  // namespace onyx
