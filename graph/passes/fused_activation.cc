#include "fused_activation.h"

#include <limits>

#include "match.h"
#include "onyx/fused_ops.h"

namespace onyx::passes {

namespace {

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

}  // namespace

std::optional<FusedActivation> activation_of(const GraphEdit& edit, const Node& node) {
  if (node.inputs.empty() || node.outputs.size() != 1) return std::nullopt;
  const std::string& op = node.op_type;
  if (op == "Gelu" &&
      (node.domain == fused::kDomain || (node.is_default_domain() && node.opset >= 20))) {
    const Attribute* a = node.find_attr(fused::kApproximate);
    const std::string approximate = a ? a->s : "none";
    if (approximate != "none" && approximate != "tanh") return std::nullopt;  // the kernel says so
    return FusedActivation{op, {}, approximate};
  }
  if (!node.is_default_domain()) return std::nullopt;
  if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "HardSwish")
    return FusedActivation{op, {}, {}};
  if (op == "LeakyRelu") return FusedActivation{op, {float_attr(node, "alpha", 0.01f)}, {}};
  if (op == "HardSigmoid")
    return FusedActivation{
        op, {float_attr(node, "alpha", 0.2f), float_attr(node, "beta", 0.5f)}, {}};
  if (op == "Clip") {
    const float lowest = std::numeric_limits<float>::lowest();
    const float highest = std::numeric_limits<float>::max();
    if (node.opset < 11)
      return FusedActivation{
          op, {float_attr(node, "min", lowest), float_attr(node, "max", highest)}, {}};
    const std::optional<float> lo = clip_bound(edit, node, 1, lowest);
    const std::optional<float> hi = clip_bound(edit, node, 2, highest);
    if (!lo || !hi) return std::nullopt;
    return FusedActivation{op, {*lo, *hi}, {}};
  }
  return std::nullopt;
}

std::optional<ActivationNode> activation_after(const GraphEdit& edit, int value) {
  const int next = value == kNoValue ? -1 : edit.sole_consumer(value);
  if (next < 0 || edit.node(next).inputs[0] != value) return std::nullopt;
  std::optional<FusedActivation> act = activation_of(edit, edit.node(next));
  if (!act) return std::nullopt;
  return ActivationNode{next, std::move(*act)};
}

void set_activation(Node& fused, const FusedActivation& activation) {
  fused.attributes.push_back(string_attribute(fused::kActivation, activation.name));
  fused.attributes.push_back(floats_attribute(fused::kActivationParams, activation.params));
  if (!activation.approximate.empty())
    fused.attributes.push_back(string_attribute(fused::kApproximate, activation.approximate));
}

}  // namespace onyx::passes
