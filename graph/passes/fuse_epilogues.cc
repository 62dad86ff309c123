// Epilogue fusion: the elementwise nodes that only finish a Conv or a Gemm are folded into
// it (onyx/fused_ops.h), so that the product's output is written once, finished:
//   Conv -> Add(residual) -> activation   becomes FusedConv(X, W, B, residual)
//   Conv -> activation                    becomes FusedConv(X, W, B)
//   Gemm -> activation                    becomes FusedGemm(A, B, C)   (Gemm 11 on)
// Each folded node must be the only reader of the value before it. The residual must have
// the Conv output's dtype and shape (no broadcasting), so it can be read element for element.
#include <limits>
#include <optional>

#include "match.h"
#include "onyx/fused_ops.h"

namespace onyx::passes {

namespace {

struct FusedActivation {
  std::string name;
  std::vector<float> params;
};

float float_attr(const Node& node, const char* name, float fallback) {
  const Attribute* a = node.find_attr(name);
  return a ? a->f : fallback;
}

// A Clip bound given as an input (opset 11 on): absent, or a constant float scalar.
std::optional<float> clip_bound(const GraphEdit& edit, const Node& clip, size_t slot,
                                float fallback) {
  if (slot >= clip.inputs.size() || clip.inputs[slot] == kNoValue) return fallback;
  const Tensor* t = edit.constant(clip.inputs[slot]);
  if (!t || t->dtype() != DType::Float || t->numel() != 1) return std::nullopt;
  return t->data<float>()[0];
}

// The activation `node` applies, when it is one a fused node can take.
std::optional<FusedActivation> activation_of(const GraphEdit& edit, const Node& node) {
  if (!node.is_default_domain() || node.inputs.empty() || node.outputs.size() != 1)
    return std::nullopt;
  const std::string& op = node.op_type;
  if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "HardSwish")
    return FusedActivation{op, {}};
  if (op == "LeakyRelu") return FusedActivation{op, {float_attr(node, "alpha", 0.01f)}};
  if (op == "HardSigmoid")
    return FusedActivation{op, {float_attr(node, "alpha", 0.2f), float_attr(node, "beta", 0.5f)}};
  if (op == "Clip") {
    const float lowest = std::numeric_limits<float>::lowest();
    const float highest = std::numeric_limits<float>::max();
    if (node.opset < 11)
      return FusedActivation{op,
                             {float_attr(node, "min", lowest), float_attr(node, "max", highest)}};
    const std::optional<float> lo = clip_bound(edit, node, 1, lowest);
    const std::optional<float> hi = clip_bound(edit, node, 2, highest);
    if (!lo || !hi) return std::nullopt;
    return FusedActivation{op, {*lo, *hi}};
  }
  return std::nullopt;
}

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
  if (next >= 0 && edit.node(next).inputs[0] == out) act = activation_of(edit, edit.node(next));
  if (act) {
    absorbed.push_back(next);
    out = edit.node(next).outputs[0];
  }
  if (absorbed.empty() || out == kNoValue) return false;

  Node fused = edit.fused_node(edit.node(p), fused_op);
  fused.inputs = edit.node(p).inputs;
  if (residual_value != kNoValue) {
    fused.inputs.resize(3, kNoValue);
    fused.inputs.push_back(residual_value);
  }
  fused.outputs = {out};
  if (act) {
    Attribute name;
    name.name = fused::kActivation;
    name.type = AttrType::String;
    name.s = act->name;
    fused.attributes.push_back(std::move(name));
    Attribute params;
    params.name = fused::kActivationParams;
    params.type = AttrType::Floats;
    params.floats = act->params;
    fused.attributes.push_back(std::move(params));
  }
  for (int n : absorbed) edit.remove_node(n);
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
