#include "graph_edit.h"

#include <algorithm>
#include <set>

#include "onyx/error.h"
#include "onyx/fused_ops.h"
#include "onyx/topo.h"

namespace onyx::passes {

GraphEdit::GraphEdit(Graph& graph, InferenceResult inferred)
    : graph_(graph), inferred_(std::move(inferred)), removed_(graph.nodes.size(), false) {
  index_uses();
}

void GraphEdit::index_uses() {
  const size_t n = graph_.values.size();
  consumers_.assign(n, {});
  producer_.assign(n, -1);
  pinned_.assign(n, false);
  for (int id : graph_.outputs) pinned_[static_cast<size_t>(id)] = true;
  for (int i = 0; i < num_nodes(); ++i) {
    if (removed(i)) continue;
    const Node& nd = node(i);
    for (int v : nd.inputs)
      if (v != kNoValue) consumers_[static_cast<size_t>(v)].push_back(i);
    for (int v : nd.outputs)
      if (v != kNoValue) producer_[static_cast<size_t>(v)] = i;
    for (int v : implicit_inputs(graph_, nd)) pinned_[static_cast<size_t>(v)] = true;
  }
}

const Tensor* GraphEdit::constant(int value) const {
  if (value == kNoValue || static_cast<size_t>(value) >= inferred_.constants.size()) return nullptr;
  const Tensor& t = inferred_.constants[static_cast<size_t>(value)];
  return t.defined() ? &t : nullptr;
}

const Tensor* GraphEdit::initializer(int value) const {
  if (value == kNoValue || !graph_.is_initializer(value)) return nullptr;
  if (std::find(graph_.inputs.begin(), graph_.inputs.end(), value) != graph_.inputs.end())
    return nullptr;  // a feed may replace it
  return &graph_.initializers.at(value);
}

std::optional<std::vector<int64_t>> GraphEdit::constant_ints(int value) const {
  const Tensor* t = constant(value);
  if (!t || t->rank() > 1) return std::nullopt;
  std::vector<int64_t> out;
  if (t->dtype() == DType::Int64)
    out = t->to_vector<int64_t>();
  else if (t->dtype() == DType::Int32)
    for (int32_t v : t->to_vector<int32_t>()) out.push_back(v);
  else
    return std::nullopt;
  return out;
}

std::optional<int> GraphEdit::rank(int value) const {
  if (value == kNoValue) return std::nullopt;
  const TypeInfo& t = type(value);
  if (!t.is_tensor() || !t.shape) return std::nullopt;
  return static_cast<int>(t.shape->size());
}

const std::vector<int>& GraphEdit::consumers(int value) const {
  return consumers_.at(static_cast<size_t>(value));
}

bool GraphEdit::internal(int value) const { return !pinned_.at(static_cast<size_t>(value)); }

int GraphEdit::sole_consumer(int value) const {
  const std::vector<int>& users = consumers(value);
  return internal(value) && users.size() == 1 ? users[0] : -1;
}

int GraphEdit::producer(int value) const { return producer_.at(static_cast<size_t>(value)); }

void GraphEdit::replace_uses(int from, int to) {
  const std::vector<int> users = consumers(from);  // a copy: set_input edits the list
  for (int user : std::set<int>(users.begin(), users.end())) {
    Node& nd = node(user);
    for (size_t slot = 0; slot < nd.inputs.size(); ++slot)
      if (nd.inputs[slot] == from) set_input(user, static_cast<int>(slot), to);
  }
}

void GraphEdit::set_input(int index, int slot, int value) {
  Node& nd = node(index);
  const int old = nd.inputs.at(static_cast<size_t>(slot));
  if (old != kNoValue) {
    std::vector<int>& users = consumers_[static_cast<size_t>(old)];
    users.erase(std::find(users.begin(), users.end(), index));
  }
  nd.inputs[static_cast<size_t>(slot)] = value;
  if (value != kNoValue) consumers_[static_cast<size_t>(value)].push_back(index);
}

void GraphEdit::remove_node(int index) {
  Node& nd = node(index);
  for (size_t slot = 0; slot < nd.inputs.size(); ++slot)
    set_input(index, static_cast<int>(slot), kNoValue);
  for (int v : nd.outputs)
    if (v != kNoValue && producer_[static_cast<size_t>(v)] == index)
      producer_[static_cast<size_t>(v)] = -1;
  removed_[static_cast<size_t>(index)] = true;
}

bool GraphEdit::bypass(int index) {
  const Node& nd = node(index);
  if (nd.inputs.empty() || nd.outputs.empty()) return false;
  const int in = nd.inputs[0], out = nd.outputs[0];
  if (in == kNoValue || out == kNoValue) return false;
  if (internal(out)) {
    remove_node(index);
    replace_uses(out, in);
    return true;
  }
  // The output's name must survive: its data's producer takes the name over.
  const int from = producer(in);
  if (from < 0 || sole_consumer(in) != index) return false;
  const std::vector<int>& outs = node(from).outputs;
  const int slot = static_cast<int>(std::find(outs.begin(), outs.end(), in) - outs.begin());
  remove_node(index);
  set_output(from, slot, out);
  return true;
}

void GraphEdit::set_output(int index, int slot, int value) {
  Node& nd = node(index);
  int& out = nd.outputs.at(static_cast<size_t>(slot));
  if (out != kNoValue && producer_[static_cast<size_t>(out)] == index)
    producer_[static_cast<size_t>(out)] = -1;
  out = value;
  if (value != kNoValue) producer_[static_cast<size_t>(value)] = index;
}

void GraphEdit::make_initializer(int value, Tensor data) {
  inferred_.constants[static_cast<size_t>(value)] = data;
  graph_.initializers[value] = std::move(data);
}

void GraphEdit::replace_node(int index, Node nd) {
  remove_node(index);
  removed_[static_cast<size_t>(index)] = false;
  std::vector<int> inputs = std::move(nd.inputs);
  nd.inputs.assign(inputs.size(), kNoValue);
  node(index) = std::move(nd);
  for (size_t slot = 0; slot < inputs.size(); ++slot)
    set_input(index, static_cast<int>(slot), inputs[slot]);
  for (int v : node(index).outputs)
    if (v != kNoValue) producer_[static_cast<size_t>(v)] = index;
}

int GraphEdit::add_value(const std::string& hint) {
  std::string name = hint;
  for (int k = 1; graph_.find(name) != kNoValue; ++k) name = hint + "_" + std::to_string(k);
  const int id = graph_.intern(name);
  inferred_.types.resize(graph_.values.size());
  inferred_.constants.resize(graph_.values.size());
  consumers_.resize(graph_.values.size());
  producer_.resize(graph_.values.size(), -1);
  pinned_.resize(graph_.values.size(), false);
  return id;
}

std::optional<Tensor> GraphEdit::take_initializer(int value, int reader) {
  const Tensor* t = initializer(value);
  if (!t || sole_consumer(value) != reader) return std::nullopt;
  // The graph's entry and inference's record of it may share the storage: any other
  // holder is someone else's.
  Tensor& recorded = inferred_.constants[static_cast<size_t>(value)];
  const long ours = recorded.shares_storage_with(*t) ? 2 : 1;
  if (t->storage_holders() != ours) return std::nullopt;
  recorded = Tensor();
  Tensor taken = std::move(graph_.initializers.at(value));
  graph_.initializers.erase(value);
  graph_.initializer_file_bytes.erase(value);  // about to be rewritten
  return taken;
}

int GraphEdit::add_initializer(const std::string& hint, Tensor data) {
  const int id = add_value(hint);
  graph_.value(id).type = TypeInfo::tensor_of(data.dtype(), data.shape());
  inferred_.types[static_cast<size_t>(id)] = graph_.value(id).type;
  inferred_.constants[static_cast<size_t>(id)] = data;
  graph_.initializers[id] = std::move(data);
  return id;
}

int GraphEdit::add_node(Node nd) {
  std::vector<int> inputs = std::move(nd.inputs);
  nd.inputs.assign(inputs.size(), kNoValue);
  graph_.nodes.push_back(std::move(nd));
  removed_.push_back(false);
  appended_ = true;
  const int index = num_nodes() - 1;
  for (size_t slot = 0; slot < inputs.size(); ++slot)
    set_input(index, static_cast<int>(slot), inputs[slot]);
  for (int v : node(index).outputs)
    if (v != kNoValue) producer_[static_cast<size_t>(v)] = index;
  return index;
}

Node GraphEdit::fused_node(const Node& from, const char* op_type) const {
  Node nd;
  nd.name = from.name;
  nd.op_type = op_type;
  nd.domain = fused::kDomain;
  nd.opset = fused::kVersion;
  nd.opset_pinned = true;
  nd.attributes = from.attributes;
  return nd;
}

void GraphEdit::compact() {
  std::vector<Node> kept;
  kept.reserve(graph_.nodes.size());
  for (int i = 0; i < num_nodes(); ++i)
    if (!removed(i)) kept.push_back(std::move(node(i)));
  graph_.nodes = std::move(kept);
  if (appended_) {
    std::vector<Node> ordered;
    ordered.reserve(graph_.nodes.size());
    for (int i : topological_order(graph_)) ordered.push_back(std::move(node(i)));
    graph_.nodes = std::move(ordered);
    appended_ = false;
  }
  removed_.assign(graph_.nodes.size(), false);
  index_uses();
  // Initializers that neither a node, a subgraph nor the graph's interface reads.
  for (auto it = graph_.initializers.begin(); it != graph_.initializers.end();) {
    const int id = it->first;
    const bool listed =
        std::find(graph_.inputs.begin(), graph_.inputs.end(), id) != graph_.inputs.end();
    if (consumers(id).empty() && internal(id) && !listed) {
      auto& sparse = graph_.sparse_initializers;
      sparse.erase(std::remove_if(sparse.begin(), sparse.end(),
                                  [id](const SparseInitializer& s) { return s.value == id; }),
                   sparse.end());
      graph_.initializer_file_bytes.erase(id);
      it = graph_.initializers.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace onyx::passes
