// LayerNormalization fusion: the decomposition that exporters write before opset 17 (BERT
// at opset 13),
//
//   m = ReduceMean(x, last axis)   d = Sub(x, m)   v = ReduceMean(Pow(d, 2), last axis)
//   y = Div(d, Sqrt(Add(v, epsilon))) [-> Mul(scale)] [-> Add(bias)]
//
// becomes one LayerNormalization of domain ai.onyx (onyx/fused_ops.h; axis -1, the
// constant's epsilon, stash_type float), whatever the model's opset. The reductions must
// keep their dims; scale and bias must be float vectors of x's last dim (so nothing
// broadcasts beyond x's shape); without Mul the scale is a vector of ones. d must be read
// by the Pow and the Div alone, every other intermediate by the next node alone, and none
// may be a graph output. Float tensors only.
#include <optional>
#include <vector>

#include "match.h"
#include "onyx/fused_ops.h"

namespace onyx::passes {

namespace {

bool fuse_at(GraphEdit& edit, int mean) {
  const Node& r1 = edit.node(mean);
  const int x = r1.inputs.at(0);
  const int rank = known_rank(edit, x);
  const std::optional<int64_t> h = last_dim(edit, x);
  if (!h || edit.type(x).elem != DType::Float || !is_mean_of_last_axis(edit, r1, rank))
    return false;
  std::vector<int> nodes = {mean};

  const int sub = sole_onnx_consumer(edit, r1.outputs[0], "Sub");
  if (sub < 0 || edit.node(sub).inputs != std::vector<int>{x, r1.outputs[0]}) return false;
  nodes.push_back(sub);
  const int d = edit.node(sub).outputs[0];
  // d's readers: the Pow (variance) and the Div (normalization), nothing else.
  const std::vector<int>& readers = edit.consumers(d);
  if (!edit.internal(d) || readers.size() != 2) return false;
  int pow = -1, div = -1;
  for (int r : readers) {
    const Node& n = edit.node(r);
    if (is_onnx(n, "Pow") && n.inputs.size() == 2 && n.inputs[0] == d &&
        is_scalar(edit, n.inputs[1], 2.0, rank))
      pow = r;
    else if (is_onnx(n, "Div") && n.inputs.size() == 2 && n.inputs[0] == d && n.inputs[1] != d)
      div = r;
  }
  if (pow < 0 || div < 0) return false;
  nodes.push_back(pow);

  const int r2 = edit.sole_consumer(edit.node(pow).outputs[0]);
  if (r2 < 0 || !is_mean_of_last_axis(edit, edit.node(r2), rank)) return false;
  nodes.push_back(r2);
  const int v = edit.node(r2).outputs[0];
  const auto eps = epsilon_add(edit, v, rank);
  if (!eps) return false;
  const auto [add_eps, epsilon] = *eps;
  nodes.push_back(add_eps);
  const int root = sole_onnx_consumer(edit, edit.node(add_eps).outputs[0], "Sqrt");
  if (root < 0 || edit.sole_consumer(edit.node(root).outputs[0]) != div ||
      edit.node(div).inputs[1] != edit.node(root).outputs[0])
    return false;
  nodes.push_back(root);
  nodes.push_back(div);

  // The optional affine part.
  int y = edit.node(div).outputs[0];
  const int scale = take_vector_operand(edit, y, "Mul", *h, nodes);
  const int bias = take_vector_operand(edit, y, "Add", *h, nodes);
  if (!distinct(nodes)) return false;
  replace_with_normalization(edit, nodes, fused::kLayerNorm, x, scale, bias, epsilon, *h, y);
  return true;
}

}  // namespace

int fuse_layer_norm(GraphEdit& edit) {
  int fused = 0;
  for (int i = 0; i < edit.num_nodes(); ++i)
    if (!edit.removed(i) && is_onnx(edit.node(i), "ReduceMean") && !edit.node(i).inputs.empty())
      fused += fuse_at(edit, i);
  return fused;
}

}  // namespace onyx::passes
