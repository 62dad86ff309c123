// Bias fusion: MatMul(A, B) -> Add(bias) becomes FusedMatMul(A, B, bias) (onyx/fused_ops.h),
// whose fast path adds the bias in the GEMM's epilogue instead of reading Y back (the
// projections of transformer layers). A has rank 2 or more, B is a 2-D constant, the bias a
// float vector constant of B's columns, so the Add broadcasts along Y's last dim only; the
// MatMul's output must have the Add as its only reader. Float tensors only.
// A residual Add after it, of Y's dtype and shape (no broadcasting) and Y's only reader,
// joins as a fourth input, FusedMatMul(A, B, bias, Z): the skip connection of a
// transformer layer, added in the same epilogue. An activation after them
// (fused_activation.h: the feed-forward layer's Gelu) is applied there too.
#include "fused_activation.h"
#include "match.h"
#include "onyx/fused_ops.h"

namespace onyx::passes {

namespace {

bool fuse_at(GraphEdit& edit, int matmul) {
  const Node& mm = edit.node(matmul);
  if (mm.inputs.size() != 2) return false;
  const int a = mm.inputs[0], b = mm.inputs[1], y = mm.outputs[0];
  const Tensor* weights = edit.constant(b);
  if (!weights || weights->dtype() != DType::Float || weights->rank() != 2) return false;
  if (edit.type(a).elem != DType::Float || known_rank(edit, a) < 2) return false;
  const int add = sole_onnx_consumer(edit, y, "Add");
  if (add < 0) return false;
  const int bias = other_input(edit.node(add), y);
  const Tensor* bias_data = edit.constant(bias);
  if (!bias_data || bias_data->dtype() != DType::Float || bias_data->rank() != 1 ||
      bias_data->dim(0) != weights->dim(1))
    return false;
  Node fused = edit.fused_node(mm, fused::kMatMul);
  fused.inputs = {a, b, bias};
  fused.outputs = {edit.node(add).outputs[0]};
  if (auto residual = residual_add(edit, fused.outputs[0])) {
    fused.inputs.push_back(residual->second);
    fused.outputs = {edit.node(residual->first).outputs[0]};
    edit.remove_node(residual->first);
  }
  if (const auto act = activation_after(edit, fused.outputs[0])) {
    set_activation(fused, act->activation);
    fused.outputs = {edit.node(act->node).outputs[0]};
    edit.remove_node(act->node);
  }
  edit.remove_node(matmul);
  edit.replace_node(add, std::move(fused));
  return true;
}

}  // namespace

int fuse_matmul_bias(GraphEdit& edit) {
  int fused = 0;
  for (int i = 0; i < edit.num_nodes(); ++i)
    if (!edit.removed(i) && is_onnx(edit.node(i), "MatMul") && edit.node(i).outputs.size() == 1)
      fused += fuse_at(edit, i);
  return fused;
}

}  // namespace onyx::passes
