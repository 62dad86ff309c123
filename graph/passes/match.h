// Small pattern-matching helpers for the fusion passes: scalar constants, the other
// operand of a binary node, constants compared with a tolerance, residual additions,
// reductions over the last axis, Transpose's permutation; and the attributes the passes
// write.
#pragma once

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "onyx/fused_ops.h"
#include "passes.h"

namespace onyx::passes {

// The value of a load-time constant holding one number (any rank, every dim 1) of a
// floating-point or integer dtype, or nullopt.
inline std::optional<double> scalar_constant(const GraphEdit& edit, int value) {
  const Tensor* t = edit.constant(value);
  if (!t || t->numel() != 1) return std::nullopt;
  switch (t->dtype()) {
    case DType::Float:
      return t->data<float>()[0];
    case DType::Double:
      return t->data<double>()[0];
    case DType::Int32:
      return t->data<int32_t>()[0];
    case DType::Int64:
      return static_cast<double>(t->data<int64_t>()[0]);
    default:
      return std::nullopt;
  }
}

// The rank of a value's inferred tensor type, or -1 when unknown.
inline int known_rank(const GraphEdit& edit, int value) {
  if (value == kNoValue) return -1;
  const TypeInfo& type = edit.type(value);
  return type.is_tensor() && type.shape ? static_cast<int>(type.shape->size()) : -1;
}

// Whether `value` is a scalar constant within `rel_tol` (relative) of `want`, of rank at
// most `max_rank` (so that broadcasting it leaves the other operand's shape as it is).
inline bool is_scalar(const GraphEdit& edit, int value, double want, int max_rank,
                      double rel_tol = 1e-6) {
  const std::optional<double> v = scalar_constant(edit, value);
  return v && edit.constant(value)->rank() <= max_rank &&
         std::fabs(*v - want) <= rel_tol * std::fabs(want);
}

// The input of a two-input node other than `value`, or kNoValue when the node reads
// `value` in neither or both slots.
inline int other_input(const Node& node, int value) {
  if (node.inputs.size() != 2) return kNoValue;
  if (node.inputs[0] == value && node.inputs[1] != value) return node.inputs[1];
  if (node.inputs[1] == value && node.inputs[0] != value) return node.inputs[0];
  return kNoValue;
}

// The node that alone reads `value` when it is the ONNX op `op_type` with one output;
// else -1.
inline int sole_onnx_consumer(const GraphEdit& edit, int value, const char* op_type) {
  const int user = edit.sole_consumer(value);
  if (user < 0) return -1;
  const Node& node = edit.node(user);
  return is_onnx(node, op_type) && node.outputs.size() == 1 ? user : -1;
}

// The ONNX node `op_type` with one output that produces `value`; else -1.
inline int onnx_producer(const GraphEdit& edit, int value, const char* op_type) {
  const int p = value == kNoValue ? -1 : edit.producer(value);
  if (p < 0) return -1;
  const Node& node = edit.node(p);
  return is_onnx(node, op_type) && node.outputs.size() == 1 ? p : -1;
}

// Whether two values are tensors of one dtype and one shape (equal static dims, or the
// same symbolic names).
inline bool same_tensor_type(const TypeInfo& a, const TypeInfo& b) {
  if (!a.is_tensor() || !b.is_tensor() || a.elem != b.elem || !a.shape || !b.shape) return false;
  if (a.shape->size() != b.shape->size()) return false;
  for (size_t i = 0; i < a.shape->size(); ++i) {
    const Dim &x = (*a.shape)[i], &y = (*b.shape)[i];
    const bool equal = x.is_known() ? x == y : !x.param.empty() && x == y;
    if (!equal) return false;
  }
  return true;
}

// The Add that reads `y` once, next to a residual of y's type, and the residual's id.
inline std::optional<std::pair<int, int>> residual_add(const GraphEdit& edit, int y) {
  const int add = edit.sole_consumer(y);
  if (add < 0) return std::nullopt;
  const Node& node = edit.node(add);
  if (!is_onnx(node, "Add") || node.inputs.size() != 2) return std::nullopt;
  const int other = node.inputs[0] == y ? node.inputs[1] : node.inputs[0];
  if (other == y || other == kNoValue || !same_tensor_type(edit.type(other), edit.type(y)))
    return std::nullopt;
  return std::make_pair(add, other);
}

// The last dim of a value's inferred shape, when its rank and that dim are known.
inline std::optional<int64_t> last_dim(const GraphEdit& edit, int value) {
  const TypeInfo& type = edit.type(value);
  if (!type.is_tensor() || !type.shape || type.shape->empty()) return std::nullopt;
  const Dim& d = type.shape->back();
  return d.is_known() ? std::optional<int64_t>(d.value) : std::nullopt;
}

// Whether `node` is a ReduceMean over the last axis alone of an input of rank `rank`,
// keeping dims (axes an attribute before opset 18, an input from 18).
inline bool is_mean_of_last_axis(const GraphEdit& edit, const Node& node, int rank) {
  if (!is_onnx(node, "ReduceMean") || node.outputs.size() != 1 || rank < 1) return false;
  if (const Attribute* keep = node.find_attr("keepdims"); keep && keep->i != 1) return false;
  std::vector<int64_t> axes;
  if (node.opset < 18) {
    const Attribute* a = node.find_attr("axes");
    if (!a) return false;
    axes = a->ints;
  } else {
    if (node.inputs.size() < 2) return false;
    const Tensor* t = edit.constant(node.inputs[1]);
    if (!t || t->dtype() != DType::Int64) return false;
    axes.assign(t->data<int64_t>(), t->data<int64_t>() + t->numel());
  }
  return axes.size() == 1 && (axes[0] == -1 || axes[0] == rank - 1);
}

// Whether `value` is a float vector of length `h`.
inline bool is_vector_of(const GraphEdit& edit, int value, int64_t h) {
  if (value == kNoValue) return false;
  const TypeInfo& type = edit.type(value);
  return type.is_tensor() && type.elem == DType::Float && type.shape && type.shape->size() == 1 &&
         (*type.shape)[0].is_known() && (*type.shape)[0].value == h;
}

// Transpose's permutation, the default (reversal) resolved with the input's rank; nullopt
// when unknown or not a permutation (the kernel reports that).
inline std::optional<std::vector<int64_t>> perm_of(const GraphEdit& edit, const Node& node) {
  std::vector<int64_t> perm;
  if (const Attribute* a = node.find_attr("perm")) {
    if (a->type != AttrType::Ints) return std::nullopt;
    perm = a->ints;
  } else {
    const std::optional<int> rank = edit.rank(node.inputs[0]);
    if (!rank) return std::nullopt;
    for (int i = *rank - 1; i >= 0; --i) perm.push_back(i);
  }
  std::vector<bool> seen(perm.size(), false);
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(perm.size()) || seen[static_cast<size_t>(p)])
      return std::nullopt;
    seen[static_cast<size_t>(p)] = true;
  }
  return perm;
}

