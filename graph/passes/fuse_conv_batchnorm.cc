// BatchNormalization at inference folded into the Conv before it. With
//   s[m] = scale[m] / sqrt(var[m] + epsilon)
// BN(Conv(X, W, B)) = Conv(X, W', B') where W'[m, ...] = W[m, ...] * s[m] and
// B'[m] = (B[m] - mean[m]) * s[m] + bias[m] (B = 0 when absent). Applies when W, B and the
// four BN parameters are float initializers, BN is in inference mode and is the only
// reader of the Conv's output. Where the Conv alone holds W, W is rescaled in place:
// each element is computed from itself, and the weights are never held twice.
#include <cmath>
#include <optional>

#include "passes.h"

namespace onyx::passes {

namespace {

// The float initializer of a node input with `count` elements, or nullptr.
const Tensor* float_param(const GraphEdit& edit, const Node& node, size_t slot, int64_t count) {
  if (slot >= node.inputs.size()) return nullptr;
  const Tensor* t = edit.initializer(node.inputs[slot]);
  if (!t || t->dtype() != DType::Float || t->numel() != count) return nullptr;
  return t;
}

bool inference_mode(const GraphEdit& edit, const Node& bn) {
  const Attribute* training = bn.find_attr("training_mode");
  if (training && training->i != 0) return false;
  const Attribute* spatial = bn.find_attr("spatial");  // opset < 9: 0 means per element
  if (spatial && spatial->i == 0) return false;
  for (size_t k = 1; k < bn.outputs.size(); ++k)  // running statistics
    if (!edit.unread(bn.outputs[k])) return false;
  return true;
}

}  // namespace

int fuse_conv_batchnorm(GraphEdit& edit) {
  int fused = 0;
  for (int b = 0; b < edit.num_nodes(); ++b) {
    const Node& bn = edit.node(b);
    if (edit.removed(b) || !is_onnx(bn, "BatchNormalization") || bn.inputs.size() != 5) continue;
    const int x = bn.inputs[0];
    const int c = x == kNoValue ? -1 : edit.producer(x);
    if (c < 0 || edit.sole_consumer(x) != b || !inference_mode(edit, bn)) continue;
    const Node& conv = edit.node(c);
    if (!is_onnx(conv, "Conv") || conv.inputs.size() < 2) continue;
    const Tensor* w = edit.initializer(conv.inputs[1]);
    if (!w || w->dtype() != DType::Float || w->rank() < 3 || w->dim(0) <= 0) continue;
    const int64_t M = w->dim(0), per_channel = w->numel() / M;
    const bool has_bias = conv.inputs.size() > 2 && conv.inputs[2] != kNoValue;
    const Tensor* bias = has_bias ? float_param(edit, conv, 2, M) : nullptr;
    const Tensor* scale = float_param(edit, bn, 1, M);
    const Tensor* shift = float_param(edit, bn, 2, M);
    const Tensor* mean = float_param(edit, bn, 3, M);
    const Tensor* var = float_param(edit, bn, 4, M);
    if ((has_bias && !bias) || !scale || !shift || !mean || !var) continue;
    const Attribute* eps_attr = bn.find_attr("epsilon");
    const double epsilon = eps_attr ? eps_attr->f : 1e-5;

    const std::string w_name = edit.graph().value(conv.inputs[1]).name;
    std::optional<Tensor> own_w = edit.take_initializer(conv.inputs[1], c);  // w is gone if so
    Tensor new_w = own_w ? std::move(*own_w) : Tensor::uninitialized(DType::Float, w->shape());
    float* folded = new_w.data<float>();  // every element is written
    const float* old_w = own_w ? folded : w->data<float>();
    Tensor new_b(DType::Float, {M});
    for (int64_t m = 0; m < M; ++m) {
      const double s = scale->data<float>()[m] / std::sqrt(double{var->data<float>()[m]} + epsilon);
      const float* src = old_w + m * per_channel;
      float* dst = folded + m * per_channel;
      for (int64_t i = 0; i < per_channel; ++i) dst[i] = static_cast<float>(src[i] * s);
      const double b0 = bias ? bias->data<float>()[m] : 0.0;
      new_b.data<float>()[m] =
          static_cast<float>((b0 - mean->data<float>()[m]) * s + shift->data<float>()[m]);
    }
    const int y = bn.outputs[0];
    edit.remove_node(b);
    const int w_id = edit.add_initializer(w_name + "_bn", std::move(new_w));
    const int b_id = edit.add_initializer(w_name + "_bn_bias", std::move(new_b));
    Node& target = edit.node(c);
    if (target.inputs.size() < 3) target.inputs.resize(3, kNoValue);
    edit.set_input(c, 1, w_id);
    edit.set_input(c, 2, b_id);
    edit.set_output(c, 0, y);
    ++fused;
  }
  return fused;
}

}  // namespace onyx::passes
