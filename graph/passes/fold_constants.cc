// Constant folding: a node whose every output is known at load time (shape inference
// computed it from constants: a Constant, Shape of a static shape, the Gather, Concat,
// Cast and arithmetic chains exported models build on them, ConstantOfShape, Range)
// is replaced by initializers holding those values. Nodes with subgraphs stay.
#include "passes.h"

namespace onyx::passes {

int fold_constants(GraphEdit& edit) {
  int folded = 0;
  for (int i = 0; i < edit.num_nodes(); ++i) {
    const Node& node = edit.node(i);
    if (edit.removed(i) || node.outputs.empty()) continue;
    bool has_subgraph = false;
    for (const Attribute& a : node.attributes) has_subgraph |= a.g || !a.graphs.empty();
    if (has_subgraph) continue;
    bool all_known = true;
    for (int v : node.outputs) all_known &= v != kNoValue && edit.constant(v) != nullptr;
    if (!all_known) continue;
    const std::vector<int> outputs = node.outputs;
    edit.remove_node(i);
    for (int v : outputs) edit.make_initializer(v, *edit.constant(v));
    ++folded;
  }
  return folded;
}

}  // namespace onyx::passes
