// Validation of a TreeForest: every reference in range, every tree free of loops.
#include "ml/tree_model.h"

#include <utility>

namespace onyx {

void TreeForest::validate(const KernelInit& init) {
  const int64_t n_nodes = static_cast<int64_t>(nodes.size());
  const int64_t n_leaves = static_cast<int64_t>(leaves.size());
  auto check_ref = [&](int64_t ref, const std::string& what) {
    if (ref >= 0 && ref >= n_nodes)
      init.fail(cat(what, " refers to node ", ref, ", but there are ", n_nodes, " nodes"));
    if (ref < 0 && ~ref >= n_leaves)
      init.fail(cat(what, " refers to leaf ", ~ref, ", but there are ", n_leaves, " leaves"));
  };
  if (n_targets < 1) init.fail(cat("the number of targets must be >= 1, got ", n_targets));
  if (!base_values.empty() && static_cast<int64_t>(base_values.size()) != n_targets)
    init.fail(cat("base_values has ", base_values.size(), " values for ", n_targets, " targets"));
  for (int64_t i = 0; i < n_nodes; ++i) {
    const TreeNode& node = nodes[static_cast<size_t>(i)];
    if (node.feature < 0) init.fail(cat("node ", i, " has a negative feature id ", node.feature));
    check_ref(node.if_true, cat("the true branch of node ", i));
    check_ref(node.if_false, cat("the false branch of node ", i));
  }
  for (size_t i = 0; i < roots.size(); ++i) check_ref(roots[i], cat("the root of tree ", i));
  for (size_t i = 0; i < leaves.size(); ++i)
    if (leaves[i].begin < 0 || leaves[i].begin > leaves[i].end ||
        leaves[i].end > static_cast<int64_t>(vote_target.size()))
      init.fail(cat("leaf ", i, " has an invalid range of weights"));
  for (size_t i = 0; i < vote_target.size(); ++i)
    if (vote_target[i] < 0 || vote_target[i] >= n_targets)
      init.fail(cat("target id ", vote_target[i], " (weight ", i, ") is out of range [0, ",
                    n_targets, ")"));

  // Depth-first from each root, without recursion (trees may be deep): a node met again
  // while still on the path is a loop, which would never reach a leaf.
  enum : char { kUnseen, kOnPath, kDone };
  std::vector<char> state(nodes.size(), kUnseen);
  std::vector<std::pair<int64_t, int>> path;  // node, branches already followed
  for (int64_t root : roots) {
    if (root < 0 || state[static_cast<size_t>(root)] == kDone) continue;
    state[static_cast<size_t>(root)] = kOnPath;
    path.push_back({root, 0});
    while (!path.empty()) {
      auto& [u, followed] = path.back();
      const TreeNode& node = nodes[static_cast<size_t>(u)];
      if (followed == 2) {
        state[static_cast<size_t>(u)] = kDone;
        // Only the nodes a row can reach read a feature (see evaluate).
        if (node.if_true != node.if_false) max_feature_ = std::max(max_feature_, node.feature);
        path.pop_back();
        continue;
      }
      const int64_t child = followed++ == 0 ? node.if_true : node.if_false;
      if (child < 0) continue;
      if (state[static_cast<size_t>(child)] == kOnPath)
        init.fail(cat("node ", child, " is its own descendant: the tree loops"));
      if (state[static_cast<size_t>(child)] == kUnseen) {
        state[static_cast<size_t>(child)] = kOnPath;
        path.push_back({child, 0});
      }
    }
  }
}

}  // namespace onyx
