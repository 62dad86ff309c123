// What every pass needs to rewrite a graph safely: who uses each value, whether a value
// may disappear, and how to add, rewire and drop nodes and initializers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "onyx/ir.h"
#include "onyx/shape_inference.h"

namespace onyx::passes {

class GraphEdit {
 public:
  // `inferred` holds every value's type and load-time constant, as infer_shapes gives.
  GraphEdit(Graph& graph, InferenceResult inferred);

  Graph& graph() { return graph_; }
  Node& node(int index) { return graph_.nodes[static_cast<size_t>(index)]; }
  const Node& node(int index) const { return graph_.nodes[static_cast<size_t>(index)]; }
  int num_nodes() const { return static_cast<int>(graph_.nodes.size()); }
  bool removed(int index) const { return removed_[static_cast<size_t>(index)]; }

  const TypeInfo& type(int value) const { return inferred_.types[static_cast<size_t>(value)]; }
  // The load-time constant of a value (a non-overridable initializer, a Constant's
  // output, a folded shape computation), or nullptr.
  const Tensor* constant(int value) const;
  // A non-overridable initializer's data, or nullptr.
  const Tensor* initializer(int value) const;
  // The elements of a load-time constant int32/int64 tensor of rank 0 or 1 (shape,
  // axes, pads inputs), or nullopt.
  std::optional<std::vector<int64_t>> constant_ints(int value) const;
  // The rank of a tensor value, when inference knows it.
  std::optional<int> rank(int value) const;

  // The nodes that read `value` as an input, one entry per input slot (kept current by
  // the edits below).
  const std::vector<int>& consumers(int value) const;
  // Whether nothing outside the nodes reads the value: it is no graph output and no
  // subgraph names it. Only such values may be renamed or made to disappear.
  bool internal(int value) const;
  // Whether nothing reads the value (or it is an omitted output): it may go unproduced.
  bool unread(int value) const {
    return value == kNoValue || (internal(value) && consumers(value).empty());
  }
  // The one node that reads `value`, when `value` is internal and read exactly once;
  // otherwise -1.
  int sole_consumer(int value) const;
  // The node that produces `value`, or -1.
  int producer(int value) const;

  // Makes every node that read `from` read `to` instead.
  void replace_uses(int from, int to);
  // Sets input slot `slot` of node `index` (kNoValue omits it).
  void set_input(int index, int slot, int value);
  // Makes output slot `slot` of node `index` the value `value`.
  void set_output(int index, int slot, int value);
  void remove_node(int index);
  // Removes node `index`, whose output 0 holds exactly its input 0, and makes the readers
  // of the output read the input. An output that a graph output or a subgraph names
  // keeps its name: the input's producer writes it instead, when the input is internal
  // and read by this node alone. Returns false (and changes nothing) when neither works.
  bool bypass(int index);
  // Turns a value a node computes into an initializer holding `data`.
  void make_initializer(int value, Tensor data);
  // Puts `node` in the place of node `index` (keeping its place in the file order).
  void replace_node(int index, Node node);
  // Hands over the data of initializer `value` for node `reader` to rewrite in place,
  // when `reader` alone reads it, no feed may replace it and no tensor outside this
  // graph shares its storage; the graph no longer holds it, and `reader` must be given
  // another input at once. nullopt (nothing changed) otherwise.
  std::optional<Tensor> take_initializer(int value, int reader);
  // A new initializer named after `hint`, unique in the graph. Returns its value id.
  int add_initializer(const std::string& hint, Tensor data);
  // A new untyped value named after `hint`, unique in the graph, for a rewrite to
  // produce (its type comes from the next inference). Returns its value id.
  int add_value(const std::string& hint);
  // Appends a node (compact() then moves it after the producers of its inputs). Returns
  // its index.
  int add_node(Node node);
  // A node of Onyx's fused domain (onyx/fused_ops.h) named after `from`.
  Node fused_node(const Node& from, const char* op_type) const;

  // Drops removed nodes and initializers nothing reads any more; puts the graph back in
  // topological order when nodes were appended.
  void compact();
  // The inference record the edit was made with (kept up to date with the edits'
  // constants), for the next pass when this one changed nothing.
  InferenceResult release_inference() { return std::move(inferred_); }

 private:
  void index_uses();

  Graph& graph_;
  InferenceResult inferred_;
  std::vector<bool> removed_;
  std::vector<std::vector<int>> consumers_;  // per value id
  std::vector<int> producer_;                // per value id
  std::vector<bool> pinned_;                 // graph outputs and names subgraphs read
  bool appended_ = false;                    // add_node was called since compact()
};

}  // namespace onyx::passes
