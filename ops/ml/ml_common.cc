// What the ml operators share: registration in the ai.onnx.ml domain and the score
// transforms (post_transform) of the regressors and classifiers.
#include <algorithm>
#include <cmath>
#include <limits>

#include "ml/ml_ops.h"

namespace onyx {

void add_ml_op(Registry& registry, const std::string& op_type,
               const std::vector<OpVersion>& versions, const KernelFactory& create,
               const ShapeRule& infer) {
  for (const OpVersion& v : versions) {
    KernelDef def;
    def.domain = kMlDomain;
    def.op_type = op_type;
    def.since_version = v.since;
    def.until_version = v.until;
    def.dtypes = v.dtypes;
    def.create = create;
    def.infer = infer;
    def.attr_types = v.attr_types;
    registry.add(std::move(def));
  }
}

RowsOf rows_of(const Tensor& x, const KernelContext& ctx) {
  if (x.rank() == 1) return {1, x.dim(0)};
  if (x.rank() == 2) return {x.dim(0), x.dim(1)};
  ctx.fail("X must be [N, F] or [F], got " + x.describe());
}

Dim rows_dim(const TypeInfo& x) {
  if (x.shape && x.shape->size() == 1) return Dim::known(1);
  if (x.shape && x.shape->size() == 2) return (*x.shape)[0];
  return Dim{};
}

PostTransform post_transform_named(const std::string& name, const KernelInit& init) {
  if (name == "NONE") return PostTransform::None;
  if (name == "SOFTMAX") return PostTransform::Softmax;
  if (name == "LOGISTIC") return PostTransform::Logistic;
  if (name == "SOFTMAX_ZERO") return PostTransform::SoftmaxZero;
  if (name == "PROBIT") return PostTransform::Probit;
  init.fail("post_transform must be one of NONE, SOFTMAX, LOGISTIC, SOFTMAX_ZERO, PROBIT, got '" +
            name + "'");
}

ClassLabels ClassLabels::read(const Attrs& attrs, const std::string& ints_name,
                              const KernelInit& init) {
  ClassLabels labels;
  labels.ints = attrs.get_ints(ints_name);
  labels.strings = attrs.get_strings("classlabels_strings");
  if (labels.ints.empty() == labels.strings.empty())
    init.fail("exactly one of " + ints_name + " and classlabels_strings must name the classes");
  labels.use_strings = !labels.strings.empty();
  return labels;
}

Tensor& ClassLabels::allocate(KernelContext& ctx, int64_t rows) const {
  // Strings need constructed elements; integers are all written.
  if (use_strings) return ctx.allocate_output(0, DType::String, {rows});
  return ctx.allocate_uninitialized_output(0, DType::Int64, {rows});
}

void ClassLabels::write(Tensor& y, int64_t row, int64_t index) const {
  if (use_strings)
    y.data<std::string>()[row] = strings[static_cast<size_t>(index)];
  else
    y.data<int64_t>()[row] = ints[static_cast<size_t>(index)];
}

void infer_classifier(InferContext& ctx, Dim score_columns) {
  const Attribute* names = ctx.node().find_attr("classlabels_strings");
  const DType labels = names && !names->strings.empty() ? DType::String : DType::Int64;
  const Dim rows = rows_dim(ctx.input(0));
  ctx.set_output(0, TypeInfo::tensor(labels, std::vector<Dim>{rows}));
  ctx.set_output(1, TypeInfo::tensor(DType::Float, std::vector<Dim>{rows, score_columns}));
}

namespace {

// The inverse of erf on (-1, 1): a rational first guess (M. Giles, "Approximating the
// erfinv function", 2010) polished by two Newton steps on erf(x) - y in double.
double erfinv(double y) {
  if (std::isnan(y) || y < -1 || y > 1) return std::numeric_limits<double>::quiet_NaN();
  if (y == 1) return std::numeric_limits<double>::infinity();
  if (y == -1) return -std::numeric_limits<double>::infinity();
  double w = -std::log((1 - y) * (1 + y)), p;
  if (w < 5) {
    w -= 2.5;
    p = 2.81022636e-08;
    for (double c : {3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                     -0.00417768164, 0.246640727, 1.50140941})
      p = c + p * w;
  } else {
    w = std::sqrt(w) - 3;
    p = -0.000200214257;
    for (double c : {0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
                     0.00943887047, 1.00167406, 2.83297682})
      p = c + p * w;
  }
  double x = p * y;
  const double two_over_sqrt_pi = 1.1283791670955126;
  for (int i = 0; i < 2; ++i) x -= (std::erf(x) - y) / (two_over_sqrt_pi * std::exp(-x * x));
  return x;
}

}  // namespace

void apply_post_transform(PostTransform transform, double* scores, int64_t n) {
  switch (transform) {
    case PostTransform::None:
      return;
    case PostTransform::Logistic:
      for (int64_t i = 0; i < n; ++i) scores[i] = 1 / (1 + std::exp(-scores[i]));
      return;
    case PostTransform::Probit:
      for (int64_t i = 0; i < n; ++i) scores[i] = std::sqrt(2.0) * erfinv(2 * scores[i] - 1);
      return;
    case PostTransform::Softmax:
    case PostTransform::SoftmaxZero: {
      if (n == 0) return;
      // SOFTMAX_ZERO leaves the zero scores out: they stay zero and add nothing to the sum.
      const bool keep_zeros = transform == PostTransform::SoftmaxZero;
      const double high = *std::max_element(scores, scores + n);
      double sum = 0;
      for (int64_t i = 0; i < n; ++i) {
        scores[i] = keep_zeros && scores[i] == 0 ? 0 : std::exp(scores[i] - high);
        sum += scores[i];
      }
      if (sum > 0)
        for (int64_t i = 0; i < n; ++i) scores[i] /= sum;
      return;
    }
  }
}

}  // namespace onyx
