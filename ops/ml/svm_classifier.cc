// SVMClassifier (ai.onnx.ml, 1): libsvm's one-against-one classifier. X is [N, F] or [F]
// (one row) of float, double, int64 or int32. For classes i < j, pair p scores
//   rho[p] + sum_{v in i} coefficients[j-1][v] K(x, sv_v) + sum_{v in j} coefficients[i][v] K(x,
//   sv_v)
// (kernels in svm_kernel.h) and votes for i when > 0, else for j; the label is the class
// with most votes (the first of equal counts). Z holds the pairs' scores, or with prob_a
// and prob_b the class probabilities: Platt's sigmoid per pair, clamped to
// [1e-7, 1 - 1e-7], coupled by Wu, Lin and Weng's method 2 (libsvm's
// multiclass_probability), then post_transform. Without support vectors (linear mode)
// each class scores rho[0] + x . coefficients[class] and the best score wins.
//
// Where the ONNX reference implementation decides: the rules for one rho (in label_index
// and svm_score_columns) follow it, and so does the label from the votes even when Z
// holds probabilities. Its coupling matrix differs from libsvm's for three or more
// classes (a dot product where libsvm has one product per entry); libsvm's, which
// ONNX Runtime also computes, is used here.
#include <algorithm>
#include <cmath>

#include "ml/svm_kernel.h"

namespace onyx {
namespace {

// The width of Z: the raw scores (one per pair, or per class in linear mode) or the
// probabilities (one per class); a single score becomes (-s, s) when rho has one value
// and there are two classes, except under PROBIT (the reference's write_scores).
int64_t svm_score_columns(int64_t scores, bool two_class_rho, bool probit) {
  if (scores != 1) return scores;
  return two_class_rho && !probit ? 2 : 1;
}

class SvmClassifierKernel final : public Kernel {
 public:
  explicit SvmClassifierKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;

 private:
  template <class T>
  void score_row(const T* x, double* scores, int64_t* votes, double* kernels) const;
  void couple(const double* pair_scores, double* probabilities) const;
  int64_t label_index(const int64_t* votes, const double* scores, int64_t n) const;

