#include "onyx/planner.h"

#include <algorithm>

namespace onyx {
namespace {

int64_t static_bytes(const TypeInfo& type) {
  if (!type.is_tensor() || type.elem == DType::String) return 0;
  auto shape = type.concrete_shape();
  if (!shape) return 0;
  return static_cast<int64_t>(dtype_storage_bytes(type.elem, checked_numel(*shape)));
}

}  // namespace

MemoryPlan plan_memory(const Graph& graph, const std::vector<int>& order,
                       const std::vector<TypeInfo>& types) {
  const int n = static_cast<int>(graph.values.size());
  std::vector<int> last_use(n, -1);
  std::vector<bool> pinned(n, false);  // kept for the whole run
  for (int id : graph.outputs) pinned[id] = true;
  for (int id : graph.inputs) pinned[id] = true;
  for (const auto& [id, t] : graph.initializers) pinned[id] = true;

  // A node's subgraphs read enclosing values too: those count as uses.
  std::vector<std::vector<int>> reads(order.size());
  for (int step = 0; step < static_cast<int>(order.size()); ++step) {
    const Node& node = graph.nodes[order[step]];
    reads[step] = node.inputs;
    for (int v : implicit_inputs(graph, node)) reads[step].push_back(v);
    for (int v : reads[step])
      if (v != kNoValue) last_use[v] = step;
  }

  MemoryPlan plan;
  plan.release_after.resize(order.size());
  int64_t live = 0;
  for (int step = 0; step < static_cast<int>(order.size()); ++step) {
    const Node& node = graph.nodes[order[step]];
    for (int v : node.outputs) {
      if (v == kNoValue || pinned[v]) continue;
      live += static_bytes(types[v]);
      if (last_use[v] < 0) plan.release_after[step].push_back(v);  // never read: drop at once
    }
    plan.peak_bytes = std::max(plan.peak_bytes, live);
    for (int v : reads[step])
      if (v != kNoValue && !pinned[v] && last_use[v] == step &&
          std::find(plan.release_after[step].begin(), plan.release_after[step].end(), v) ==
              plan.release_after[step].end())
        plan.release_after[step].push_back(v);
    for (int v : plan.release_after[step]) live -= static_bytes(types[v]);
  }
  return plan;
}

}  // namespace onyx
