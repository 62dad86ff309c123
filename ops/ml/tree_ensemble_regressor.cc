// TreeEnsembleRegressor (ai.onnx.ml 1 and 3; deprecated by TreeEnsemble at 5): the older
// encoding of a tree ensemble, evaluated by the same TreeForest. X is [N, F] or [F] (one
// row) of float, double, int64 or int32; Y is float [N, n_targets].
//
// Every node, leaves included, is a nodes_* tuple named by (tree id, node id); branches
// name node ids of their own tree. The target_* tuples are the leaves' votes, several per
// leaf allowed. Each tree starts at its first node in the list. Scores are aggregated
// (aggregate_function), base_values added, then post_transform applied. Opset 3 adds the
// double-precision *_as_tensor forms of nodes_values, target_weights and base_values.
//
// Where the reference decides: a NaN feature takes the false branch unless the node
// tracks missing values to the true one; AVERAGE divides by the number of trees; under
// MIN and MAX a target no leaf votes for scores the largest or lowest float.
#include <cfloat>
#include <map>
#include <utility>

#include "ml/tree_model.h"

namespace onyx {
namespace {

// The float list attribute `name`, or its double tensor form `name`_as_tensor (opset 3).
std::vector<double> reals(const Attrs& attrs, const std::string& name, int opset,
                          const KernelInit& init) {
  const std::string tensor_name = name + "_as_tensor";
  const Tensor* t = opset >= 3 ? attrs.get_tensor(tensor_name) : nullptr;
  if (t && attrs.has(name)) init.fail("give " + name + " or " + tensor_name + ", not both");
  if (!t) {
    const std::vector<float> v = attrs.get_floats(name);
    return std::vector<double>(v.begin(), v.end());
  }
  if (t->dtype() != DType::Double && t->dtype() != DType::Float)
    init.fail(tensor_name + " must be a double or float tensor, got " + t->describe());
  std::vector<double> out(static_cast<size_t>(t->numel()));
  dispatch<type_list<double, float>>(t->dtype(), "TreeEnsembleRegressor", [&](auto tag) {
    using T = typename decltype(tag)::type;
    for (int64_t i = 0; i < t->numel(); ++i) out[static_cast<size_t>(i)] = t->data<T>()[i];
  });
  return out;
}

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

class TreeEnsembleRegressorKernel final : public Kernel {
 public:
  explicit TreeEnsembleRegressorKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;

