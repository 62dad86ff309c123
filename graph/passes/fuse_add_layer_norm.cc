// Add + LayerNormalization fusion: S = Add(A, B) normalized by a LayerNormalization (the
// optimizer's, domain ai.onyx, or LayerNormalization-17) whose only output is Y becomes
// AddLayerNormalization(A, B, Scale, Bias?) -> (Y, S) (onyx/fused_ops.h): the residual
// sum of a transformer layer and its normalization in one node. S is still written, for
// the readers it has beside the norm (a pre-norm transformer's residual stream) or none.
// A and B must have one float dtype and one shape (no broadcasting).
#include "match.h"
#include "onyx/fused_ops.h"

namespace onyx::passes {

namespace {

bool is_layer_norm(const Node& node) {
  return (node.domain == fused::kDomain && node.op_type == fused::kLayerNorm) ||
         (is_onnx(node, "LayerNormalization") && node.opset >= 17);
}

bool fuse_at(GraphEdit& edit, int norm) {
  const Node& ln = edit.node(norm);
  if (ln.outputs.size() != 1 || ln.inputs.size() < 2) return false;
  const int s = ln.inputs[0];
  const int add = s == kNoValue ? -1 : edit.producer(s);
  if (add < 0) return false;
  const Node& sum = edit.node(add);
  if (!is_onnx(sum, "Add") || sum.inputs.size() != 2 || sum.outputs.size() != 1) return false;
  const TypeInfo& type = edit.type(s);
  if (type.elem != DType::Float) return false;
  for (int v : sum.inputs)
    if (v == kNoValue || !same_tensor_type(edit.type(v), type)) return false;
  Node fused = edit.fused_node(ln, fused::kAddLayerNorm);
  fused.inputs = {sum.inputs[0], sum.inputs[1]};
  fused.inputs.insert(fused.inputs.end(), ln.inputs.begin() + 1, ln.inputs.end());
  fused.outputs = {ln.outputs[0], s};
  edit.remove_node(add);
  edit.replace_node(norm, std::move(fused));
  return true;
}

}  // namespace

int fuse_add_layer_norm(GraphEdit& edit) {
  int fused = 0;
  for (int i = 0; i < edit.num_nodes(); ++i)
    if (!edit.removed(i) && is_layer_norm(edit.node(i))) fused += fuse_at(edit, i);
  return fused;
}

}  // namespace onyx::passes
