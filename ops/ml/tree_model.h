// A tree ensemble held in flat arrays, built and validated once per node by the tree
// operators (TreeEnsemble 5, TreeEnsembleRegressor and TreeEnsembleClassifier 1 and 3)
// and evaluated row by row.
// This is the reference evaluator: it follows each tree from its root to a leaf.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ml/ml_ops.h"

namespace onyx {

// The comparison at an interior node, in TreeEnsemble's integer encoding.
enum class NodeMode : uint8_t { Leq = 0, Lt = 1, Gte = 2, Gt = 3, Eq = 4, Neq = 5, Member = 6 };
constexpr int kNodeModes = 7;

// How the leaf values reaching a target are combined, in TreeEnsemble's encoding.
enum class Aggregate { Average = 0, Sum = 1, Min = 2, Max = 3 };

// A reference to a child: >= 0 is an interior node's index, < 0 is leaf ~ref.
inline int64_t leaf_ref(int64_t leaf) { return ~leaf; }

struct TreeNode {
  NodeMode mode = NodeMode::Leq;
  bool missing_tracks_true = false;  // a NaN feature goes to the true branch
  int64_t feature = 0;
  double threshold = 0;
  int64_t set_begin = 0, set_end = 0;  // BRANCH_MEMBER: the set, sorted, in members
  int64_t if_true = 0, if_false = 0;   // child references
};

// A leaf's votes: weight vote_weight[i] for target vote_target[i], i in [begin, end).
struct TreeLeaf {
  int64_t begin = 0, end = 0;
};

struct TreeForest {
  std::vector<TreeNode> nodes;
  std::vector<double> members;
  std::vector<TreeLeaf> leaves;
  std::vector<int64_t> vote_target;
  std::vector<double> vote_weight;
  std::vector<int64_t> roots;  // child references, one per tree
  int64_t n_targets = 1;
  Aggregate aggregate = Aggregate::Sum;
  PostTransform post_transform = PostTransform::None;
  std::vector<double> base_values;  // added after aggregation; empty: none
  // The score of a target no leaf voted for, under MIN and MAX (SUM and AVERAGE give 0).
  double unvoted_min = 0, unvoted_max = 0;
  // Whether a NaN that is not tracked to the true branch compares as NaN does (true
  // under BRANCH_NEQ, TreeEnsemble) or always takes the false branch (the older ops).
  bool nan_compares = true;

  // Checks every reference and target id, and that no tree loops back on itself, so that
  // evaluation always ends at a leaf. Records the largest feature id read. Fails via init.
  void validate(const KernelInit& init);
  // The largest feature id any comparison reads; -1 when none.
  int64_t max_feature() const { return max_feature_; }

  // Scores of `rows` rows of `features` values each into out (rows x n_targets):
  // aggregated leaf votes, plus base values, then the post transform.
  template <class T>
  void evaluate(const T* x, int64_t rows, int64_t features, double* out) const;

 private:
  bool goes_true(const TreeNode& node, double v) const;
  int64_t max_feature_ = -1;
};

// The older operators' encoding (TreeEnsembleRegressor, TreeEnsembleClassifier): every
// node, leaves included, is a nodes_* tuple named by (tree id, node id); branches name node
// ids of their own tree, and each tree starts at its first node in the list. The votes are
// the tuples <votes_prefix>_treeids, _nodeids, _ids, _weights ("target" or "class"),
// several per leaf allowed. Fills forest's nodes, leaves, roots and votes; the caller sets
// the rest and validates. Fails via init.
void read_node_tuples(const KernelInit& init, const std::string& votes_prefix, TreeForest& forest);
// The float list attribute `name`, or from opset 3 its double (or float) tensor form
// `name`_as_tensor; giving both is an error.
std::vector<double> tree_reals(const Attrs& attrs, const std::string& name, const KernelInit& init);

inline bool TreeForest::goes_true(const TreeNode& node, double v) const {
  // Missing values follow the node's choice; otherwise NaN compares false everywhere
  // except BRANCH_NEQ (see nan_compares).
  if (std::isnan(v)) {
    if (node.missing_tracks_true) return true;
    return nan_compares && node.mode == NodeMode::Neq;
  }
  switch (node.mode) {
    case NodeMode::Leq:
      return v <= node.threshold;
    case NodeMode::Lt:
      return v < node.threshold;
    case NodeMode::Gte:
      return v >= node.threshold;
    case NodeMode::Gt:
      return v > node.threshold;
    case NodeMode::Eq:
      return v == node.threshold;
    case NodeMode::Neq:
      return v != node.threshold;
    case NodeMode::Member: {
      const double* first = members.data() + node.set_begin;
      const double* last = members.data() + node.set_end;
      const double* it = std::lower_bound(first, last, v);
      return it != last && *it == v;
    }
  }
  return false;
}

template <class T>
void TreeForest::evaluate(const T* x, int64_t rows, int64_t features, double* out) const {
  const int64_t n = n_targets;
  std::vector<char> voted(static_cast<size_t>(n));
  for (int64_t r = 0; r < rows; ++r) {
    const T* row = x + r * features;
    double* score = out + r * n;
    std::fill(score, score + n, 0.0);
    std::fill(voted.begin(), voted.end(), 0);
    for (int64_t ref : roots) {
      while (ref >= 0) {
        const TreeNode& node = nodes[static_cast<size_t>(ref)];
        // A node whose branches meet reads nothing (a one-leaf tree is written so).
        if (node.if_true == node.if_false) {
          ref = node.if_true;
          continue;
        }
        const double v = static_cast<double>(row[node.feature]);
        ref = goes_true(node, v) ? node.if_true : node.if_false;
      }
      const TreeLeaf& leaf = leaves[static_cast<size_t>(~ref)];
      for (int64_t i = leaf.begin; i < leaf.end; ++i) {
        const size_t t = static_cast<size_t>(vote_target[static_cast<size_t>(i)]);
        const double w = vote_weight[static_cast<size_t>(i)];
        if (aggregate == Aggregate::Min)
          score[t] = voted[t] ? std::min(score[t], w) : w;
        else if (aggregate == Aggregate::Max)
          score[t] = voted[t] ? std::max(score[t], w) : w;
        else
          score[t] += w;
        voted[t] = 1;
      }
    }
    for (int64_t t = 0; t < n; ++t) {
      if (aggregate == Aggregate::Average && !roots.empty())
        score[t] /= static_cast<double>(roots.size());
      if (!voted[static_cast<size_t>(t)] && aggregate == Aggregate::Min) score[t] = unvoted_min;
      if (!voted[static_cast<size_t>(t)] && aggregate == Aggregate::Max) score[t] = unvoted_max;
      if (!base_values.empty()) score[t] += base_values[static_cast<size_t>(t)];
    }
    apply_post_transform(post_transform, score, n);
  }
}

}  // namespace onyx
