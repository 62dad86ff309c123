// Type and shape inference over a graph. The per-operator rules live with the
// operators (ops/); this layer walks the graph in order and calls them.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "onyx/ir.h"
#include "onyx/node_scope.h"

namespace onyx {

// What a shape rule sees of one node, and where it writes its results.
class InferContext final : public NodeScope {
 public:
  InferContext(const Graph& graph, const Node& node, int index, std::vector<const TypeInfo*> inputs,
               std::vector<const Tensor*> constants);

  const Node& node() const { return node_; }
  int opset() const { return node_.opset; }
  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  int num_outputs() const { return static_cast<int>(node_.outputs.size()); }
  bool has_input(int i) const;
  // Type of input i; Kind::Unknown when not known (or the input is omitted).
  const TypeInfo& input(int i) const;
  // Constant value of input i (initializer or Constant output), or nullptr.
  const Tensor* constant(int i) const;
  void set_output(int i, TypeInfo type);
  // Also records a known value for output i (Constant, Shape of a static shape, ...),
  // so rules downstream (Reshape's shape input, ...) can read it via constant().
  void set_output_constant(int i, Tensor value);
  const std::vector<TypeInfo>& outputs() const { return outputs_; }
  const std::vector<Tensor>& output_constants() const { return output_constants_; }
  std::string label() const override { return node_.label(index_); }

 private:
  const Graph& graph_;
  const Node& node_;
  int index_;
  std::vector<const TypeInfo*> inputs_;
  std::vector<const Tensor*> constants_;
  std::vector<TypeInfo> outputs_;
  std::vector<Tensor> output_constants_;
};

using ShapeRule = std::function<void(InferContext&)>;
// Finds the rule for a node (by domain, op type, opset), or returns null.
using ShapeRuleLookup = std::function<const ShapeRule*(const Node&)>;

struct InferenceResult {
  std::vector<TypeInfo> types;    // per value id
  std::vector<Tensor> constants;  // per value id: folded constants, where known
};

// Infers every value's type in `graph`. Declared types from the file are kept and
// merged with inferred ones (inferred static dims refine unknown declared dims);
// a conflict between a declared and an inferred dtype is an error. `known` types
// values the file leaves untyped (a subgraph's outer-scope names and inputs); with
// `refine_declared`, they also refine declared types, as the concrete shapes of a run's
// inputs fill in their symbolic dims.
InferenceResult infer_shapes(const Graph& graph, const ShapeRuleLookup& rules,
                             const std::map<int, TypeInfo>& known = {},
                             bool refine_declared = false);

}  // namespace onyx