  ClassLabels labels_;
  int64_t classes_ = 0, pairs_ = 0, vectors_count_ = 0, features_ = 0;
  std::vector<int64_t> starts_, counts_;  // per class: first support vector, how many
  std::vector<double> coefficients_, vectors_, rho_, prob_a_, prob_b_;
  bool linear_mode_ = true, probabilities_ = false, weights_all_positive_ = false;
  int64_t n_scores_ = 0, columns_ = 0;
  SvmKernel kernel_;
  PostTransform transform_ = PostTransform::None;
};

SvmClassifierKernel::SvmClassifierKernel(const KernelInit& init) {
  const Attrs& attrs = init.attrs();
  labels_ = ClassLabels::read(attrs, "classlabels_ints", init);
  classes_ = labels_.size();
  pairs_ = classes_ * (classes_ - 1) / 2;
  coefficients_ = svm_doubles(attrs.get_floats("coefficients"));
  vectors_ = svm_doubles(attrs.get_floats("support_vectors"));
  rho_ = svm_doubles(attrs.get_floats("rho"));
  prob_a_ = svm_doubles(attrs.get_floats("prob_a"));
  prob_b_ = svm_doubles(attrs.get_floats("prob_b"));
  transform_ = post_transform_named(attrs.get_string("post_transform", "NONE"), init);
  counts_ = attrs.get_ints("vectors_per_class");
  for (int64_t c : counts_) {
    if (c < 0 || c > static_cast<int64_t>(vectors_.size()))
      init.fail(cat("vectors_per_class holds ", c, ", not a count of the ", vectors_.size(),
                    " support vector values"));
    starts_.push_back(vectors_count_);
    vectors_count_ += c;
  }
  linear_mode_ = vectors_count_ == 0;
  kernel_ = read_svm_kernel(attrs, linear_mode_, init);
  if (coefficients_.empty()) init.fail("coefficients must not be empty");
  if (rho_.empty()) init.fail("rho must not be empty");
  if (prob_a_.size() != prob_b_.size())
    init.fail(cat("prob_a (", prob_a_.size(), ") and prob_b (", prob_b_.size(),
                  ") must have the same length"));
  weights_all_positive_ = *std::min_element(coefficients_.begin(), coefficients_.end()) >= 0;
  if (linear_mode_) {
    if (coefficients_.size() % static_cast<size_t>(classes_) != 0)
      init.fail(cat("coefficients holds ", coefficients_.size(), " values, not one weight per ",
                    "feature for each of ", classes_, " classes"));
    features_ = static_cast<int64_t>(coefficients_.size()) / classes_;
    n_scores_ = classes_;
  } else {
    if (static_cast<int64_t>(counts_.size()) != classes_)
      init.fail(
          cat("vectors_per_class has ", counts_.size(), " counts for ", classes_, " classes"));
    if (classes_ < 2) init.fail("a classifier with support vectors needs two classes or more");
    if (vectors_.size() % static_cast<size_t>(vectors_count_) != 0)
      init.fail(cat("support_vectors holds ", vectors_.size(), " values, not ", vectors_count_,
                    " vectors of one width"));
    features_ = static_cast<int64_t>(vectors_.size()) / vectors_count_;
    if (static_cast<int64_t>(coefficients_.size()) != (classes_ - 1) * vectors_count_)
      init.fail(cat("coefficients holds ", coefficients_.size(), " values, not ", classes_ - 1,
                    " rows of ", vectors_count_, " (one per support vector)"));
    if (static_cast<int64_t>(rho_.size()) != pairs_)
      init.fail(cat("rho holds ", rho_.size(), " values for ", pairs_, " pairs of classes"));
    probabilities_ = !prob_a_.empty();
    if (probabilities_ && static_cast<int64_t>(prob_a_.size()) != pairs_)
      init.fail(cat("prob_a and prob_b hold ", prob_a_.size(), " values for ", pairs_,
                    " pairs of classes"));
    n_scores_ = probabilities_ ? classes_ : pairs_;
  }
  // One rho and other than two classes: the label is 1 or 0 (string labels: the second
  // or first), which needs a second class to name.
  if (rho_.size() == 1 && classes_ < 2 && labels_.use_strings)
    init.fail("one class with string labels cannot name the reference's answer 1 or 0");
  columns_ = svm_score_columns(n_scores_, rho_.size() == 1 && classes_ == 2,
                               transform_ == PostTransform::Probit);
}

template <class T>
void SvmClassifierKernel::score_row(const T* x, double* scores, int64_t* votes,
                                    double* kernels) const {
  const int64_t f = features_;
  if (linear_mode_) {
    for (int64_t c = 0; c < classes_; ++c)
      scores[c] = rho_[0] + kernel_(x, &coefficients_[c * f], f);
    return;
  }
  for (int64_t v = 0; v < vectors_count_; ++v) kernels[v] = kernel_(x, &vectors_[v * f], f);
  auto part = [&](int64_t row, int64_t cls) {  // row `row` of the coefficients over class cls
    double s = 0;
    for (int64_t k = starts_[cls]; k < starts_[cls] + counts_[cls]; ++k)
      s += coefficients_[row * vectors_count_ + k] * kernels[k];
    return s;
  };
  std::fill(votes, votes + classes_, 0);
  int64_t p = 0;
  for (int64_t i = 0; i < classes_; ++i)
    for (int64_t j = i + 1; j < classes_; ++j, ++p) {
      scores[p] = rho_[p] + part(j - 1, i) + part(i, j);
      ++votes[scores[p] > 0 ? i : j];
    }
}

// Pairwise probabilities r[i][j] (Platt) coupled into class probabilities.
void SvmClassifierKernel::couple(const double* pair_scores, double* out) const {
  const int64_t k = classes_;
  std::vector<double> r(static_cast<size_t>(k * k)), q(static_cast<size_t>(k * k));
  std::vector<double> qp(static_cast<size_t>(k));
  auto at = [k](std::vector<double>& m, int64_t i, int64_t j) -> double& {
    return m[static_cast<size_t>(i * k + j)];
  };
  int64_t p = 0;
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = i + 1; j < k; ++j, ++p) {
      const double v = pair_scores[p] * prob_a_[p] + prob_b_[p];
      const double rij = std::clamp(1 / (1 + std::exp(v)), 1e-7, 1 - 1e-7);
      at(r, i, j) = rij;
      at(r, j, i) = 1 - rij;
    }
  // Minimise sum_{i != j} (r[j][i] p_i - r[i][j] p_j)^2 over the simplex: Q as libsvm builds it.
  for (int64_t t = 0; t < k; ++t) {
    out[t] = 1.0 / static_cast<double>(k);
    for (int64_t j = 0; j < k; ++j) {
      if (j == t) continue;
      at(q, t, t) += at(r, j, t) * at(r, j, t);
      at(q, t, j) = -at(r, j, t) * at(r, t, j);
    }
  }
  const double eps = 0.005 / static_cast<double>(k);
  for (int64_t iter = 0, iters = std::max<int64_t>(100, k); iter < iters; ++iter) {
    double pqp = 0;
    for (int64_t t = 0; t < k; ++t) {
      qp[t] = 0;
      for (int64_t j = 0; j < k; ++j) qp[t] += at(q, t, j) * out[j];
      pqp += out[t] * qp[t];
    }
    double max_error = 0;
    for (int64_t t = 0; t < k; ++t) max_error = std::max(max_error, std::abs(qp[t] - pqp));
    if (max_error < eps) break;
    for (int64_t t = 0; t < k; ++t) {
      const double diff = (pqp - qp[t]) / at(q, t, t);
      out[t] += diff;
      pqp = (pqp + diff * (diff * at(q, t, t) + 2 * qp[t])) / ((1 + diff) * (1 + diff));
      for (int64_t j = 0; j < k; ++j) {
        qp[j] = (qp[j] + diff * at(q, t, j)) / (1 + diff);
        out[j] /= 1 + diff;
      }
    }
  }
}

// The class index of the label (the reference's rule), or for one rho and other than two
// classes the answer 1 or 0 (see the caller).
int64_t SvmClassifierKernel::label_index(const int64_t* votes, const double* scores,
                                         int64_t n) const {
  int64_t best;
  double best_weight;
  if (linear_mode_) {
    best = std::max_element(scores, scores + n) - scores;
    best_weight = scores[best];
  } else {
    best = std::max_element(votes, votes + classes_) - votes;
    best_weight = static_cast<double>(votes[best]);
  }
  if (rho_.size() != 1) return best;
  if (classes_ != 2) return best_weight > 0 ? 1 : 0;
  if (!probabilities_ && weights_all_positive_ && best_weight >= 0.5) return 1;
  return best;
}

void SvmClassifierKernel::run(KernelContext& ctx) const {
  const Tensor& x = ctx.input(0);
  const RowsOf shape = svm_rows(x, features_, ctx);
  Tensor& y = labels_.allocate(ctx, shape.rows);
  Tensor* z = ctx.has_output(1)
                  ? &ctx.allocate_uninitialized_output(1, DType::Float, {shape.rows, columns_})
                  : nullptr;
  std::vector<double> raw(static_cast<size_t>(std::max(pairs_, classes_)));
  std::vector<double> kernels(static_cast<size_t>(vectors_count_));
  std::vector<double> scores(static_cast<size_t>(std::max<int64_t>(n_scores_, 2)));
  std::vector<int64_t> votes(static_cast<size_t>(classes_));
  dispatch<MlNumericTypes>(x.dtype(), "SVMClassifier", [&](auto tag) {
    using T = typename decltype(tag)::type;
    for (int64_t r = 0; r < shape.rows; ++r) {
      score_row(x.data<T>() + r * features_, raw.data(), votes.data(), kernels.data());
      if (probabilities_)
        couple(raw.data(), scores.data());
      else
        std::copy(raw.begin(), raw.begin() + n_scores_, scores.begin());
      const int64_t index = label_index(votes.data(), scores.data(), n_scores_);
      if (rho_.size() == 1 && classes_ != 2 && !labels_.use_strings)
        y.data<int64_t>()[r] = index;  // the reference answers 1 or 0 here, not a label
      else
        labels_.write(y, r, index);
      // A single score s becomes (-s, s) before the transform (see svm_score_columns).
      if (n_scores_ == 1 && columns_ == 2) scores = {-scores[0], scores[0]};
      apply_post_transform(transform_, scores.data(), columns_);
      if (z)
        for (int64_t c = 0; c < columns_; ++c)
          z->data<float>()[r * columns_ + c] = static_cast<float>(scores[static_cast<size_t>(c)]);
    }
  });
}

void infer_svm_classifier(InferContext& ctx) {
  const Node& node = ctx.node();
  auto ints = [&](const char* name) {
    const Attribute* a = node.find_attr(name);
    return a ? a->ints : std::vector<int64_t>{};
  };
  auto floats = [&](const char* name) {
    const Attribute* a = node.find_attr(name);
    return a ? a->floats.size() : 0;
  };
  const Attribute* names = node.find_attr("classlabels_strings");
  const auto classes = static_cast<int64_t>(
      names && !names->strings.empty() ? names->strings.size() : ints("classlabels_ints").size());
  const std::vector<int64_t> counts = ints("vectors_per_class");
  const bool supports = std::any_of(counts.begin(), counts.end(), [](int64_t c) { return c > 0; });
  const bool probabilities = supports && floats("prob_a") > 0;
  const int64_t scores = !supports || probabilities ? classes : classes * (classes - 1) / 2;
  const Attribute* transform = node.find_attr("post_transform");
  const int64_t columns = svm_score_columns(scores, floats("rho") == 1 && classes == 2,
                                            transform && transform->s == "PROBIT");
  infer_classifier(ctx, classes > 0 && columns > 0 ? Dim::known(columns) : Dim{});
}

}  // namespace

void register_svm_classifier(Registry& registry) {
  add_ml_op(registry, "SVMClassifier", {{1, kOpsetOpen, dtypes_of(MlNumericTypes{})}},
            make_kernel<SvmClassifierKernel>(), infer_svm_classifier);
}

}  // namespace onyx
