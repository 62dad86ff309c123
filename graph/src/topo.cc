#include "onyx/topo.h"

#include <functional>
#include <queue>
#include <set>
#include <string>

namespace onyx {

std::vector<int> topological_order(const Graph& graph) {
  const int n = static_cast<int>(graph.nodes.size());
  const int nvalues = static_cast<int>(graph.values.size());
  auto valid = [nvalues](int id) { return id >= 0 && id < nvalues; };

  std::vector<int> producer(static_cast<size_t>(nvalues), -1);
  for (int i = 0; i < n; ++i)
    for (int out : graph.nodes[i].outputs)
      if (valid(out) && producer[out] < 0) producer[out] = i;

  // deps[i]: the values node i waits for (inputs and names its subgraphs use).
  std::vector<std::vector<int>> deps(static_cast<size_t>(n));
  std::vector<std::vector<int>> consumers(static_cast<size_t>(n));
  std::vector<int> waiting(static_cast<size_t>(n), 0);
  for (int i = 0; i < n; ++i) {
    const Node& node = graph.nodes[i];
    std::vector<int>& d = deps[i];
    for (int in : node.inputs)
      if (valid(in)) d.push_back(in);
    for (int id : implicit_inputs(graph, node))
      if (valid(id)) d.push_back(id);
    for (int id : d) {
      int p = producer[id];
      if (p < 0) continue;  // a graph input, initializer or outer value: ready from the start
      consumers[p].push_back(i);
      ++waiting[i];
    }
  }

  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int i = 0; i < n; ++i)
    if (waiting[i] == 0) ready.push(i);
  std::vector<int> order;
  order.reserve(static_cast<size_t>(n));
  std::vector<char> done(static_cast<size_t>(n), 0);
  while (!ready.empty()) {
    int i = ready.top();
    ready.pop();
    order.push_back(i);
    done[i] = 1;
    for (int c : consumers[i])
      if (--waiting[c] == 0) ready.push(c);
  }
  if (static_cast<int>(order.size()) == n) return order;

  // Every stuck node waits on a stuck producer: walk those links back from the
  // earliest stuck node until one repeats; the repeat closes a cycle.
  std::vector<int> seen_at(static_cast<size_t>(n), -1);
  std::vector<std::pair<int, int>> path;  // (node, value it waits on)
  int i = 0;
  while (done[i]) ++i;
  while (seen_at[i] < 0) {
    seen_at[i] = static_cast<int>(path.size());
    int next = -1, via = -1;
    for (int id : deps[i])
      if (producer[id] >= 0 && !done[producer[id]]) {
        next = producer[id];
        via = id;
        break;
      }
    path.emplace_back(i, via);
    i = next;
  }
  std::string cycle;
  for (size_t k = static_cast<size_t>(seen_at[i]); k < path.size(); ++k) {
    auto [node, via] = path[k];
    int from = producer[via];
    if (!cycle.empty()) cycle += "; ";
    cycle += graph.nodes[node].label(node) + " needs '" + graph.value(via).name + "' from " +
             graph.nodes[from].label(from);
  }
  fail("graph '", graph.name, "': nodes form a cycle: ", cycle);
}

}  // namespace onyx
