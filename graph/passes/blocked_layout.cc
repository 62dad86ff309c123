// The channel-blocked layout (onyx/fused_ops.h): a chain of convolutions (MobileNet's
// inverted-residual blocks, ResNet's bottlenecks, SqueezeNet's Fire modules with their
// channel Concats) runs on blocked tensors, each convolution a BlockedConv, with a
// ReorderToBlocked where a value enters the chain and a ReorderFromBlocked where one
// leaves it for any other reader.
//
// A reorder in and out costs about as much as a depthwise layer (bench/RESULTS.md), so a
// chain is rewritten only when it is long and its edges are few: at least
// kMinChainConvs convolutions, and no more reorders than half as many as convolutions.
//
// Runs only where the kernels have a block (OptimizerTarget::channel_block), after the
// epilogue fusions, so that the residual Adds and activations are already inside the
// convolutions.
#include <map>
#include <numeric>
#include <optional>
#include <string>

#include "match.h"
#include "onyx/fused_ops.h"
#include "passes.h"

namespace onyx::passes {

namespace {

constexpr int kMinChainConvs = 4;
constexpr int64_t kMinDenseBlock = 16;
constexpr int kResidualSlot = 3;  // FusedConv's Z

const Attribute* attr(const Node& nd, const char* name) { return nd.find_attr(name); }

// Whether `a` is absent or holds `size` equal values; sets `value` to that value (or to
// `absent` when the attribute is).
bool uniform(const Attribute* a, size_t size, int64_t absent, int64_t& value) {
  value = absent;
  if (a == nullptr) return true;
  if (a->ints.size() != size) return false;
  value = a->ints[0];
  for (int64_t v : a->ints)
    if (v != value) return false;
  return true;
}

// Whether node `index` is a float 2-D Conv or FusedConv that the blocked kernels run
// faster than the NCHW ones, with constant weights and bias and an input of known channel
// count: a 1x1 convolution (group 1, stride 1, no padding); a 3x3 depthwise one (padding
// 1, stride 1 or 2); or, with blocks of 16 (AVX-512), a dense one of stride 1 and one
// padding on every side, with at least half a block of input channels (a 3-channel stem
// would be mostly padding). Measured in bench/RESULTS.md: with AVX2's blocks of 8 the
// dense kernel is slower than Winograd and the implicit GEMM, and strided dense layers
// stay NCHW everywhere.
bool blockable(const GraphEdit& edit, int index, int64_t block) {
  const Node& nd = edit.node(index);
  const bool fused = nd.domain == fused::kDomain && nd.op_type == fused::kConv;
  if (!fused && !is_onnx(nd, "Conv")) return false;
  if (nd.inputs.size() < 2 || nd.outputs.size() != 1 || nd.outputs[0] == kNoValue) return false;
  const int x = nd.inputs[0];
  if (x == kNoValue || edit.type(x).elem != DType::Float) return false;
  const Tensor* w = edit.constant(nd.inputs[1]);
  if (w == nullptr || w->dtype() != DType::Float || w->rank() != 4 || w->dim(2) != w->dim(3))
    return false;
  if (nd.inputs.size() > 2 && nd.inputs[2] != kNoValue && edit.constant(nd.inputs[2]) == nullptr)
    return false;
  const std::optional<std::vector<Dim>>& xs = edit.type(x).shape;
  if (!xs || xs->size() != 4 || !(*xs)[1].is_known()) return false;
  if (const Attribute* p = attr(nd, "auto_pad"); p != nullptr && p->s != "NOTSET") return false;
  int64_t stride = 1, pad = 0, dilation = 1;
  if (!uniform(attr(nd, "strides"), 2, 1, stride) || !uniform(attr(nd, "pads"), 4, 0, pad) ||
      !uniform(attr(nd, "dilations"), 2, 1, dilation) || dilation != 1)
    return false;
  const Attribute* group = attr(nd, "group");
  const int64_t g = group ? group->i : 1, K = w->dim(2), M = w->dim(0), C = (*xs)[1].value;
  if (g == 1)
    return w->dim(1) == C && stride == 1 && pad < K &&
           (K == 1 || (block >= kMinDenseBlock && 2 * C >= block));
  return K == 3 && w->dim(1) == 1 && g == M && M == C && pad == 1 && (stride == 1 || stride == 2);
}

// The channel count of a 4-D float value, when inference knows it; else -1.
int64_t channels_of(const GraphEdit& edit, int value) {
  if (value == kNoValue || edit.type(value).elem != DType::Float) return -1;
  const std::optional<std::vector<Dim>>& shape = edit.type(value).shape;
  return shape && shape->size() == 4 && (*shape)[1].is_known() ? (*shape)[1].value : -1;
}

// Whether node `index` is a Concat along the channels of 4-D float values, every one but
// the last a whole number of blocks. On blocked values, each image of an input is one
// contiguous run of (C / block) blocks, so the plain Concat kernel concatenates the blocks
// of the inputs in order, and the last input's padding ends the output's last block.
bool blockable_concat(const GraphEdit& edit, int index, int64_t block) {
  const Node& nd = edit.node(index);
  if (!is_onnx(nd, "Concat") || nd.inputs.empty() || nd.outputs.size() != 1) return false;
  const Attribute* axis = attr(nd, "axis");
  if (axis == nullptr || (axis->i != 1 && axis->i != -3)) return false;
  for (size_t k = 0; k < nd.inputs.size(); ++k) {
    const int64_t C = channels_of(edit, nd.inputs[k]);
    if (C < 0 || (k + 1 < nd.inputs.size() && C % block != 0)) return false;
  }
  return true;
}

// Whether input `slot` of chain member `nd` reads a blocked tensor once rewritten: a
// convolution's X and residual Z, every input of a Concat.
bool blocked_slot(const Node& nd, int slot) {
  return is_onnx(nd, "Concat") || slot == 0 || slot == kResidualSlot;
}

// The channels of a member's output: a convolution's M, or a Concat's sum.
int64_t member_channels(const GraphEdit& edit, int index) {
  const Node& nd = edit.node(index);
  if (!is_onnx(nd, "Concat")) return edit.constant(nd.inputs[1])->dim(0);
  int64_t sum = 0;
  for (int v : nd.inputs) sum += channels_of(edit, v);
  return sum;
}

struct UnionFind {
  std::vector<int> parent;
  explicit UnionFind(int n) : parent(static_cast<size_t>(n)) {
    std::iota(parent.begin(), parent.end(), 0);
  }
  int find(int i) {
    while (parent[static_cast<size_t>(i)] != i)
      i = parent[static_cast<size_t>(i)] =
          parent[static_cast<size_t>(parent[static_cast<size_t>(i)])];
    return i;
  }
  void join(int a, int b) { parent[static_cast<size_t>(find(a))] = find(b); }
};

// One chain: its members (convolutions and Concats), the values entering it and those
// leaving it.
struct Chain {
  std::vector<int> members;
  int convs = 0;
  std::vector<int> entering;  // read at a blocked slot, produced outside the chain
  std::vector<int> leaving;   // produced in the chain, read outside it (or pinned)
};

Node reorder_node(const std::string& name, const char* op_type, int in, int out) {
  Node nd;
  nd.name = name;
  nd.op_type = op_type;
  nd.domain = fused::kDomain;
  nd.opset = fused::kVersion;
  nd.opset_pinned = true;
  nd.inputs = {in};
  nd.outputs = {out};
  return nd;
}

void rewrite(GraphEdit& edit, const Chain& chain, int64_t block) {
  std::map<int, int> blocked;  // NCHW value -> its blocked twin
  // Each leaving value's channels, read before the rewrite changes the types' records.
  std::map<int, int64_t> channels;
  for (int member : chain.members) {
    const int out = edit.node(member).outputs[0];
    blocked[out] = edit.add_value(edit.graph().value(out).name + "_blocked");
    channels[out] = member_channels(edit, member);
  }
  for (int v : chain.entering) {
    const int twin = edit.add_value(edit.graph().value(v).name + "_blocked");
    const int index = edit.add_node(
        reorder_node(edit.graph().value(v).name + "_to_blocked", fused::kToBlocked, v, twin));
    edit.node(index).attributes = {int_attribute(fused::kBlock, block)};
    blocked[v] = twin;
  }
  for (int member : chain.members) {
    const Node& from = edit.node(member);
    Node nd = from;  // a Concat stays one, reading and writing blocked values
    if (!is_onnx(from, "Concat")) {
      nd = edit.fused_node(from, fused::kBlockedConv);
      nd.attributes.push_back(int_attribute(fused::kBlock, block));
      nd.inputs = from.inputs;
    }
    for (size_t slot = 0; slot < nd.inputs.size(); ++slot)
      if (blocked_slot(from, static_cast<int>(slot)) && nd.inputs[slot] != kNoValue)
        nd.inputs[slot] = blocked.at(nd.inputs[slot]);
    nd.outputs = {blocked.at(from.outputs[0])};
    edit.replace_node(member, std::move(nd));
  }
  for (int v : chain.leaving) {
    // The chain's members now read the twin; every other reader keeps `v`, which the
    // reorder writes under its old name.
    const int index = edit.add_node(reorder_node(edit.graph().value(v).name + "_from_blocked",
                                                 fused::kFromBlocked, blocked.at(v), v));
    edit.node(index).attributes = {int_attribute(fused::kBlock, block),
                                   int_attribute("channels", channels.at(v))};
  }
}

}  // namespace

int blocked_layout(GraphEdit& edit, int64_t block) {
  const int n = edit.num_nodes();
  std::vector<bool> candidate(static_cast<size_t>(n), false);
  for (int i = 0; i < n; ++i)
    candidate[static_cast<size_t>(i)] =
        !edit.removed(i) && (blockable(edit, i, block) || blockable_concat(edit, i, block));
  // Chains: candidates joined where one's output is another's blocked input.
  UnionFind chains(n);
  for (int i = 0; i < n; ++i) {
    if (!candidate[static_cast<size_t>(i)]) continue;
    const Node& nd = edit.node(i);
    for (size_t slot = 0; slot < nd.inputs.size(); ++slot) {
      const int p = nd.inputs[slot] == kNoValue ? -1 : edit.producer(nd.inputs[slot]);
      if (blocked_slot(nd, static_cast<int>(slot)) && p >= 0 && candidate[static_cast<size_t>(p)])
        chains.join(i, p);
    }
  }
  std::map<int, Chain> found;
  for (int i = 0; i < n; ++i) {
    if (!candidate[static_cast<size_t>(i)]) continue;
    Chain& chain = found[chains.find(i)];
    chain.members.push_back(i);
    chain.convs += is_onnx(edit.node(i), "Concat") ? 0 : 1;
  }
  // (Nodes a rewrite appended, at n and past it, are reorders: in no chain.)
  auto in_chain = [&](int node, int root) {
    return node >= 0 && node < n && candidate[static_cast<size_t>(node)] &&
           chains.find(node) == root;
  };
  int rewritten = 0;
  for (auto& [root, chain] : found) {
    for (int member : chain.members) {
      const Node& nd = edit.node(member);
      for (size_t slot = 0; slot < nd.inputs.size(); ++slot) {
        const int v = nd.inputs[slot];
        if (blocked_slot(nd, static_cast<int>(slot)) && v != kNoValue &&
            !in_chain(edit.producer(v), root) &&
            std::find(chain.entering.begin(), chain.entering.end(), v) == chain.entering.end())
          chain.entering.push_back(v);
      }
      const int out = nd.outputs[0];
      bool read_outside = !edit.internal(out);
      for (int reader : edit.consumers(out)) {
        const Node& r = edit.node(reader);
        for (size_t slot = 0; slot < r.inputs.size(); ++slot)
          if (r.inputs[slot] == out &&
              (!in_chain(reader, root) || !blocked_slot(r, static_cast<int>(slot))))
            read_outside = true;
      }
      if (read_outside) chain.leaving.push_back(out);
    }
    const int reorders = static_cast<int>(chain.entering.size() + chain.leaving.size());
    if (chain.convs < kMinChainConvs || 2 * reorders > chain.convs) continue;
    rewrite(edit, chain, block);
    rewritten += static_cast<int>(chain.members.size());
  }
  return rewritten;
}

}  // namespace onyx::passes
