// Validation of a TreeForest (every reference in range, every tree free of loops), and
// the reader of the older operators' node tuples.
#include "ml/tree_model.h"

#include <map>
#include <utility>

namespace onyx {
namespace {

NodeMode mode_named(const std::string& name, const KernelInit& init) {
  static const std::map<std::string, NodeMode> modes = {
      {"BRANCH_LEQ", NodeMode::Leq}, {"BRANCH_LT", NodeMode::Lt}, {"BRANCH_GTE", NodeMode::Gte},
      {"BRANCH_GT", NodeMode::Gt},   {"BRANCH_EQ", NodeMode::Eq}, {"BRANCH_NEQ", NodeMode::Neq}};
  auto it = modes.find(name);
  if (it == modes.end())
    init.fail("nodes_modes holds '" + name +
              "', not one of BRANCH_LEQ, BRANCH_LT, BRANCH_GTE, BRANCH_GT, BRANCH_EQ, "
              "BRANCH_NEQ, LEAF");
  return it->second;
}

}  // namespace

std::vector<double> tree_reals(const Attrs& attrs, const std::string& name,
                               const KernelInit& init) {
  const std::string tensor_name = name + "_as_tensor";
  const Tensor* t = init.opset() >= 3 ? attrs.get_tensor(tensor_name) : nullptr;
  if (t && attrs.has(name)) init.fail("give " + name + " or " + tensor_name + ", not both");
  if (!t) {
    const std::vector<float> v = attrs.get_floats(name);
    return std::vector<double>(v.begin(), v.end());
  }
  if (t->dtype() != DType::Double && t->dtype() != DType::Float)
    init.fail(tensor_name + " must be a double or float tensor, got " + t->describe());
  std::vector<double> out(static_cast<size_t>(t->numel()));
  dispatch<type_list<double, float>>(t->dtype(), init.node().op_type.c_str(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    for (int64_t i = 0; i < t->numel(); ++i) out[static_cast<size_t>(i)] = t->data<T>()[i];
  });
  return out;
}

void read_node_tuples(const KernelInit& init, const std::string& votes_prefix, TreeForest& forest) {
  const Attrs& attrs = init.attrs();
  const std::vector<int64_t> tree_ids = attrs.get_ints("nodes_treeids");
  const std::vector<int64_t> node_ids = attrs.get_ints("nodes_nodeids");
  const std::vector<int64_t> features = attrs.get_ints("nodes_featureids");
  const std::vector<std::string> modes = attrs.get_strings("nodes_modes");
  const std::vector<int64_t> true_ids = attrs.get_ints("nodes_truenodeids");
  const std::vector<int64_t> false_ids = attrs.get_ints("nodes_falsenodeids");
  const std::vector<int64_t> missing = attrs.get_ints("nodes_missing_value_tracks_true");
  const std::vector<double> values = tree_reals(attrs, "nodes_values", init);
  const std::vector<double> hitrates = tree_reals(attrs, "nodes_hitrates", init);

  const size_t n = node_ids.size();
  auto check_length = [&](size_t size, const std::string& name, bool optional) {
    if (size != n && !(optional && size == 0))
      init.fail(cat(name, " has ", size, " entries, but nodes_nodeids has ", n));
  };
  check_length(tree_ids.size(), "nodes_treeids", false);
  check_length(features.size(), "nodes_featureids", false);
  check_length(modes.size(), "nodes_modes", false);
  check_length(true_ids.size(), "nodes_truenodeids", false);
  check_length(false_ids.size(), "nodes_falsenodeids", false);
  check_length(values.size(), "nodes_values", false);
  check_length(missing.size(), "nodes_missing_value_tracks_true", true);
  check_length(hitrates.size(), "nodes_hitrates", true);

  // (tree id, node id) -> reference: interior nodes and leaves numbered apart.
  std::map<std::pair<int64_t, int64_t>, int64_t> ref_of;
  for (size_t i = 0; i < n; ++i) {
    const bool leaf = modes[i] == "LEAF";
    const int64_t ref = leaf ? leaf_ref(static_cast<int64_t>(forest.leaves.size()))
                             : static_cast<int64_t>(forest.nodes.size());
    if (!ref_of.emplace(std::make_pair(tree_ids[i], node_ids[i]), ref).second)
      init.fail(cat("node id ", node_ids[i], " appears twice in tree ", tree_ids[i]));
    if (leaf) {
      forest.leaves.emplace_back();
    } else {
      TreeNode node;
      node.mode = mode_named(modes[i], init);
      node.feature = features[i];
      node.threshold = values[i];
      if (!missing.empty() && missing[i] != 0 && missing[i] != 1)
        init.fail(cat("nodes_missing_value_tracks_true holds 0 or 1, got ", missing[i]));
      node.missing_tracks_true = !missing.empty() && missing[i] == 1;
      forest.nodes.push_back(node);
    }
  }
  auto find = [&](int64_t tree, int64_t node, const std::string& what) {
    auto it = ref_of.find({tree, node});
    if (it == ref_of.end())
      init.fail(cat(what, " names node ", node, " of tree ", tree, ", which does not exist"));
    return it->second;
  };
  // Branches, and each tree's root: its first node in the list.
  std::map<int64_t, int64_t> roots;
  for (size_t i = 0; i < n; ++i) {
    const int64_t ref = ref_of.at({tree_ids[i], node_ids[i]});
    roots.try_emplace(tree_ids[i], ref);
    if (ref < 0) continue;
    TreeNode& node = forest.nodes[static_cast<size_t>(ref)];
    node.if_true = find(tree_ids[i], true_ids[i], cat("the true branch of node ", i));
    node.if_false = find(tree_ids[i], false_ids[i], cat("the false branch of node ", i));
  }
  for (const auto& [tree, ref] : roots) forest.roots.push_back(ref);

  // Votes, grouped by leaf in the order given.
  const std::vector<int64_t> target_trees = attrs.get_ints(votes_prefix + "_treeids");
  const std::vector<int64_t> target_nodes = attrs.get_ints(votes_prefix + "_nodeids");
  const std::vector<int64_t> target_ids = attrs.get_ints(votes_prefix + "_ids");
  const std::vector<double> weights = tree_reals(attrs, votes_prefix + "_weights", init);
  const size_t votes = target_ids.size();
  if (target_trees.size() != votes || target_nodes.size() != votes || weights.size() != votes)
    init.fail(cat(votes_prefix, "_treeids, ", votes_prefix, "_nodeids, ", votes_prefix, "_ids and ",
                  votes_prefix, "_weights must have the same length, got ", target_trees.size(),
                  ", ", target_nodes.size(), ", ", votes, ", ", weights.size()));
  std::vector<std::vector<size_t>> votes_of(forest.leaves.size());
  for (size_t v = 0; v < votes; ++v) {
    const int64_t ref = find(target_trees[v], target_nodes[v], cat(votes_prefix, " ", v));
    if (ref >= 0)
      init.fail(cat(votes_prefix, " ", v, " votes at node ", target_nodes[v], " of tree ",
                    target_trees[v], ", which is not a LEAF"));
    votes_of[static_cast<size_t>(~ref)].push_back(v);
  }
  for (size_t l = 0; l < votes_of.size(); ++l) {
    forest.leaves[l].begin = static_cast<int64_t>(forest.vote_target.size());
    for (size_t v : votes_of[l]) {
      forest.vote_target.push_back(target_ids[v]);
      forest.vote_weight.push_back(weights[v]);
    }
    forest.leaves[l].end = static_cast<int64_t>(forest.vote_target.size());
  }
}

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
