// Inlines model-local functions (ModelProto.functions): every node that calls one
// is replaced by the function body, so later layers see only ordinary operators.
#pragma once

#include <cstdint>

#include "onyx/ir.h"

namespace onyx {

struct FunctionLimits {
  int max_depth = 32;             // functions calling functions, deepest chain
  int64_t max_nodes = 1'000'000;  // nodes in the model (all graphs) after expansion
};

// Replaces each node whose (domain, op_type) names a function in model.functions,
// in the main graph and every subgraph, with the function's body: formal inputs
// and outputs bound to the call's values, body-internal values renamed to fresh
// names, ref_attr_name attributes taken from the call (or the function's default,
// or dropped). Functions calling functions expand recursively. Body nodes keep the
// opset the function imports (Node::opset_pinned). Calls that name no function are
// left for the registry to report. Recursion, nesting past limits.max_depth, growth
// past limits.max_nodes and malformed calls or bodies throw onyx::Error.
// model.functions itself is kept unchanged.
void expand_functions(Model& model, const FunctionLimits& limits = {});

}  // namespace onyx
