// Attention fusion: the scaled dot-product attention that exporters write,
//
//   s = MatMul(q, kt) [-> Div(s, c) | Mul(s, c)] [-> Add(s, mask) | Where(keep, s, fill)]
//   y = MatMul(Softmax(s, last axis), v)
//
// with q [B, H, Sq, D], kt [B, H, D, Skv] and v [B, H, Skv, Dv], becomes one
// ScaledDotProductAttention of domain ai.onyx (onyx/fused_ops.h). The Transposes that
// make q, kt and v out of the head-split projections, and the one after y that merges
// the heads again, join the node as its perms: the kernel reads the projections through
// strides, so none of them is copied.
//
// Every matched value must be read by the next node alone and be no graph output. q, kt
// and v must be float of rank 4 with the same B and H (known, or the same symbol); c a
// scalar constant; the mask must not broadcast the scores to a larger shape, and Where's
// fill must be a scalar constant.
#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "match.h"
#include "onyx/fused_ops.h"

namespace onyx::passes {

namespace {

using Perm = std::vector<int64_t>;

// The float rank-4 shape of a value, when inferred.
std::optional<std::vector<Dim>> shape4(const GraphEdit& edit, int value) {
  const TypeInfo& t = edit.type(value);
  if (!t.is_tensor() || t.elem != DType::Float || !t.shape || t.shape->size() != 4)
    return std::nullopt;
  return *t.shape;
}

bool same_dim(const Dim& a, const Dim& b) {
  return a.is_known() ? a == b : !a.param.empty() && a == b;
}

// The node producing `value` when `reader` alone reads it; else -1.
int feeder(const GraphEdit& edit, int value, int reader) {
  return edit.sole_consumer(value) == reader ? edit.producer(value) : -1;
}

// An operand of the pattern and the perm that makes it from the node's input.
struct Operand {
  int input = kNoValue;
  Perm perm = {0, 1, 2, 3};
};

// `value` as a node input: the input of the rank-4 Transpose that makes it for `reader`
// alone (which then joins `nodes`), or the value itself.
Operand absorb_transpose(const GraphEdit& edit, int value, int reader, std::vector<int>& nodes) {
  const int t = feeder(edit, value, reader);
  if (t >= 0 && is_onnx(edit.node(t), "Transpose") && edit.node(t).outputs.size() == 1) {
    const std::optional<Perm> perm = perm_of(edit, edit.node(t));
    if (perm && perm->size() == 4) {
      nodes.push_back(t);
      return {edit.node(t).inputs[0], *perm};
    }
  }
  return {value, {0, 1, 2, 3}};
}

// Whether a mask of the given type broadcasts to `scores` without growing it.
bool broadcasts_into(const TypeInfo& mask, const std::vector<Dim>& scores) {
  if (!mask.is_tensor() || !mask.shape || mask.shape->size() > 4) return false;
  const size_t r = mask.shape->size();
  for (size_t i = 0; i < r; ++i) {
    const Dim& m = (*mask.shape)[i];
    if (!(m.is_known() && m.value == 1) && !same_dim(m, scores[4 - r + i])) return false;
  }
  return true;
}

struct Mask {
  int value = kNoValue;
  std::optional<float> fill;  // a bool mask's fill; none for an additive mask
};

// The mask node producing `s` for `reader` alone (joining `nodes`), its mask, and the
// scores it reads; {s, no mask} when there is none.
std::pair<int, Mask> match_mask(const GraphEdit& edit, int s, int reader,
                                const std::vector<Dim>& scores, std::vector<int>& nodes) {
  const int p = feeder(edit, s, reader);
  if (p < 0 || edit.node(p).outputs.size() != 1) return {s, {}};
  const Node& node = edit.node(p);
  if (is_onnx(node, "Add") && node.inputs.size() == 2) {
    for (int slot : {0, 1}) {
      const int x = node.inputs[slot], mask = node.inputs[1 - slot];
      const int before = feeder(edit, x, p);
      if (before < 0 || x == mask || !same_tensor_type(edit.type(x), edit.type(s))) continue;
      const Node& b = edit.node(before);
      if (!is_onnx(b, "MatMul") && !is_onnx(b, "Div") && !is_onnx(b, "Mul")) continue;
      if (edit.type(mask).elem != DType::Float || !broadcasts_into(edit.type(mask), scores))
        continue;
      nodes.push_back(p);
      return {x, {mask, std::nullopt}};
    }
  }
  if (is_onnx(node, "Where") && node.inputs.size() == 3) {
    const int keep = node.inputs[0], x = node.inputs[1], fill = node.inputs[2];
    const std::optional<double> f = scalar_constant(edit, fill);
    if (edit.type(keep).elem == DType::Bool && broadcasts_into(edit.type(keep), scores) && f &&
        edit.constant(fill)->dtype() == DType::Float && edit.constant(fill)->rank() <= 4 &&
        same_tensor_type(edit.type(x), edit.type(s))) {
      nodes.push_back(p);
      return {x, {keep, static_cast<float>(*f)}};
    }
  }
  return {s, {}};
}

// The scale node producing `s` for `reader` alone (joining `nodes`), the factor and the
// product it reads; {s, 1} when there is none.
std::pair<int, float> match_scale(const GraphEdit& edit, int s, int reader,
                                  std::vector<int>& nodes) {
  const int p = feeder(edit, s, reader);
  if (p < 0 || edit.node(p).outputs.size() != 1) return {s, 1.0f};
  const Node& node = edit.node(p);
  const bool div = is_onnx(node, "Div"), mul = is_onnx(node, "Mul");
  if ((!div && !mul) || node.inputs.size() != 2) return {s, 1.0f};
  for (int slot : {0, 1}) {
    if (div && slot == 1) break;  // c / x is no scaling
    const int x = node.inputs[slot], c = node.inputs[1 - slot];
    const std::optional<double> v = scalar_constant(edit, c);
    if (!v || edit.constant(c)->dtype() != DType::Float || edit.constant(c)->rank() > 4 ||
        !same_tensor_type(edit.type(x), edit.type(s)) || (div && *v == 0))
      continue;
    nodes.push_back(p);
    return {x, static_cast<float>(div ? 1.0 / *v : *v)};
  }
  return {s, 1.0f};
}

bool fuse_at(GraphEdit& edit, int softmax) {
  const Node& sm = edit.node(softmax);
  if (sm.inputs.size() != 1 || sm.outputs.size() != 1) return false;
  const std::optional<std::vector<Dim>> scores = shape4(edit, sm.inputs[0]);
  const Attribute* axis = sm.find_attr("axis");
  // Before opset 13 Softmax flattens from `axis` on: from 3, that is the last axis alone.
  const int64_t a = axis ? axis->i : sm.opset < 13 ? 1 : -1;
  if (!scores || (a != -1 && a != 3)) return false;
  std::vector<int> nodes = {softmax};

  const auto [scaled, mask] = match_mask(edit, sm.inputs[0], softmax, *scores, nodes);
  const int mask_node = nodes.size() > 1 ? nodes.back() : softmax;
  const auto [product, scale] = match_scale(edit, scaled, mask_node, nodes);
  const int qk = feeder(edit, product, nodes.back());
  if (qk < 0 || !is_onnx(edit.node(qk), "MatMul") || edit.node(qk).inputs.size() != 2) return false;
  nodes.push_back(qk);
  const int pv = edit.sole_consumer(sm.outputs[0]);
  if (pv < 0 || !is_onnx(edit.node(pv), "MatMul") || edit.node(pv).inputs.size() != 2 ||
      edit.node(pv).inputs[0] != sm.outputs[0] || edit.node(pv).inputs[1] == sm.outputs[0])
    return false;
  nodes.push_back(pv);

  const int q4 = edit.node(qk).inputs[0], kt4 = edit.node(qk).inputs[1];
  const int v4 = edit.node(pv).inputs[1];
  const auto q = shape4(edit, q4), kt = shape4(edit, kt4), v = shape4(edit, v4);
  if (!q || !kt || !v) return false;
  for (int d : {0, 1})  // B and H, with no broadcast between the operands
    if (!same_dim((*q)[d], (*kt)[d]) || !same_dim((*q)[d], (*v)[d])) return false;
  if (!same_dim((*q)[3], (*kt)[2]) || !same_dim((*kt)[3], (*v)[2])) return false;

  const Operand q_in = absorb_transpose(edit, q4, qk, nodes);
  Operand k_in = absorb_transpose(edit, kt4, qk, nodes);
  std::swap(k_in.perm[2], k_in.perm[3]);  // k is kt with its last two dims swapped
  const Operand v_in = absorb_transpose(edit, v4, pv, nodes);
  int y = edit.node(pv).outputs[0];
  Perm perm_out = {0, 1, 2, 3};
  if (const int t = edit.sole_consumer(y); t >= 0 && is_onnx(edit.node(t), "Transpose")) {
    const std::optional<Perm> perm = perm_of(edit, edit.node(t));
    if (perm && perm->size() == 4 && edit.node(t).outputs.size() == 1) {
      perm_out = *perm;
      nodes.push_back(t);
      y = edit.node(t).outputs[0];
    }
  }
  if (!distinct(nodes)) return false;

  // The node goes where the last of the matched nodes was, after all of its inputs.
  const int last = *std::max_element(nodes.begin(), nodes.end());
  Node fused = edit.fused_node(edit.node(last), fused::kAttention);
  fused.attributes = {float_attribute("scale", scale), ints_attribute("perm_q", q_in.perm),
                      ints_attribute("perm_k", k_in.perm), ints_attribute("perm_v", v_in.perm),
                      ints_attribute("perm_out", perm_out)};
  if (mask.fill) fused.attributes.push_back(float_attribute("mask_fill", *mask.fill));
  fused.inputs = {q_in.input, k_in.input, v_in.input};
  if (mask.value != kNoValue) fused.inputs.push_back(mask.value);
  fused.outputs = {y};
  for (int n : nodes)
    if (n != last) edit.remove_node(n);
  edit.replace_node(last, std::move(fused));
  return true;
}

}  // namespace

int fuse_attention(GraphEdit& edit) {
  int fused = 0;
  for (int i = 0; i < edit.num_nodes(); ++i)
    if (!edit.removed(i) && is_onnx(edit.node(i), "Softmax")) fused += fuse_at(edit, i);
  return fused;
}

}  // namespace onyx::passes
