// The operators of the training family (domain ai.onnx.preview.training), one register
// function per kernel file.
#pragma once

#include "onyx/registry.h"

namespace onyx {

void register_adagrad(Registry& registry);   // adagrad.cc: Adagrad
void register_adam(Registry& registry);      // adam.cc: Adam
void register_momentum(Registry& registry);  // momentum.cc: Momentum (standard and Nesterov)
void register_gradient(Registry& registry);  // gradient.cc: Gradient (reverse-mode derivatives)

}  // namespace onyx
