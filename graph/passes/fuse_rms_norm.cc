// RMSNormalization fusion: the decomposition that exporters write for RMSNorm (T5,
// LLaMA, torch.nn.RMSNorm) before opset 23,
//
//   v = ReduceMean(Pow(x, 2) | Mul(x, x), last axis)    r = Sqrt(Add(v, epsilon))
//   y = Div(x, r) | Mul(x, Reciprocal(r)) | Mul(x, Div(1, r))   [-> Mul(scale)]
//
// becomes one RMSNormalization of domain ai.onyx (onyx/fused_ops.h; axis -1, the
// constant's epsilon, stash_type float), whatever the model's opset. The reduction must
// keep its dims; the scale must be a float vector of x's last dim (without it the scale is
// a vector of ones). x may have other readers (it is the residual stream); every
// intermediate must be read by the next node alone and be no graph output. Float only.
#include <algorithm>
#include <optional>
#include <vector>

#include "match.h"
#include "onyx/fused_ops.h"

namespace onyx::passes {

namespace {

// x when `node` squares it: Pow(x, 2) or Mul(x, x); else kNoValue.
int squared_value(const GraphEdit& edit, const Node& node, int rank) {
  if (node.inputs.size() != 2 || node.outputs.size() != 1) return kNoValue;
  if (is_onnx(node, "Pow") && is_scalar(edit, node.inputs[1], 2.0, rank)) return node.inputs[0];
  if (is_onnx(node, "Mul") && node.inputs[0] == node.inputs[1]) return node.inputs[0];
  return kNoValue;
}

// The nodes that turn r = sqrt(v + epsilon) into x / r, and their output; nullopt when
// the readers of r do not make that.
std::optional<std::pair<std::vector<int>, int>> divided_by(const GraphEdit& edit, int x, int r,
                                                           int rank) {
  const int reader = edit.sole_consumer(r);
  if (reader < 0) return std::nullopt;
  const Node& n = edit.node(reader);
  if (n.outputs.size() != 1) return std::nullopt;
  const bool div = is_onnx(n, "Div") && n.inputs.size() == 2;
  if (div && n.inputs[0] == x && n.inputs[1] == r)
    return std::make_pair(std::vector<int>{reader}, n.outputs[0]);
  // 1 / r, by Reciprocal or Div, then a Mul with x.
  const bool reciprocal = is_onnx(n, "Reciprocal") ||
                          (div && n.inputs[1] == r && is_scalar(edit, n.inputs[0], 1.0, rank));
  if (!reciprocal) return std::nullopt;
  const int mul = sole_onnx_consumer(edit, n.outputs[0], "Mul");
  if (mul < 0 || other_input(edit.node(mul), n.outputs[0]) != x) return std::nullopt;
  return std::make_pair(std::vector<int>{reader, mul}, edit.node(mul).outputs[0]);
}

bool fuse_at(GraphEdit& edit, int mean) {
  const Node& r1 = edit.node(mean);
  const int square = edit.producer(r1.inputs.at(0));
  if (square < 0 || edit.sole_consumer(r1.inputs[0]) != mean) return false;
  const int x = squared_value(edit, edit.node(square), known_rank(edit, r1.inputs[0]));
  if (x == kNoValue) return false;
  const int rank = known_rank(edit, x);
  const std::optional<int64_t> h = last_dim(edit, x);
  if (!h || edit.type(x).elem != DType::Float || !is_mean_of_last_axis(edit, r1, rank))
    return false;
  std::vector<int> nodes = {square, mean};

  const int v = r1.outputs[0];
  const int add_eps = sole_onnx_consumer(edit, v, "Add");
  if (add_eps < 0) return false;
  const int eps_value = other_input(edit.node(add_eps), v);
  const std::optional<double> epsilon = scalar_constant(edit, eps_value);
  if (!epsilon || !(*epsilon >= 0) || edit.constant(eps_value)->rank() > rank) return false;
  nodes.push_back(add_eps);
  const int root = sole_onnx_consumer(edit, edit.node(add_eps).outputs[0], "Sqrt");
  if (root < 0) return false;
  nodes.push_back(root);
  const auto divide = divided_by(edit, x, edit.node(root).outputs[0], rank);
  if (!divide) return false;
  nodes.insert(nodes.end(), divide->first.begin(), divide->first.end());

  int y = divide->second;
  int scale = kNoValue;
  if (const int mul = sole_onnx_consumer(edit, y, "Mul"); mul >= 0) {
    const int s = other_input(edit.node(mul), y);
    if (is_vector_of(edit, s, *h)) {
      scale = s;
      nodes.push_back(mul);
      y = edit.node(mul).outputs[0];
    }
  }
  std::vector<int> sorted = nodes;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) return false;

  const int last = sorted.back();
  Node norm = edit.fused_node(edit.node(last), fused::kRmsNorm);
  if (scale == kNoValue) {
    Tensor ones(DType::Float, Shape{*h});
    std::fill(ones.data<float>(), ones.data<float>() + *h, 1.0f);
    scale = edit.add_initializer(norm.name.empty() ? "rms_norm_scale" : norm.name + "_scale",
                                 std::move(ones));
  }
  norm.attributes = {int_attribute("axis", -1),
                     float_attribute("epsilon", static_cast<float>(*epsilon)),
                     int_attribute("stash_type", 1)};  // float
  norm.inputs = {x, scale};
  norm.outputs = {y};
  for (int n : nodes)
    if (n != last) edit.remove_node(n);
  edit.replace_node(last, std::move(norm));
  return true;
}

}  // namespace

int fuse_rms_norm(GraphEdit& edit) {
  int fused = 0;
  for (int i = 0; i < edit.num_nodes(); ++i)
    if (!edit.removed(i) && is_onnx(edit.node(i), "ReduceMean") && !edit.node(i).inputs.empty())
      fused += fuse_at(edit, i);
  return fused;
}

}  // namespace onyx::passes
