// Chains of layout changes merged into one node, when the value between the two nodes
// has no other reader:
// - Transpose(p2) of Transpose(p1) is Transpose(q), q[j] = p1[p2[j]]; when q is the
//   identity neither remains.
// - A Transpose followed by unary elementwise ops and another Transpose moves past
//   them (one at a time) to merge with the second.
// - Reshape, Flatten, Squeeze or Unsqueeze followed by a Reshape, Flatten, Squeeze or
//   Unsqueeze only relabel the same elements in the same order, so the second alone,
//   reading the first's input, gives the same result when its output shape does not
//   depend on its input's shape: a Reshape to a constant shape without copied (0)
//   entries. Otherwise, when inference knows the final shape, the second becomes a
//   Reshape to that static shape; when it is the input's own shape neither remains.
#include <algorithm>

#include "match.h"

namespace onyx::passes {

namespace {

using Ints = std::vector<int64_t>;

bool is_reshape_like(const Node& node) {
  return is_onnx(node, "Reshape") || is_onnx(node, "Flatten") || is_onnx(node, "Squeeze") ||
         is_onnx(node, "Unsqueeze");
}

// The node that produces `node`'s input 0 when `node` is its only reader, or -1.
int sole_feeder(const GraphEdit& edit, const Node& node, int index) {
  if (node.inputs.empty() || node.inputs[0] == kNoValue) return -1;
  const int mid = node.inputs[0];
  const int from = edit.producer(mid);
  return from >= 0 && edit.sole_consumer(mid) == index ? from : -1;
}

bool is_identity(const Ints& perm) {
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != static_cast<int64_t>(i)) return false;
  return true;
}

void set_perm(Node& node, const Ints& perm) {
  node.attributes.erase(std::remove_if(node.attributes.begin(), node.attributes.end(),
                                       [](const Attribute& a) { return a.name == "perm"; }),
                        node.attributes.end());
  node.attributes.push_back(ints_attribute("perm", perm));
}

bool merge_transposes(GraphEdit& edit, int second) {
  const Node& outer = edit.node(second);
  const int first = sole_feeder(edit, outer, second);
  if (first < 0 || !is_onnx(edit.node(first), "Transpose")) return false;
  const std::optional<Ints> p1 = perm_of(edit, edit.node(first));
  const std::optional<Ints> p2 = perm_of(edit, outer);
  if (!p1 || !p2 || p1->size() != p2->size()) return false;
  Ints composed(p2->size());
  for (size_t j = 0; j < p2->size(); ++j) composed[j] = (*p1)[static_cast<size_t>((*p2)[j])];
  const int x = edit.node(first).inputs[0];
  edit.remove_node(first);
  edit.set_input(second, 0, x);
  set_perm(edit.node(second), composed);
  if (is_identity(composed)) edit.bypass(second);
  return true;
}

// Elementwise ops of one input, which commute with any Transpose.
bool is_unary_elementwise(const Node& node) {
  static const char* const kOps[] = {
      "Abs",        "Neg",      "Relu",        "LeakyRelu", "Elu",  "Selu",
      "Celu",       "Sigmoid",  "Tanh",        "Exp",       "Log",  "Sqrt",
      "Reciprocal", "Floor",    "Ceil",        "Round",     "Erf",  "Sin",
      "Cos",        "Softplus", "Softsign",    "Sign",      "Not",  "IsNaN",
      "IsInf",      "Cast",     "HardSigmoid", "HardSwish", "Mish", "ThresholdedRelu",
      "Gelu"};
  if (!node.is_default_domain() || node.inputs.size() != 1 || node.outputs.size() != 1)
    return false;
  return std::any_of(std::begin(kOps), std::end(kOps),
                     [&node](const char* op) { return node.op_type == op; });
}

// The reader of node `index`'s only output, when that output is internal and read once.
int sole_reader(const GraphEdit& edit, int index) {
  const Node& node = edit.node(index);
  return node.outputs.size() == 1 && node.outputs[0] != kNoValue
             ? edit.sole_consumer(node.outputs[0])
             : -1;
}

// Transpose -> unary -> ... -> unary -> Transpose: the first Transpose moves after the
// unary op that reads it (which then reads the Transpose's input), so that it comes
// closer to the second and merges with it. Applies only where the chain of sole readers
// ends in a Transpose.
bool push_transpose_down(GraphEdit& edit, int t) {
  const int u = sole_reader(edit, t);
  if (u < 0 || !is_unary_elementwise(edit.node(u))) return false;
  int next = sole_reader(edit, u);
  while (next >= 0 && is_unary_elementwise(edit.node(next))) next = sole_reader(edit, next);
  if (next < 0 || !is_onnx(edit.node(next), "Transpose")) return false;
  const std::optional<Ints> perm = perm_of(edit, edit.node(t));
  if (!perm) return false;

  Node transpose = edit.node(t), unary = edit.node(u);
  const int x = transpose.inputs[0], out = unary.outputs[0];
  const int moved = edit.add_value(edit.graph().value(out).name + "_untransposed");
  unary.inputs[0] = x;
  unary.outputs[0] = moved;
  transpose.inputs[0] = moved;
  transpose.outputs[0] = out;
  set_perm(transpose, *perm);  // explicit: the new input's rank is not inferred yet
  // Swapping the places keeps the file order topological.
  edit.replace_node(t, std::move(unary));
  edit.replace_node(u, std::move(transpose));
  return true;
}

// Whether a Reshape's result depends on its shape input and its input's size alone.
bool reshape_ignores_input_shape(const GraphEdit& edit, const Node& node) {
  if (!is_onnx(node, "Reshape") || node.opset < 5 || node.inputs.size() < 2) return false;
  const std::optional<Ints> target = edit.constant_ints(node.inputs[1]);
  if (!target) return false;
  const Attribute* allowzero = node.find_attr("allowzero");
  if (allowzero && allowzero->i != 0) return true;  // 0 is a literal size
  return std::none_of(target->begin(), target->end(), [](int64_t d) { return d == 0; });
}

bool merge_reshapes(GraphEdit& edit, int second) {
  const Node& outer = edit.node(second);
  const int first = sole_feeder(edit, outer, second);
  if (first < 0 || !is_reshape_like(edit.node(first))) return false;
  const int x = edit.node(first).inputs[0];
  const int y = outer.outputs.at(0);
  if (x == kNoValue || y == kNoValue) return false;
  const std::optional<Shape> shape = edit.type(y).concrete_shape();
  const bool back_to_input = shape && edit.type(x).concrete_shape() == shape;
  if (reshape_ignores_input_shape(edit, outer)) {
    edit.remove_node(first);
    edit.set_input(second, 0, x);
    if (back_to_input) edit.bypass(second);
    return true;
  }
  // A Reshape node needs opset 5; a final size of 0 would read as "copy" before opset 14.
  if (outer.opset < 5 || !shape ||
      std::any_of(shape->begin(), shape->end(), [](int64_t d) { return d == 0; }))
    return false;
  const int target = edit.add_initializer(
      edit.graph().value(y).name + "_shape",
      Tensor::from_vector<int64_t>({static_cast<int64_t>(shape->size())}, *shape));
  Node reshape;
  reshape.name = outer.name;
  reshape.op_type = "Reshape";
  reshape.opset = outer.opset;
  reshape.opset_pinned = outer.opset_pinned;
  reshape.inputs = {x, target};
  reshape.outputs = {y};
  edit.remove_node(first);
  edit.replace_node(second, std::move(reshape));
  if (back_to_input) edit.bypass(second);
  return true;
}

}  // namespace

int merge_transposes_reshapes(GraphEdit& edit) {
  int merged = 0;
  // Each merge may let the node after it merge in turn: repeat until nothing changes.
  for (bool changed = true; changed;) {
    changed = false;
    for (int i = 0; i < edit.num_nodes(); ++i) {
      if (edit.removed(i)) continue;
      const Node& node = edit.node(i);
      const bool transpose = is_onnx(node, "Transpose");
      const bool done =
          (transpose && (merge_transposes(edit, i) || push_transpose_down(edit, i))) ||
          (is_reshape_like(node) && merge_reshapes(edit, i));
      if (done) {
        ++merged;
        changed = true;
      }
    }
  }
  return merged;
}

}  // namespace onyx::passes