// Attributes for the nodes a pass writes.
// An attribute `name` of `type`, whose value `set` writes.
template <class Set>
Attribute attribute_of(std::string name, AttrType type, Set set) {
  Attribute a;
  a.name = std::move(name);
  a.type = type;
  set(a);
  return a;
}
inline Attribute int_attribute(std::string name, int64_t value) {
  return attribute_of(std::move(name), AttrType::Int, [&](Attribute& a) { a.i = value; });
}
inline Attribute float_attribute(std::string name, float value) {
  return attribute_of(std::move(name), AttrType::Float, [&](Attribute& a) { a.f = value; });
}
inline Attribute string_attribute(std::string name, std::string value) {
  return attribute_of(std::move(name), AttrType::String,
                      [&](Attribute& a) { a.s = std::move(value); });
}
inline Attribute floats_attribute(std::string name, std::vector<float> values) {
  return attribute_of(std::move(name), AttrType::Floats,
                      [&](Attribute& a) { a.floats = std::move(values); });
}
inline Attribute ints_attribute(std::string name, std::vector<int64_t> values) {
  return attribute_of(std::move(name), AttrType::Ints,
                      [&](Attribute& a) { a.ints = std::move(values); });
}

// The Add that alone reads `v` next to a non-negative scalar constant of rank at most
// `rank` (a normalization's epsilon), and that constant.
inline std::optional<std::pair<int, double>> epsilon_add(const GraphEdit& edit, int v, int rank) {
  const int add = sole_onnx_consumer(edit, v, "Add");
  if (add < 0) return std::nullopt;
  const int eps_value = other_input(edit.node(add), v);
  const std::optional<double> epsilon = scalar_constant(edit, eps_value);
  if (!epsilon || !(*epsilon >= 0) || edit.constant(eps_value)->rank() > rank) return std::nullopt;
  return std::make_pair(add, *epsilon);
}

// When the ONNX `op_type` alone reads `value` next to a float vector of length h (a
// normalization's scale or bias): it joins `nodes`, `value` becomes its output, and the
// vector is returned. Else kNoValue, nothing changed.
inline int take_vector_operand(const GraphEdit& edit, int& value, const char* op_type, int64_t h,
                               std::vector<int>& nodes) {
  const int node = sole_onnx_consumer(edit, value, op_type);
  if (node < 0) return kNoValue;
  const int vector = other_input(edit.node(node), value);
  if (!is_vector_of(edit, vector, h)) return kNoValue;
  nodes.push_back(node);
  value = edit.node(node).outputs[0];
  return vector;
}

// Whether no node appears twice in `nodes` (a pattern matched one node in two roles).
inline bool distinct(std::vector<int> nodes) {
  std::sort(nodes.begin(), nodes.end());
  return std::adjacent_find(nodes.begin(), nodes.end()) == nodes.end();
}

// Puts the fused normalization `op` (onyx/fused_ops.h: LayerNormalization or
// RMSNormalization) of x over its last axis, of length h, in the place of `nodes`:
// output y, axis -1, `epsilon`, stash_type float; without a scale (kNoValue), a vector of
// ones; bias may be kNoValue.
inline void replace_with_normalization(GraphEdit& edit, const std::vector<int>& nodes,
                                       const char* op, int x, int scale, int bias, double epsilon,
                                       int64_t h, int y) {
  const int last = *std::max_element(nodes.begin(), nodes.end());
  Node norm = edit.fused_node(edit.node(last), op);
  if (scale == kNoValue) {
    Tensor ones(DType::Float, Shape{h});
    std::fill(ones.data<float>(), ones.data<float>() + h, 1.0f);
    scale = edit.add_initializer(norm.name.empty() ? "norm_scale" : norm.name + "_scale",
                                 std::move(ones));
  }
  norm.attributes = {int_attribute("axis", -1),
                     float_attribute("epsilon", static_cast<float>(epsilon)),
                     int_attribute("stash_type", 1)};  // float
  norm.inputs = {x, scale};
  if (bias != kNoValue) norm.inputs.push_back(bias);
  norm.outputs = {y};
  for (int n : nodes)
    if (n != last) edit.remove_node(n);
  edit.replace_node(last, std::move(norm));
}

}  // namespace onyx::passes
