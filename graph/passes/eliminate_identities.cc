// Removal of nodes that return their input: Identity, and Dropout at inference (opset 7
// on; from opset 12 only when training_mode is absent or a constant false) whose mask
// nobody reads. Readers of the output read the input instead; an output that is a graph
// output or named by a subgraph keeps its name (GraphEdit::bypass), else its node.
#include "passes.h"

namespace onyx::passes {

namespace {

bool is_inference_dropout(const GraphEdit& edit, const Node& node) {
  if (!is_onnx(node, "Dropout") || node.opset < 7) return false;
  if (node.outputs.size() > 1 && !edit.unread(node.outputs[1])) return false;  // the mask
  if (node.inputs.size() > 2 && node.inputs[2] != kNoValue) {
    const Tensor* training = edit.constant(node.inputs[2]);
    if (!training || training->dtype() != DType::Bool || training->numel() != 1 ||
        training->data<bool>()[0])
      return false;
  }
  return true;
}

}  // namespace

int eliminate_identities(GraphEdit& edit) {
  int removed = 0;
  for (int i = 0; i < edit.num_nodes(); ++i) {
    const Node& node = edit.node(i);
    if (edit.removed(i) || node.inputs.empty() || node.inputs[0] == kNoValue) continue;
    if (!is_onnx(node, "Identity") && !is_inference_dropout(edit, node)) continue;
    if (edit.bypass(i)) ++removed;
  }
  return removed;
}

}  // namespace onyx::passes
