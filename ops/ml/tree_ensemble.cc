// TreeEnsemble (ai.onnx.ml, 5): Y[n, t] = the aggregate over the trees of the weights of
// the leaves row n reaches that vote for target t, then post_transform. X is [N, F] (a
// 1-D X is one row); Y is [N, n_targets] of X's dtype.
//
// Interior nodes are the nodes_* tuples; a branch refers to another node, or, where
// nodes_trueleafs / nodes_falseleafs is 1, to a leaf (the leaf_* tuples: one weight for
// one target each). BRANCH_MEMBER nodes take their sets from membership_values, in the
// order of those nodes in nodes_modes, each set ended by a NaN (the spec's order; the
// reference walks the trees instead, which agrees for trees stored root first).
//
// Where the reference decides: a NaN feature goes to the true branch when the node's
// nodes_missing_value_tracks_true says so, else it compares as NaN does (false, true
// for BRANCH_NEQ); under MIN and MAX a target no leaf votes for scores the largest or
// lowest finite value of X's type. post_transform is applied as in the other ml
// operators (the reference leaves it out).
#include <limits>

#include "ml/tree_model.h"

namespace onyx {
namespace {

// ---- 1. registration ----

using TreeTypes = type_list<float, double, float16_t>;

// ---- 2. attributes ----

// The values of a float, double or float16 tensor attribute, in double.
std::vector<double> real_values(const Tensor& t, const std::string& what, const KernelInit& init) {
  if (!dtype_in(TreeTypes{}, t.dtype()))
    init.fail(cat(what, " must be a float, double or float16 tensor, got ", t.describe()));
  std::vector<double> out(static_cast<size_t>(t.numel()));
  dispatch<TreeTypes>(t.dtype(), "TreeEnsemble", [&](auto tag) {
    using T = typename decltype(tag)::type;
    for (int64_t i = 0; i < t.numel(); ++i)
      out[static_cast<size_t>(i)] = static_cast<double>(t.data<T>()[i]);
  });
  return out;
}

const Tensor& required_tensor(const Attrs& attrs, const std::string& name, const KernelInit& init) {
  const Tensor* t = attrs.get_tensor(name);
  if (!t) init.fail(name + " is required");
  return *t;
}

std::vector<int64_t> required_ints(const Attrs& attrs, const std::string& name,
                                   const KernelInit& init) {
  if (!attrs.has(name)) init.fail(name + " is required");
  return attrs.get_ints(name);
}

// ---- 3. shape rule ----

void infer_tree_ensemble(InferContext& ctx) {
  const TypeInfo& x = ctx.input(0);
  const Attribute* targets = ctx.node().find_attr("n_targets");
  Dim rows, cols = targets ? Dim::known(targets->i) : Dim{};
  if (x.shape && x.shape->size() == 2) rows = (*x.shape)[0];
  if (x.shape && x.shape->size() == 1) rows = Dim::known(1);
  ctx.set_output(0, TypeInfo::tensor(x.elem, std::vector<Dim>{rows, cols}));
}

// ---- 4. compute ----

class TreeEnsembleKernel final : public Kernel {
 public:
  explicit TreeEnsembleKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;

