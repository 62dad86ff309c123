// The epilogue of the optimizer's fused operators (onyx/fused_ops.h): the activation
// their attributes name, and the plain loop that applies it after a reference kernel.
#pragma once

#include <map>
#include <string>

#include "kernels/activation.h"
#include "onyx/kernel.h"

namespace onyx {

// Whether the node is one of Onyx's fused operators.
bool is_fused_node(const Node& node);
// The activation of a fused node (None for any other node); rejects unknown names and
// wrong parameter counts with an error naming the node.
kernels::ActivationParams read_fused_activation(const KernelInit& init);
// `base` (the unfused operator's attribute types) plus the epilogue's.
std::map<std::string, AttrType> with_fused_attrs(std::map<std::string, AttrType> base);

// y = activation(y + residual) element by element, for every float dtype, in the
// reference kernels' accumulator type. The caller has checked that residual, when given,
// has y's dtype and shape.
void apply_fused_epilogue(const kernels::ActivationParams& activation, const Tensor* residual,
                          Tensor& y);

}  // namespace onyx
