// LinearClassifier (ai.onnx.ml, 1): one linear score per class,
//   Z[n, c] = sum_f X[n, f] * coefficients[c * F + f] + intercepts[c],
// then post_transform over the row; Y[n] is the label of the best class (the first of
// equal scores). X is [N, F] or [F] (one row) of float, double, int64 or int32; Z is float
// [N, classes]. multi_class does not change the computation.
//
// Where the ONNX reference implementation decides:
// - binary: with two classes and one set of coefficients, the score s of that set
//   becomes the row [-s, s] before the transform (LOGISTIC then gives [1 - p, p]);
// - one class: Z is [N, 1] and Y is the class's label when the score is at least the
//   threshold (0 under NONE, 0.5 after a transform), else 0 (or "" for string labels).
#include <algorithm>

#include "ml/ml_ops.h"

namespace onyx {
namespace {

class LinearClassifierKernel final : public Kernel {
 public:
  explicit LinearClassifierKernel(const KernelInit& init) {
    const Attrs& attrs = init.attrs();
    labels_ = ClassLabels::read(attrs, "classlabels_ints", init);
    for (float c : attrs.get_floats("coefficients")) coefficients_.push_back(c);
    for (float c : attrs.get_floats("intercepts")) intercepts_.push_back(c);
    transform_ = post_transform_named(attrs.get_string("post_transform", "NONE"), init);
    if (coefficients_.empty()) init.fail("coefficients must not be empty");
    // The sets of coefficients: one per class, or one for both classes (binary).
    if (!intercepts_.empty()) {
      const int64_t sets = static_cast<int64_t>(intercepts_.size());
      check_sets(sets, [&](const std::string& m) { init.fail(m); });
      if (coefficients_.size() % intercepts_.size() != 0)
        init.fail(cat("coefficients holds ", coefficients_.size(),
                      " values, not a multiple of the ", sets, " intercepts"));
    }
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const RowsOf shape = rows_of(x, ctx);
    const int64_t f = shape.features;
    const int64_t total = static_cast<int64_t>(coefficients_.size());
    if (f == 0 || total % f != 0)
      ctx.fail(cat("coefficients holds ", total, " values, not whole sets of the ", f,
                   " features of X ", x.describe()));
    const int64_t sets = total / f;
    check_sets(sets,
               [&](const std::string& m) { ctx.fail(m + " (X has " + cat(f) + " features)"); });
    if (!intercepts_.empty() && static_cast<int64_t>(intercepts_.size()) != sets)
      ctx.fail(cat("intercepts holds ", intercepts_.size(), " values for ", sets,
                   " sets of coefficients of X's ", f, " features"));

    const int64_t classes = labels_.size();
    const bool binary = sets == 1 && classes == 2;
    Tensor& y = labels_.allocate(ctx, shape.rows);
    Tensor* z = ctx.has_output(1)
                    ? &ctx.allocate_uninitialized_output(1, DType::Float, {shape.rows, classes})
                    : nullptr;
    std::vector<double> score(static_cast<size_t>(classes));
    dispatch<MlNumericTypes>(x.dtype(), "LinearClassifier", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* px = x.data<T>();
      for (int64_t r = 0; r < shape.rows; ++r) {
        for (int64_t c = 0; c < sets; ++c) {
          double sum = intercepts_.empty() ? 0 : intercepts_[static_cast<size_t>(c)];
          for (int64_t i = 0; i < f; ++i)
            sum +=
                static_cast<double>(px[r * f + i]) * coefficients_[static_cast<size_t>(c * f + i)];
          score[static_cast<size_t>(c)] = sum;
        }
        if (binary) score = {-score[0], score[0]};
        apply_post_transform(transform_, score.data(), classes);
        if (classes > 1) {
          const auto best = std::max_element(score.begin(), score.end()) - score.begin();
          labels_.write(y, r, best);
        } else if (score[0] >= (transform_ == PostTransform::None ? 0.0 : 0.5)) {
          labels_.write(y, r, 0);
        } else if (labels_.use_strings) {
          y.data<std::string>()[r] = "";
        } else {
          y.data<int64_t>()[r] = 0;
        }
        if (z)
          for (int64_t c = 0; c < classes; ++c)
            z->data<float>()[r * classes + c] = static_cast<float>(score[static_cast<size_t>(c)]);
      }
    });
  }

 private:
  // A model has one set of coefficients per class, or one set for two classes.
  template <class Fail>
  void check_sets(int64_t sets, const Fail& fail) const {
    const int64_t classes = labels_.size();
    if (sets != classes && !(sets == 1 && classes == 2))
      fail(cat("there are ", sets, " sets of coefficients for ", classes,
               " classes; give one per class, or one for two classes"));
  }

  ClassLabels labels_;
  std::vector<double> coefficients_, intercepts_;
  PostTransform transform_ = PostTransform::None;
};

void infer_linear_classifier(InferContext& ctx) {
  const Attribute* names = ctx.node().find_attr("classlabels_strings");
  const Attribute* ints = ctx.node().find_attr("classlabels_ints");
  const size_t classes = names && !names->strings.empty() ? names->strings.size()
                         : ints                           ? ints->ints.size()
                                                          : 0;
  infer_classifier(ctx, classes > 0 ? Dim::known(static_cast<int64_t>(classes)) : Dim{});
}

}  // namespace

void register_linear_classifier(Registry& registry) {
  add_ml_op(registry, "LinearClassifier",
            {{1,
              kOpsetOpen,
              dtypes_of(MlNumericTypes{}),
              {{"coefficients", AttrType::Floats},
               {"intercepts", AttrType::Floats},
               {"multi_class", AttrType::Int},
               {"classlabels_strings", AttrType::Strings},
               {"classlabels_ints", AttrType::Ints},
               {"post_transform", AttrType::String}}}},
            make_kernel<LinearClassifierKernel>(), infer_linear_classifier);
}

}  // namespace onyx
