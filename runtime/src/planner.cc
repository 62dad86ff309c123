#include "onyx/planner.h"

#include <algorithm>
#include <numeric>

namespace onyx {
namespace {

constexpr int64_t kArenaAlignment = 64;

int64_t static_bytes(const TypeInfo& type) {
  if (!type.is_tensor() || type.elem == DType::String) return 0;
  auto shape = type.concrete_shape();
  if (!shape) return 0;
  return static_cast<int64_t>(dtype_storage_bytes(type.elem, checked_numel(*shape)));
}

int64_t aligned(int64_t bytes) {
  return (bytes + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
}

// Values grouped into blocks as the steps declare sharing, with each group's lifetime.
struct Groups {
  explicit Groups(size_t n) : parent(n), end(n, -1), excluded(n, false) {
    std::iota(parent.begin(), parent.end(), 0);
  }
  int root(int v) {
    while (parent[v] != v) v = parent[v] = parent[parent[v]];
    return v;
  }
  void join(int member, int into) {  // `member` is still alone
    const int r = root(into);
    parent[member] = r;
    end[r] = std::max(end[r], end[member]);
    excluded[r] = excluded[r] || excluded[member];
  }
  std::vector<int> parent;
  std::vector<int> end;  // at roots: the last step some member is alive
  std::vector<bool> excluded;
};

// Offsets, largest block first, each at the lowest offset clear of every block already
// placed whose lifetime meets its own.
int64_t place_blocks(std::vector<MemoryPlan::Block>& blocks) {
  std::vector<int> by_size(blocks.size());
  std::iota(by_size.begin(), by_size.end(), 0);
  std::stable_sort(by_size.begin(), by_size.end(), [&](int a, int b) {
    return blocks[a].bytes != blocks[b].bytes ? blocks[a].bytes > blocks[b].bytes
                                              : blocks[a].first < blocks[b].first;
  });
  int64_t total = 0;
  std::vector<int> placed;
  std::vector<std::pair<int64_t, int64_t>> taken;  // [offset, end) of lifetime neighbours
  for (int b : by_size) {
    MemoryPlan::Block& block = blocks[b];
    taken.clear();
    for (int p : placed)
      if (blocks[p].first <= block.last && block.first <= blocks[p].last)
        taken.push_back({blocks[p].offset, blocks[p].offset + aligned(blocks[p].bytes)});
    std::sort(taken.begin(), taken.end());
    int64_t offset = 0;
    for (const auto& [start, end] : taken) {
      if (offset + block.bytes <= start) break;
      offset = std::max(offset, end);
    }
    block.offset = offset;
    total = std::max(total, offset + aligned(block.bytes));
    placed.push_back(b);
  }
  return total;
}

}  // namespace

MemoryPlan plan_memory(const Graph& graph, const std::vector<int>& order,
                       const std::vector<TypeInfo>& types,
                       const std::vector<std::vector<OutputReuse>>& reuse) {
  const int n = static_cast<int>(graph.values.size());
  const int steps = static_cast<int>(order.size());
  std::vector<int> last_use(n, -1);
  std::vector<int> defined_at(n, -1);

  // A node's subgraphs read enclosing values too: those count as uses.
  std::vector<std::vector<int>> reads(order.size());
  for (int step = 0; step < steps; ++step) {
    const Node& node = graph.nodes[order[step]];
    reads[step] = node.inputs;
    for (int v : implicit_inputs(graph, node)) reads[step].push_back(v);
    for (int v : reads[step])
      if (v != kNoValue) last_use[v] = step;
    for (int v : node.outputs)
      if (v != kNoValue) defined_at[v] = step;
  }
  // Kept for the whole run: graph inputs and outputs, and whatever no step produces
  // (initializers, weights already freed into their kernels' packed form).
  std::vector<bool> pinned(n, false);
  for (int id : graph.outputs) pinned[id] = true;
  for (int v = 0; v < n; ++v) pinned[v] = pinned[v] || defined_at[v] < 0;

  MemoryPlan plan;
  plan.release_after.resize(order.size());
  for (int step = 0; step < steps; ++step) {
    std::vector<int>& release = plan.release_after[step];
    for (int v : graph.nodes[order[step]].outputs)
      if (v != kNoValue && !pinned[v] && last_use[v] < 0) release.push_back(v);  // never read
    for (int v : reads[step])
      if (v != kNoValue && !pinned[v] && last_use[v] == step &&
          std::find(release.begin(), release.end(), v) == release.end())
        release.push_back(v);
  }

  // The arena. A value of static shape produced by a step may have a block.
  plan.placeable_bytes.assign(n, 0);
  plan.written_over.assign(n, -1);
  Groups groups(static_cast<size_t>(n));
  std::vector<bool> candidate(n, false);
  for (int v = 0; v < n; ++v) {
    candidate[v] = !pinned[v] && static_bytes(types[v]) > 0;
    groups.end[v] = std::max(defined_at[v], last_use[v]);
    if (candidate[v]) plan.placeable_bytes[v] = static_bytes(types[v]);
  }
  for (int step = 0; step < steps && step < static_cast<int>(reuse.size()); ++step) {
    const Node& node = graph.nodes[order[step]];
    for (const OutputReuse& r : reuse[step]) {
      if (r.output < 0 || r.output >= static_cast<int>(node.outputs.size()) || r.input < 0 ||
          r.input >= static_cast<int>(node.inputs.size()))
        continue;
      const int out = node.outputs[r.output], in = node.inputs[r.input];
      if (out == kNoValue || in == kNoValue || groups.root(out) != out) continue;
      if (r.view) {
        // The output lives in the input's buffer: that buffer stays until both die,
        // and it cannot be in the arena when the output must outlive the run.
        plan.placeable_bytes[out] = 0;
        if (!candidate[in]) {
          candidate[out] = false;  // it views memory outside the arena
          continue;
        }
        if (pinned[out]) groups.excluded[out] = true;
        groups.join(out, in);
      } else if (candidate[out] && candidate[in] && groups.end[groups.root(in)] == step &&
                 plan.written_over[out] < 0 && types[out].elem == types[in].elem &&
                 static_bytes(types[out]) == static_bytes(types[in])) {
        groups.join(out, in);
        plan.written_over[out] = in;
      }
    }
  }

  plan.block_of.assign(n, -1);
  std::vector<int> block_at_root(n, -1);
  for (int v = 0; v < n; ++v) {
    if (!candidate[v]) continue;
    const int r = groups.root(v);
    if (groups.excluded[r] || !candidate[r]) continue;
    if (block_at_root[r] < 0) {
      block_at_root[r] = static_cast<int>(plan.blocks.size());
      MemoryPlan::Block block;
      block.first = steps;
      block.last = groups.end[r];
      plan.blocks.push_back(block);
    }
    MemoryPlan::Block& block = plan.blocks[block_at_root[r]];
    block.members.push_back(v);
    block.first = std::min(block.first, defined_at[v]);
    block.bytes = std::max(block.bytes, plan.placeable_bytes[v]);
    plan.block_of[v] = block_at_root[r];
  }
  plan.arena_bytes = place_blocks(plan.blocks);
  // The peak: the most bytes of blocks alive at one step.
  std::vector<int64_t> change(static_cast<size_t>(steps) + 1, 0);
  for (const MemoryPlan::Block& block : plan.blocks) {
    change[block.first] += block.bytes;
    change[block.last + 1] -= block.bytes;
  }
  int64_t live = 0;
  for (int step = 0; step < steps; ++step)
    plan.peak_bytes = std::max(plan.peak_bytes, live += change[step]);
  for (size_t a = 0; a < plan.blocks.size(); ++a)
    for (size_t b = 0; b < plan.blocks.size(); ++b) {
      const MemoryPlan::Block &x = plan.blocks[a], &y = plan.blocks[b];
      if (y.last < x.first && y.offset < x.offset + x.bytes && x.offset < y.offset + y.bytes)
        plan.blocks[a].earlier_overlaps.push_back(static_cast<int>(b));
    }
  return plan;
}

}  // namespace onyx
