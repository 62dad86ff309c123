// The operators of the linalg family, one register function per kernel file.
#pragma once

#include "onyx/registry.h"

namespace onyx {

void register_einsum(Registry& registry);  // einsum.cc: Einsum
void register_det(Registry& registry);     // det.cc: Det

}  // namespace onyx
