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

#include "ml/tree_model.h"

namespace onyx {
namespace {

class TreeEnsembleRegressorKernel final : public Kernel {
 public:
  explicit TreeEnsembleRegressorKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;

 private:
  TreeForest forest_;
};

TreeEnsembleRegressorKernel::TreeEnsembleRegressorKernel(const KernelInit& init) {
  const Attrs& attrs = init.attrs();
  read_node_tuples(init, "target", forest_);
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
  forest_.base_values = tree_reals(attrs, "base_values", init);
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
