// The activations a fused node (onyx/fused_ops.h) can take in its epilogue: which node is
// one, and how the fused node names it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "graph_edit.h"

namespace onyx::passes {

struct FusedActivation {
  std::string name;           // the ONNX operator
  std::vector<float> params;  // activation_params
  std::string approximate;    // Gelu's form, "none" or "tanh"
};

// The activation `node` applies to its input 0, when it is one a fused node can take:
// Relu, Sigmoid, Tanh, HardSwish, LeakyRelu, HardSigmoid, Clip with constant bounds, and
// Gelu (Gelu-20, or the optimizer's Gelu of domain ai.onyx).
std::optional<FusedActivation> activation_of(const GraphEdit& edit, const Node& node);

// The activation node that alone reads `value` (as its input 0), and what it applies.
struct ActivationNode {
  int node;
  FusedActivation activation;
};
std::optional<ActivationNode> activation_after(const GraphEdit& edit, int value);

// Writes the activation's attributes onto a fused node.
void set_activation(Node& fused, const FusedActivation& activation);

}  // namespace onyx::passes
