// TreeEnsembleClassifier (ai.onnx.ml 1 and 3; deprecated by TreeEnsemble at 5): the older
// tree encoding (see read_node_tuples) whose leaves vote for classes. The class_* tuples
// are the votes; a class's score is the sum of its votes over the trees plus its base
// value, then post_transform; Y[n] is the label of the best class (the first of equal
// scores). X is [N, F] or [F] (one row) of float, double, int64 or int32; Z is float
// [N, classes]. Opset 3 adds the *_as_tensor forms of nodes_values, class_weights and
// base_values.
//
// Where the ONNX reference implementation decides:
// - a NaN feature takes the false branch unless the node tracks missing values to true;
// - one base value is added to every class;
// - binary: when every vote goes to one class (of one or two), that class's score s
//   becomes the row [1 - s, s] under NONE and PROBIT, [-s, s] under the other transforms,
//   and Z has two columns. The reference reads s from the first class's column, which
//   is where exporters put the votes; here it is the voted class's column, the same
//   whenever the votes go to class 0. A single class must be the integer label 1, as in
//   the reference: Y is 1 when the second column wins, else 0. With more than two
//   classes the reference's binary rewrite would mix up the classes, so it is not used.
#include <algorithm>

#include "ml/tree_model.h"

namespace onyx {
namespace {

// Whether the forest is the binary case: its votes all go to one class of at most two.
bool is_binary(const std::vector<int64_t>& class_ids, int64_t classes) {
  if (classes == 1) return true;
  if (classes != 2 || class_ids.empty()) return false;
  return std::all_of(class_ids.begin(), class_ids.end(),
                     [&](int64_t id) { return id == class_ids[0]; });
}

class TreeEnsembleClassifierKernel final : public Kernel {
 public:
  explicit TreeEnsembleClassifierKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;

 private:
  TreeForest forest_;
  ClassLabels labels_;
  PostTransform transform_ = PostTransform::None;
  bool binary_ = false;
  int64_t voted_class_ = 0;  // binary: the class every vote goes to
};

TreeEnsembleClassifierKernel::TreeEnsembleClassifierKernel(const KernelInit& init) {
  const Attrs& attrs = init.attrs();
  labels_ = ClassLabels::read(attrs, "classlabels_int64s", init);
  const int64_t classes = labels_.size();
  if (classes == 1 && (labels_.use_strings || labels_.ints[0] != 1))
    init.fail(
        "a single class must be the integer label 1 (the binary case), as in the ONNX "
        "reference implementation");
  read_node_tuples(init, "class", forest_);
  forest_.n_targets = classes;
  forest_.aggregate = Aggregate::Sum;
  forest_.post_transform = PostTransform::None;  // applied here, after the binary rewrite
  forest_.nan_compares = false;
  forest_.base_values = tree_reals(attrs, "base_values", init);
  if (forest_.base_values.size() == 1)
    forest_.base_values.assign(static_cast<size_t>(classes), forest_.base_values[0]);
  forest_.validate(init);
  transform_ = post_transform_named(attrs.get_string("post_transform", "NONE"), init);
  const std::vector<int64_t> class_ids = attrs.get_ints("class_ids");
  binary_ = is_binary(class_ids, classes);
  if (binary_ && !class_ids.empty()) voted_class_ = class_ids[0];
}

void TreeEnsembleClassifierKernel::run(KernelContext& ctx) const {
  const Tensor& x = ctx.input(0);
  const RowsOf shape = rows_of(x, ctx);
  if (forest_.max_feature() >= shape.features)
    ctx.fail(cat("a node reads feature ", forest_.max_feature(), ", but X ", x.describe(), " has ",
                 shape.features, " features"));
  const int64_t classes = forest_.n_targets;
  const int64_t columns = binary_ ? 2 : classes;
  if (shape.rows > std::numeric_limits<int64_t>::max() / columns)
    ctx.fail(cat(shape.rows, " rows of ", columns, " scores overflow the output size"));
  std::vector<double> sums(static_cast<size_t>(shape.rows * classes));
  dispatch<MlNumericTypes>(x.dtype(), "TreeEnsembleClassifier", [&](auto tag) {
    using T = typename decltype(tag)::type;
    forest_.evaluate(x.data<T>(), shape.rows, shape.features, sums.data());
  });

  Tensor& y = labels_.allocate(ctx, shape.rows);
  Tensor* z = ctx.has_output(1)
                  ? &ctx.allocate_uninitialized_output(1, DType::Float, {shape.rows, columns})
                  : nullptr;
  std::vector<double> score(static_cast<size_t>(columns));
  for (int64_t r = 0; r < shape.rows; ++r) {
    const double* row = sums.data() + r * classes;
    if (binary_) {
      const double s = row[voted_class_];
      const bool as_probability =
          transform_ == PostTransform::None || transform_ == PostTransform::Probit;
      score = {as_probability ? 1 - s : -s, s};
    } else {
      score.assign(row, row + classes);
    }
    apply_post_transform(transform_, score.data(), columns);
    const int64_t best = std::max_element(score.begin(), score.end()) - score.begin();
    if (classes == 1)
      y.data<int64_t>()[r] = best;  // the label 1 when the second column wins, else 0
    else
      labels_.write(y, r, best);
    if (z)
      for (int64_t c = 0; c < columns; ++c)
        z->data<float>()[r * columns + c] = static_cast<float>(score[static_cast<size_t>(c)]);
  }
}

void infer_tree_ensemble_classifier(InferContext& ctx) {
  const Attribute* names = ctx.node().find_attr("classlabels_strings");
  const Attribute* ints = ctx.node().find_attr("classlabels_int64s");
  const Attribute* ids = ctx.node().find_attr("class_ids");
  const size_t classes = names && !names->strings.empty() ? names->strings.size()
                         : ints                           ? ints->ints.size()
                                                          : 0;
  const auto n = static_cast<int64_t>(classes);
  Dim columns;
  if (n > 0) columns = Dim::known(is_binary(ids ? ids->ints : std::vector<int64_t>{}, n) ? 2 : n);
  infer_classifier(ctx, columns);
}

}  // namespace

void register_tree_ensemble_classifier(Registry& registry) {
  const std::vector<DType> types = dtypes_of(MlNumericTypes{});
  add_ml_op(registry, "TreeEnsembleClassifier", {{1, 2, types}, {3, 4, types}},
            make_kernel<TreeEnsembleClassifierKernel>(), infer_tree_ensemble_classifier);
}

}  // namespace onyx
