// GELU fusion: the elementwise chains that exporters write for GELU become one Gelu node
// of domain ai.onyx (onyx/fused_ops.h), whatever the model's opset:
//
//   erf form (PyTorch, BERT)   Div(x, sqrt 2) or Mul(x, 1/sqrt 2) -> Erf -> Add(1)
//   tanh form (GPT-2)          Pow(x, 3) -> Mul(0.044715) -> Add(x) -> Mul(sqrt(2/pi)) -> Tanh
//                              -> Add(1)
//
// each followed by the products with x and 0.5 in any of the orders exporters use:
// Mul(x) -> Mul(0.5), Mul(0.5) -> Mul(x), or Mul(Mul(x, 0.5)). Constants must match to a
// relative 1e-6 (float rounding of the exact values); every intermediate must have the
// next node as its only reader and be no graph output. Float tensors only.
#include <algorithm>
#include <cmath>

#include "match.h"
#include "onyx/fused_ops.h"

namespace onyx::passes {

namespace {

constexpr double kSqrt2 = 1.4142135623730951;
constexpr double kSqrt2OverPi = 0.7978845608028654;

struct Match {
  int x = kNoValue;        // GELU's input
  int y = kNoValue;        // GELU's output
  std::vector<int> nodes;  // every node of the chain
  int last = -1;           // the node that computes y
};

// The other operand of a Mul with a scalar constant near `want` (either slot), or kNoValue.
int operand_of_scaling(const GraphEdit& edit, const Node& mul, double want, int max_rank) {
  if (mul.inputs.size() != 2) return kNoValue;
  for (int k : {0, 1})
    if (is_scalar(edit, mul.inputs[k], want, max_rank)) return mul.inputs[1 - k];
  return kNoValue;
}

// From f (the output of Erf or Tanh): Add(f, 1), then the product with x and 0.5.
bool match_tail(const GraphEdit& edit, int f, Match& m, int rank) {
  const int add = sole_onnx_consumer(edit, f, "Add");
  if (add < 0 || !is_scalar(edit, other_input(edit.node(add), f), 1.0, rank)) return false;
  m.nodes.push_back(add);
  const int p = edit.node(add).outputs[0];
  const int m1 = sole_onnx_consumer(edit, p, "Mul");
  if (m1 < 0) return false;
  m.nodes.push_back(m1);
  const int q = edit.node(m1).outputs[0];
  const int o1 = other_input(edit.node(m1), p);
  if (o1 == kNoValue) return false;
  const bool x_first = o1 == m.x;
  if (x_first || is_scalar(edit, o1, 0.5, rank)) {  // a second Mul by the other factor
    const int m2 = sole_onnx_consumer(edit, q, "Mul");
    if (m2 < 0) return false;
    const int o2 = other_input(edit.node(m2), q);
    if (x_first ? !is_scalar(edit, o2, 0.5, rank) : o2 != m.x) return false;
    m.nodes.push_back(m2);
    m.last = m2;
  } else {  // o1 = Mul(x, 0.5), read by this Mul alone
    const int half = onnx_producer(edit, o1, "Mul");
    if (half < 0 || edit.sole_consumer(o1) != m1) return false;
    if (operand_of_scaling(edit, edit.node(half), 0.5, rank) != m.x) return false;
    m.nodes.push_back(half);
    m.last = m1;
  }
  m.y = edit.node(m.last).outputs[0];
  return true;
}

// Div(x, sqrt 2) or Mul(x, 1/sqrt 2) -> Erf -> tail.
bool match_erf(const GraphEdit& edit, int erf, Match& m) {
  const Node& e = edit.node(erf);
  const int z = e.inputs.at(0);
  if (edit.sole_consumer(z) != erf) return false;
  if (const int div = onnx_producer(edit, z, "Div"); div >= 0) {
    const Node& d = edit.node(div);
    if (d.inputs.size() != 2) return false;
    m.x = d.inputs[0];
    if (!is_scalar(edit, d.inputs[1], kSqrt2, known_rank(edit, m.x))) return false;
    m.nodes.push_back(div);
  } else if (const int mul = onnx_producer(edit, z, "Mul"); mul >= 0) {
    const Node& scaling = edit.node(mul);
    if (scaling.inputs.size() != 2) return false;
    for (int k : {0, 1})  // x is the operand that is not the constant
      if (is_scalar(edit, scaling.inputs[1 - k], 1 / kSqrt2, known_rank(edit, scaling.inputs[k])))
        m.x = scaling.inputs[k];
    if (m.x == kNoValue) return false;
    m.nodes.push_back(mul);
  } else {
    return false;
  }
  m.nodes.push_back(erf);
  return match_tail(edit, e.outputs[0], m, known_rank(edit, m.x));
}

// Pow(x, 3) -> Mul(0.044715) -> Add(x) -> Mul(sqrt(2/pi)) -> Tanh -> tail.
bool match_tanh(const GraphEdit& edit, int tanh, Match& m) {
  const Node& t = edit.node(tanh);
  const int u = t.inputs.at(0);
  const int scale = onnx_producer(edit, u, "Mul");
  if (scale < 0 || edit.sole_consumer(u) != tanh) return false;
  for (int k : {0, 1}) {  // the slot of the inner sum
    const Node& s = edit.node(scale);
    if (s.inputs.size() != 2) return false;
    const int v = s.inputs[k];
    const int add = onnx_producer(edit, v, "Add");
    if (add < 0 || edit.sole_consumer(v) != scale) continue;
    for (int j : {0, 1}) {  // the slot of the cubic term
      const Node& a = edit.node(add);
      if (a.inputs.size() != 2) return false;
      const int x = a.inputs[1 - j], w = a.inputs[j];
      const int rank = known_rank(edit, x);
      if (!is_scalar(edit, s.inputs[1 - k], kSqrt2OverPi, rank)) continue;
      const int cubic = onnx_producer(edit, w, "Mul");
      if (cubic < 0 || edit.sole_consumer(w) != add) continue;
      const int x3 = operand_of_scaling(edit, edit.node(cubic), 0.044715, rank);
      const int pow = onnx_producer(edit, x3, "Pow");
      if (pow < 0 || edit.sole_consumer(x3) != cubic) continue;
      const Node& p = edit.node(pow);
      if (p.inputs.size() != 2 || p.inputs[0] != x || !is_scalar(edit, p.inputs[1], 3.0, rank))
        continue;
      m.x = x;
      m.nodes = {pow, cubic, add, scale, tanh};
      return match_tail(edit, t.outputs[0], m, rank);
    }
  }
  return false;
}

bool fuse(GraphEdit& edit, int anchor, bool tanh_form) {
  Match m;
  const bool matched = tanh_form ? match_tanh(edit, anchor, m) : match_erf(edit, anchor, m);
  if (!matched || m.x == kNoValue || m.y == kNoValue) return false;
  const TypeInfo& x_type = edit.type(m.x);
  if (!x_type.is_tensor() || x_type.elem != DType::Float) return false;
  if (!distinct(m.nodes)) return false;

  Node gelu = edit.fused_node(edit.node(m.last), fused::kGelu);
  gelu.attributes = {string_attribute(fused::kApproximate, tanh_form ? "tanh" : "none")};
  gelu.inputs = {m.x};
  gelu.outputs = {m.y};
  for (int n : m.nodes)
    if (n != m.last) edit.remove_node(n);
  edit.replace_node(m.last, std::move(gelu));
  return true;
}

}  // namespace

int fuse_gelu(GraphEdit& edit) {
  int fused = 0;
  for (int i = 0; i < edit.num_nodes(); ++i) {
    if (edit.removed(i)) continue;
    const Node& node = edit.node(i);
    if (node.inputs.size() != 1 || node.outputs.size() != 1) continue;
    if (is_onnx(node, "Erf"))
      fused += fuse(edit, i, false);
    else if (is_onnx(node, "Tanh"))
      fused += fuse(edit, i, true);
  }
  return fused;
}

}  // namespace onyx::passes
