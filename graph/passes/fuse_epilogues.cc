// Epilogue fusion: the elementwise nodes that only finish a Conv or a Gemm are folded into
// it (onyx/fused_ops.h), so that the product's output is written once, finished:
//   Conv -> Add(residual) -> activation   becomes FusedConv(X, W, B, residual)
//   Conv -> activation                    becomes FusedConv(X, W, B)
//   Gemm -> activation                    becomes FusedGemm(A, B, C)   (Gemm 11 on)
//   Conv or Gemm -> Reshape -> activation  the activation moves before the Reshape
// The activations are those of fused_activation.h, Gelu included.
// Each folded node must be the only reader of the value before it. The residual must have
// the Conv output's dtype and shape (no broadcasting), so it can be read element for element.
#include <limits>
#include <optional>

#include "fused_activation.h"
#include "match.h"
#include "onyx/fused_ops.h"

namespace onyx::passes {

namespace {

// Fuses what follows node `p` (a Conv, or a Gemm when `residual` is false).
bool fuse_after(GraphEdit& edit, int p, const char* fused_op, bool residual) {
  int out = edit.node(p).outputs.at(0);
  if (out == kNoValue || !dtype_info(edit.type(out).elem).is_float) return false;
  std::vector<int> absorbed;
  int residual_value = kNoValue;
  if (residual) {
    if (auto add = residual_add(edit, out)) {
      absorbed.push_back(add->first);
      residual_value = add->second;
      out = edit.node(add->first).outputs.at(0);
    }
  }
  std::optional<FusedActivation> act;
  const int next = out == kNoValue ? -1 : edit.sole_consumer(out);
  if (const auto direct = activation_after(edit, out)) {
    act = direct->activation;
    absorbed.push_back(direct->node);
    out = edit.node(direct->node).outputs[0];
  }
  // Product -> Reshape -> activation (GPT-2's Gemm on 2-D rows, reshaped back to 3-D): an
  // elementwise activation commutes with the Reshape, so it moves into the product and the
  // Reshape writes the activation's output.
  int reshape = -1, reshaped_out = kNoValue;
  if (!act && next >= 0 && is_onnx(edit.node(next), "Reshape") &&
      edit.node(next).inputs[0] == out) {
    if (const auto after = activation_after(edit, edit.node(next).outputs.at(0))) {
      act = after->activation;
      absorbed.push_back(after->node);
      reshape = next;
      reshaped_out = edit.node(after->node).outputs[0];
    }
  }
  if (absorbed.empty() || out == kNoValue) return false;

  Node fused = edit.fused_node(edit.node(p), fused_op);
  fused.inputs = edit.node(p).inputs;
  if (residual_value != kNoValue) {
    fused.inputs.resize(3, kNoValue);
    fused.inputs.push_back(residual_value);
  }
  fused.outputs = {out};
  if (act) set_activation(fused, *act);
  for (int n : absorbed) edit.remove_node(n);
  if (reshape >= 0) edit.set_output(reshape, 0, reshaped_out);
  edit.replace_node(p, std::move(fused));
  return true;
}

}  // namespace

int fuse_epilogues(GraphEdit& edit) {
  int fused = 0;
  for (int i = 0; i < edit.num_nodes(); ++i) {
    if (edit.removed(i)) continue;
    const Node& node = edit.node(i);
    if (is_onnx(node, "Conv") && node.outputs.size() == 1)
      fused += fuse_after(edit, i, fused::kConv, true);
    else if (is_onnx(node, "Gemm") && node.opset >= 11 && node.outputs.size() == 1)
      fused += fuse_after(edit, i, fused::kGemm, false);
  }
  return fused;
}

}  // namespace onyx::passes