 private:
  TreeForest forest_;
  DType split_dtype_ = DType::Undefined;  // X must have this dtype
};

TreeEnsembleKernel::TreeEnsembleKernel(const KernelInit& init) {
  const Attrs& attrs = init.attrs();
  const std::vector<int64_t> features = required_ints(attrs, "nodes_featureids", init);
  const std::vector<int64_t> true_ids = required_ints(attrs, "nodes_truenodeids", init);
  const std::vector<int64_t> false_ids = required_ints(attrs, "nodes_falsenodeids", init);
  const std::vector<int64_t> true_leafs = required_ints(attrs, "nodes_trueleafs", init);
  const std::vector<int64_t> false_leafs = required_ints(attrs, "nodes_falseleafs", init);
  const std::vector<int64_t> missing = attrs.get_ints("nodes_missing_value_tracks_true");
  const Tensor& modes = required_tensor(attrs, "nodes_modes", init);
  const Tensor& splits = required_tensor(attrs, "nodes_splits", init);
  const std::vector<double> thresholds = real_values(splits, "nodes_splits", init);
  split_dtype_ = splits.dtype();
  if (modes.dtype() != DType::UInt8)
    init.fail("nodes_modes must be a uint8 tensor, got " + modes.describe());

  // Every nodes_* attribute has one entry per interior node.
  const size_t n = features.size();
  auto check_length = [&](size_t size, const std::string& name) {
    if (size != n) init.fail(cat(name, " has ", size, " entries, but nodes_featureids has ", n));
  };
  check_length(true_ids.size(), "nodes_truenodeids");
  check_length(false_ids.size(), "nodes_falsenodeids");
  check_length(true_leafs.size(), "nodes_trueleafs");
  check_length(false_leafs.size(), "nodes_falseleafs");
  check_length(static_cast<size_t>(modes.numel()), "nodes_modes");
  check_length(thresholds.size(), "nodes_splits");
  if (!missing.empty()) check_length(missing.size(), "nodes_missing_value_tracks_true");
  if (const Tensor* hitrates = attrs.get_tensor("nodes_hitrates"))
    check_length(static_cast<size_t>(hitrates->numel()), "nodes_hitrates");

  // The sets of the BRANCH_MEMBER nodes, in node order, each ended by a NaN.
  std::vector<double> members;
  if (const Tensor* m = attrs.get_tensor("membership_values"))
    members = real_values(*m, "membership_values", init);
  size_t next_member = 0;

  forest_.nodes.resize(n);
  const uint8_t* mode = modes.data<uint8_t>();
  for (size_t i = 0; i < n; ++i) {
    TreeNode& node = forest_.nodes[i];
    if (mode[i] >= kNodeModes)
      init.fail(cat("nodes_modes[", i, "] is ", int{mode[i]}, ", not a mode (0 to 6)"));
    for (int64_t flag : {true_leafs[i], false_leafs[i]})
      if (flag != 0 && flag != 1)
        init.fail(cat("nodes_trueleafs and nodes_falseleafs hold 0 or 1, got ", flag, " at ", i));
    if (!missing.empty() && missing[i] != 0 && missing[i] != 1)
      init.fail(cat("nodes_missing_value_tracks_true holds 0 or 1, got ", missing[i], " at ", i));
    node.mode = static_cast<NodeMode>(mode[i]);
    node.feature = features[i];
    node.threshold = thresholds[i];
    node.missing_tracks_true = !missing.empty() && missing[i] == 1;
    // Out-of-range indices are caught by validate(); ~ of a negative index would hide one.
    for (int64_t id : {true_ids[i], false_ids[i]})
      if (id < 0) init.fail(cat("node ", i, " has a negative branch index ", id));
    node.if_true = true_leafs[i] ? leaf_ref(true_ids[i]) : true_ids[i];
    node.if_false = false_leafs[i] ? leaf_ref(false_ids[i]) : false_ids[i];
    if (node.mode == NodeMode::Member) {
      node.set_begin = static_cast<int64_t>(forest_.members.size());
      while (next_member < members.size() && !std::isnan(members[next_member]))
        forest_.members.push_back(members[next_member++]);
      if (next_member == members.size())
        init.fail(cat("membership_values has no set (ended by NaN) for BRANCH_MEMBER node ", i));
      ++next_member;  // the NaN
      node.set_end = static_cast<int64_t>(forest_.members.size());
      std::sort(forest_.members.begin() + node.set_begin, forest_.members.end());
    }
  }
  if (next_member != members.size())
    init.fail(cat("membership_values holds ", members.size() - next_member,
                  " values past the sets of the BRANCH_MEMBER nodes"));

  // Leaves: one (target, weight) vote each.
  forest_.vote_target = required_ints(attrs, "leaf_targetids", init);
  forest_.vote_weight =
      real_values(required_tensor(attrs, "leaf_weights", init), "leaf_weights", init);
  if (forest_.vote_weight.size() != forest_.vote_target.size())
    init.fail(cat("leaf_weights has ", forest_.vote_weight.size(),
                  " entries, but leaf_targetids has ", forest_.vote_target.size()));
  for (size_t i = 0; i < forest_.vote_target.size(); ++i)
    forest_.leaves.push_back({static_cast<int64_t>(i), static_cast<int64_t>(i) + 1});

  // Trees. A one-leaf tree is a root whose two branches are the same leaf; evaluate()
  // then reads no feature there.
  for (int64_t root : required_ints(attrs, "tree_roots", init)) {
    if (root < 0 || root >= static_cast<int64_t>(n))
      init.fail(cat("tree root ", root, " is out of range for ", n, " nodes"));
    forest_.roots.push_back(root);
  }

  if (!attrs.has("n_targets")) init.fail("n_targets is required");
  forest_.n_targets = attrs.get_int("n_targets", 1);
  const int64_t aggregate = attrs.get_int("aggregate_function", 1);
  if (aggregate < 0 || aggregate > 3)
    init.fail(cat("aggregate_function must be 0 (AVERAGE), 1 (SUM), 2 (MIN) or 3 (MAX), got ",
                  aggregate));
  forest_.aggregate = static_cast<Aggregate>(aggregate);
  const int64_t transform = attrs.get_int("post_transform", 0);
  if (transform < 0 || transform > 4)
    init.fail(
        cat("post_transform must be 0 (NONE), 1 (SOFTMAX), 2 (LOGISTIC), 3 (SOFTMAX_ZERO) "
            "or 4 (PROBIT), got ",
            transform));
  forest_.post_transform = static_cast<PostTransform>(transform);
  dispatch<TreeTypes>(split_dtype_, "TreeEnsemble", [&](auto tag) {
    using T = typename decltype(tag)::type;
    // numeric_limits knows no float16: its largest finite value is 65504.
    const double high =
        std::is_same_v<T, float16_t> ? 65504.0 : static_cast<double>(std::numeric_limits<T>::max());
    forest_.unvoted_min = high;
    forest_.unvoted_max = -high;
  });
  forest_.validate(init);
  const DType x = init.input_dtype(0);
  if (x != DType::Undefined && x != split_dtype_)
    init.fail(cat("X (", dtype_name(x), ") and nodes_splits (", dtype_name(split_dtype_),
                  ") must have the same type"));
}

void TreeEnsembleKernel::run(KernelContext& ctx) const {
  const Tensor& x = ctx.input(0);
  if (x.dtype() != split_dtype_)
    ctx.fail(cat("X must have the type of nodes_splits, ", dtype_name(split_dtype_), ", got ",
                 x.describe()));
  if (x.rank() != 1 && x.rank() != 2) ctx.fail("X must be [N, F] (or [F]), got " + x.describe());
  const int64_t rows = x.rank() == 2 ? x.dim(0) : 1;
  const int64_t features = x.dim(x.rank() - 1);
  if (forest_.max_feature() >= features)
    ctx.fail(cat("a node reads feature ", forest_.max_feature(), ", but X ", x.describe(), " has ",
                 features, " features"));
  if (rows > std::numeric_limits<int64_t>::max() / forest_.n_targets)
    ctx.fail(cat(rows, " rows of ", forest_.n_targets, " targets overflow the output size"));
  std::vector<double> scores(static_cast<size_t>(rows * forest_.n_targets));
  Tensor& y = ctx.allocate_output(0, x.dtype(), {rows, forest_.n_targets});
  dispatch<TreeTypes>(x.dtype(), "TreeEnsemble", [&](auto tag) {
    using T = typename decltype(tag)::type;
    forest_.evaluate(x.data<T>(), rows, features, scores.data());
    T* py = y.data<T>();
    for (size_t i = 0; i < scores.size(); ++i) py[i] = static_cast<T>(scores[i]);
  });
}

}  // namespace

void register_tree_ensemble(Registry& registry) {
  add_ml_op(registry, "TreeEnsemble", {{5, kOpsetOpen, dtypes_of(TreeTypes{})}},
            make_kernel<TreeEnsembleKernel>(), infer_tree_ensemble);
}

}  // namespace onyx
