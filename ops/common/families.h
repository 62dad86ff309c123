// Entry points of the operator families (one per folder under ops/).
#pragma once

#include "onyx/registry.h"

namespace onyx {

void register_math(Registry& registry);    // ops/math: elementwise arithmetic, activations
void register_nn(Registry& registry);      // ops/nn: conv, gemm, pooling, normalization
void register_tensor(Registry& registry);  // ops/tensor: shape and data movement
void register_all(Registry& registry);

}  // namespace onyx
