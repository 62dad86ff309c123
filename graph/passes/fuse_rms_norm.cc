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
  const auto eps = epsilon_add(edit, v, rank);
  if (!eps) return false;
  const auto [add_eps, epsilon] = *eps;
  nodes.push_back(add_eps);
  const int root = sole_onnx_consumer(edit, edit.node(add_eps).outputs[0], "Sqrt");
  if (root < 0) return false;
  nodes.push_back(root);
  const auto divide = divided_by(edit, x, edit.node(root).outputs[0], rank);
  if (!divide) return false;
  for (int n : divide->first) nodes.push_back(n);

  int y = divide->second;
  const int scale = take_vector_operand(edit, y, "Mul", *h, nodes);
  if (!distinct(nodes)) return false;
  replace_with_normalization(edit, nodes, fused::kRmsNorm, x, scale, kNoValue, epsilon, *h, y);
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
