// The channel-blocked layout (onyx/fused_ops.h): a chain of 1x1 and 3x3 depthwise
// convolutions (MobileNet's inverted-residual blocks) runs on blocked tensors, each
// convolution a BlockedConv, with a ReorderToBlocked where a value enters the chain and a
// ReorderFromBlocked where one leaves it for any other reader.
//
// A reorder in and out costs about as much as a depthwise layer (bench/RESULTS.md), so a
// chain is rewritten only when it is long and its edges are few: at least
// kMinChainConvs convolutions, and no more reorders than half of them.
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
// count: a 1x1 convolution (group 1, stride 1, no padding) or a 3x3 depthwise one
// (padding 1, stride 1 or 2). A direct blocked kernel for dense windows measured slower
// than Winograd and the implicit GEMM (bench/RESULTS.md), so ResNet's and SqueezeNet's
// 3x3 layers stay NCHW, and so do the 1x1 layers between them (their chains are short).
bool blockable(const GraphEdit& edit, int index) {
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
  if (g == 1) return K == 1 && stride == 1 && pad == 0 && w->dim(1) == C;
  return K == 3 && w->dim(1) == 1 && g == M && M == C && pad == 1 && (stride == 1 || stride == 2);
}

// Whether `slot` of a convolution reads a blocked tensor in the rewritten chain.
bool blocked_slot(int slot) { return slot == 0 || slot == kResidualSlot; }

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

// One chain: its convolutions, the values entering it and those leaving it.
struct Chain {
  std::vector<int> convs;
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
  for (int conv : chain.convs)
    blocked[edit.node(conv).outputs[0]] =
        edit.add_value(edit.graph().value(edit.node(conv).outputs[0]).name + "_blocked");
  for (int v : chain.entering) {
    const int twin = edit.add_value(edit.graph().value(v).name + "_blocked");
    edit.add_node(
        reorder_node(edit.graph().value(v).name + "_to_blocked", fused::kToBlocked, v, twin));
    edit.node(edit.num_nodes() - 1).attributes = {int_attribute(fused::kBlock, block)};
    blocked[v] = twin;
  }
  for (int conv : chain.convs) {
    const Node& from = edit.node(conv);
    Node nd = edit.fused_node(from, fused::kBlockedConv);
    nd.attributes.push_back(int_attribute(fused::kBlock, block));
    nd.inputs = from.inputs;
    for (size_t slot = 0; slot < nd.inputs.size(); ++slot)
      if (blocked_slot(static_cast<int>(slot)) && nd.inputs[slot] != kNoValue)
        nd.inputs[slot] = blocked.at(nd.inputs[slot]);
    nd.outputs = {blocked.at(from.outputs[0])};
    edit.replace_node(conv, std::move(nd));
  }
  for (int v : chain.leaving) {
    // The chain's convolutions now read the twin; every other reader keeps `v`, which
    // the reorder writes under its old name.
    const int producer_conv = edit.producer(blocked.at(v));
    const int64_t channels = edit.constant(edit.node(producer_conv).inputs[1])->dim(0);
    const int index = edit.add_node(reorder_node(edit.graph().value(v).name + "_from_blocked",
                                                 fused::kFromBlocked, blocked.at(v), v));
    edit.node(index).attributes = {int_attribute(fused::kBlock, block),
                                   int_attribute("channels", channels)};
  }
}

}  // namespace

int blocked_layout(GraphEdit& edit, int64_t block) {
  const int n = edit.num_nodes();
  std::vector<bool> candidate(static_cast<size_t>(n), false);
  for (int i = 0; i < n; ++i)
    candidate[static_cast<size_t>(i)] = !edit.removed(i) && blockable(edit, i);
  // Chains: candidates joined where one's output is another's X or Z.
  UnionFind chains(n);
  for (int i = 0; i < n; ++i) {
    if (!candidate[static_cast<size_t>(i)]) continue;
    const Node& nd = edit.node(i);
    for (size_t slot = 0; slot < nd.inputs.size(); ++slot) {
      const int p = nd.inputs[slot] == kNoValue ? -1 : edit.producer(nd.inputs[slot]);
      if (blocked_slot(static_cast<int>(slot)) && p >= 0 && candidate[static_cast<size_t>(p)])
        chains.join(i, p);
    }
  }
  std::map<int, Chain> found;
  for (int i = 0; i < n; ++i)
    if (candidate[static_cast<size_t>(i)]) found[chains.find(i)].convs.push_back(i);
  // (Nodes a rewrite appended, at n and past it, are reorders: in no chain.)
  auto in_chain = [&](int node, int root) {
    return node >= 0 && node < n && candidate[static_cast<size_t>(node)] &&
           chains.find(node) == root;
  };
  int rewritten = 0;
  for (auto& [root, chain] : found) {
    for (int conv : chain.convs) {
      const Node& nd = edit.node(conv);
      for (size_t slot = 0; slot < nd.inputs.size(); ++slot) {
        const int v = nd.inputs[slot];
        if (blocked_slot(static_cast<int>(slot)) && v != kNoValue &&
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
              (!in_chain(reader, root) || !blocked_slot(static_cast<int>(slot))))
            read_outside = true;
      }
      if (read_outside) chain.leaving.push_back(out);
    }
    const size_t reorders = chain.entering.size() + chain.leaving.size();
    if (static_cast<int>(chain.convs.size()) < kMinChainConvs || 2 * reorders > chain.convs.size())
      continue;
    rewrite(edit, chain, block);
    rewritten += static_cast<int>(chain.convs.size());
  }
  return rewritten;
}

}  // namespace onyx::passes
