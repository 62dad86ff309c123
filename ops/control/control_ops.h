// The control family: operators that run subgraphs (If, Loop, Scan), and the
// helpers their shape rules and kernels share.
#pragma once

#include <vector>

#include "onyx/ir.h"
#include "onyx/kernel.h"
#include "onyx/registry.h"

namespace onyx {

void register_if(Registry& registry);
void register_loop(Registry& registry);
void register_scan(Registry& registry);

// The type a graph attribute declares for its output i (Unknown when absent).
TypeInfo declared_output_type(const Graph& graph, int i);
// Two branch types as one: the shared dtype, dims kept where both agree.
TypeInfo merge_branch_types(const TypeInfo& a, const TypeInfo& b);
// `type` with its shape forgotten: a loop-carried value may change shape each pass.
TypeInfo without_shape(const TypeInfo& type);
// `type` with `dim` inserted at `axis` (a scan output gathers one slice per step).
TypeInfo with_dim_at(const TypeInfo& type, int axis, Dim dim);
// Refuses a node whose inputs or outputs (or their sequence or optional elements) have an
// 8-, 4- or 2-bit element type that the node's version does not list: If, Loop and Scan
// accept the types of all_tensor_types_irN, N growing with the opset (dtype_lists.h).
void check_carried_dtypes(const KernelInit& init);

}  // namespace onyx