 private:
  TreeForest forest_;
};

TreeEnsembleRegressorKernel::TreeEnsembleRegressorKernel(const KernelInit& init) {
  const Attrs& attrs = init.attrs();
  const int opset = init.opset();
  const std::vector<int64_t> tree_ids = attrs.get_ints("nodes_treeids");
  const std::vector<int64_t> node_ids = attrs.get_ints("nodes_nodeids");
  const std::vector<int64_t> features = attrs.get_ints("nodes_featureids");
  const std::vector<std::string> modes = attrs.get_strings("nodes_modes");
  const std::vector<int64_t> true_ids = attrs.get_ints("nodes_truenodeids");
  const std::vector<int64_t> false_ids = attrs.get_ints("nodes_falsenodeids");
  const std::vector<int64_t> missing = attrs.get_ints("nodes_missing_value_tracks_true");
  const std::vector<double> values = reals(attrs, "nodes_values", opset, init);
  const std::vector<double> hitrates = reals(attrs, "nodes_hitrates", opset, init);

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
    const int64_t ref = leaf ? leaf_ref(static_cast<int64_t>(forest_.leaves.size()))
                             : static_cast<int64_t>(forest_.nodes.size());
    if (!ref_of.emplace(std::make_pair(tree_ids[i], node_ids[i]), ref).second)
      init.fail(cat("node id ", node_ids[i], " appears twice in tree ", tree_ids[i]));
    if (leaf) {
      forest_.leaves.emplace_back();
    } else {
      TreeNode node;
      node.mode = mode_named(modes[i], init);
      node.feature = features[i];
      node.threshold = values[i];
      if (!missing.empty() && missing[i] != 0 && missing[i] != 1)
        init.fail(cat("nodes_missing_value_tracks_true holds 0 or 1, got ", missing[i]));
      node.missing_tracks_true = !missing.empty() && missing[i] == 1;
      forest_.nodes.push_back(node);
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
    TreeNode& node = forest_.nodes[static_cast<size_t>(ref)];
    node.if_true = find(tree_ids[i], true_ids[i], cat("the true branch of node ", i));
    node.if_false = find(tree_ids[i], false_ids[i], cat("the false branch of node ", i));
  }
  for (const auto& [tree, ref] : roots) forest_.roots.push_back(ref);

  // Votes, grouped by leaf in the order given.
  const std::vector<int64_t> target_trees = attrs.get_ints("target_treeids");
  const std::vector<int64_t> target_nodes = attrs.get_ints("target_nodeids");
  const std::vector<int64_t> target_ids = attrs.get_ints("target_ids");
  const std::vector<double> weights = reals(attrs, "target_weights", opset, init);
  const size_t votes = target_ids.size();
  if (target_trees.size() != votes || target_nodes.size() != votes || weights.size() != votes)
    init.fail(
        cat("target_treeids, target_nodeids, target_ids and target_weights must have the "
            "same length, got ",
            target_trees.size(), ", ", target_nodes.size(), ", ", votes, ", ", weights.size()));
  std::vector<std::vector<size_t>> votes_of(forest_.leaves.size());
  for (size_t v = 0; v < votes; ++v) {
    const int64_t ref = find(target_trees[v], target_nodes[v], cat("target ", v));
    if (ref >= 0)
      init.fail(cat("target ", v, " votes at node ", target_nodes[v], " of tree ", target_trees[v],
                    ", which is not a LEAF"));
    votes_of[static_cast<size_t>(~ref)].push_back(v);
  }
  for (size_t l = 0; l < votes_of.size(); ++l) {
    forest_.leaves[l].begin = static_cast<int64_t>(forest_.vote_target.size());
    for (size_t v : votes_of[l]) {
      forest_.vote_target.push_back(target_ids[v]);
      forest_.vote_weight.push_back(weights[v]);
    }
    forest_.leaves[l].end = static_cast<int64_t>(forest_.vote_target.size());
  }

  forest_.n_targets = attrs.get_int("n_targets", 1);
  const std::string aggregate = attrs.get_string("aggregate_function", "SUM");
  if (aggregate == "AVERAGE")
    forest_.aggregate = Aggregate::Average;
  else if (aggregate == "SUM")
    forest_.aggregate = Aggregate::Sum;
  else if (aggregate == "MIN")
    forest_.aggregate = Aggregate::Min;
  else if (aggregate == "MAX")
    forest_.aggregate = Aggregate::Max;
  else
    init.fail("aggregate_function must be AVERAGE, SUM, MIN or MAX, got '" + aggregate + "'");
  forest_.post_transform = post_transform_named(attrs.get_string("post_transform", "NONE"), init);
  forest_.base_values = reals(attrs, "base_values", opset, init);
  forest_.unvoted_min = FLT_MAX;
  forest_.unvoted_max = -FLT_MAX;
  forest_.nan_compares = false;
  forest_.validate(init);
}

void TreeEnsembleRegressorKernel::run(KernelContext& ctx) const {
  const Tensor& x = ctx.input(0);
  const RowsOf shape = rows_of(x, ctx);
  if (forest_.max_feature() >= shape.features)
    ctx.fail(cat("a node reads feature ", forest_.max_feature(), ", but X ", x.describe(), " has ",
                 shape.features, " features"));
  if (shape.rows > std::numeric_limits<int64_t>::max() / forest_.n_targets)
    ctx.fail(cat(shape.rows, " rows of ", forest_.n_targets, " targets overflow the output size"));
  std::vector<double> scores(static_cast<size_t>(shape.rows * forest_.n_targets));
  dispatch<MlNumericTypes>(x.dtype(), "TreeEnsembleRegressor", [&](auto tag) {
    using T = typename decltype(tag)::type;
    forest_.evaluate(x.data<T>(), shape.rows, shape.features, scores.data());
  });
  Tensor& y = ctx.allocate_uninitialized_output(0, DType::Float, {shape.rows, forest_.n_targets});
  float* py = y.data<float>();
  for (size_t i = 0; i < scores.size(); ++i) py[i] = static_cast<float>(scores[i]);
}

void infer_tree_ensemble_regressor(InferContext& ctx) {
  const Attribute* targets = ctx.node().find_attr("n_targets");
  const int64_t n = targets ? targets->i : 1;
  const Dim cols = n >= 1 ? Dim::known(n) : Dim{};
  ctx.set_output(0, TypeInfo::tensor(DType::Float, std::vector<Dim>{rows_dim(ctx.input(0)), cols}));
}

}  // namespace

void register_tree_ensemble_regressor(Registry& registry) {
  const std::vector<DType> types = dtypes_of(MlNumericTypes{});
  add_ml_op(registry, "TreeEnsembleRegressor", {{1, 2, types}, {3, 4, types}},
            make_kernel<TreeEnsembleRegressorKernel>(), infer_tree_ensemble_regressor);
}

}  // namespace onyx
