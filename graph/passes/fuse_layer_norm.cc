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
#include <algorithm>
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
  const int add_eps = sole_onnx_consumer(edit, v, "Add");
  if (add_eps < 0) return false;
  const int eps_value = other_input(edit.node(add_eps), v);
  const std::optional<double> epsilon = scalar_constant(edit, eps_value);
  if (!epsilon || !(*epsilon >= 0) || edit.constant(eps_value)->rank() > rank) return false;
  nodes.push_back(add_eps);
  const int root = sole_onnx_consumer(edit, edit.node(add_eps).outputs[0], "Sqrt");
  if (root < 0 || edit.sole_consumer(edit.node(root).outputs[0]) != div ||
      edit.node(div).inputs[1] != edit.node(root).outputs[0])
    return false;
  nodes.push_back(root);
  nodes.push_back(div);

  // The optional affine part.
  int y = edit.node(div).outputs[0];
  int scale = kNoValue, bias = kNoValue;
  if (const int mul = sole_onnx_consumer(edit, y, "Mul"); mul >= 0) {
    const int s = other_input(edit.node(mul), y);
    if (is_vector_of(edit, s, *h)) {
      scale = s;
      nodes.push_back(mul);
      y = edit.node(mul).outputs[0];
    }
  }
  if (const int add = sole_onnx_consumer(edit, y, "Add"); add >= 0) {
    const int b = other_input(edit.node(add), y);
    if (is_vector_of(edit, b, *h)) {
      bias = b;
      nodes.push_back(add);
      y = edit.node(add).outputs[0];
    }
  }
  std::vector<int> sorted = nodes;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) return false;

  const int last = nodes.back();
  Node norm = edit.fused_node(edit.node(last), fused::kLayerNorm);
  norm.attributes.clear();
  if (scale == kNoValue) {
    Tensor ones(DType::Float, Shape{*h});
    std::fill(ones.data<float>(), ones.data<float>() + *h, 1.0f);
    scale = edit.add_initializer(norm.name.empty() ? "layer_norm_scale" : norm.name + "_scale",
                                 std::move(ones));
  }
  norm.attributes = {int_attribute("axis", -1),
                     float_attribute("epsilon", static_cast<float>(*epsilon)),
                     int_attribute("stash_type", 1)};  // float
  norm.inputs = {x, scale};
  if (bias != kNoValue) norm.inputs.push_back(bias);
  norm.outputs = {y};
  for (int n : nodes)
    if (n != last) edit.remove_node(n);
  edit.replace_node(last, std::move(norm));
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
