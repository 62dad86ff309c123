// SVMRegressor (ai.onnx.ml, 1): support vector regression and one-class SVM. X is [N, F]
// or [F] (one row) of float, double, int64 or int32; Y is float [N, 1]:
//   Y[n, 0] = sum_j coefficients[j] K(x, sv_j) + rho[0]
// over the n_supports support vectors (see svm_kernel.h), or x . coefficients + rho[0]
// without them. A one-class SVM gives 1 when that is > 0, else -1; post_transform then
// applies to the score (the reference implements only NONE; the spec's transforms are
// well defined on one score).
#include "ml/svm_kernel.h"

namespace onyx {
namespace {

class SvmRegressorKernel final : public Kernel {
 public:
  explicit SvmRegressorKernel(const KernelInit& init) {
    const Attrs& attrs = init.attrs();
    supports_ = attrs.get_int("n_supports", 0);
    coefficients_ = svm_doubles(attrs.get_floats("coefficients"));
    vectors_ = svm_doubles(attrs.get_floats("support_vectors"));
    const std::vector<float> rho = attrs.get_floats("rho");
    one_class_ = attrs.get_int("one_class", 0);
    transform_ = post_transform_named(attrs.get_string("post_transform", "NONE"), init);
    kernel_ = read_svm_kernel(attrs, supports_ == 0, init);
    if (supports_ < 0) init.fail(cat("n_supports must be >= 0, got ", supports_));
    if (one_class_ != 0 && one_class_ != 1) init.fail(cat("one_class is 0 or 1, got ", one_class_));
    if (rho.size() != 1) init.fail(cat("rho must hold one value, got ", rho.size()));
    rho_ = rho[0];
    if (coefficients_.empty()) init.fail("coefficients must not be empty");
    if (supports_ > 0) {
      if (static_cast<int64_t>(coefficients_.size()) != supports_)
        init.fail(cat("coefficients holds ", coefficients_.size(), " values for ", supports_,
                      " support vectors"));
      if (vectors_.empty() || vectors_.size() % static_cast<size_t>(supports_) != 0)
        init.fail(cat("support_vectors holds ", vectors_.size(), " values, not ", supports_,
                      " vectors of one width"));
      features_ = static_cast<int64_t>(vectors_.size()) / supports_;
    } else {
      features_ = static_cast<int64_t>(coefficients_.size());
    }
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const RowsOf shape = svm_rows(x, features_, ctx);
    const int64_t f = features_;
    Tensor& y = ctx.allocate_uninitialized_output(0, DType::Float, {shape.rows, 1});
    dispatch<MlNumericTypes>(x.dtype(), "SVMRegressor", [&](auto tag) {
      using T = typename decltype(tag)::type;
      for (int64_t r = 0; r < shape.rows; ++r) {
        const T* row = x.data<T>() + r * f;
        double s = rho_;
        if (supports_ == 0) s += kernel_(row, coefficients_.data(), f);
        for (int64_t j = 0; j < supports_; ++j)
          s += coefficients_[static_cast<size_t>(j)] * kernel_(row, vectors_.data() + j * f, f);
        if (one_class_) s = s > 0 ? 1 : -1;
        apply_post_transform(transform_, &s, 1);
        y.data<float>()[r] = static_cast<float>(s);
      }
    });
  }

 private:
  int64_t supports_ = 0, features_ = 0, one_class_ = 0;
  std::vector<double> coefficients_, vectors_;
  double rho_ = 0;
  SvmKernel kernel_;
  PostTransform transform_ = PostTransform::None;
};

void infer_svm_regressor(InferContext& ctx) {
  ctx.set_output(
      0, TypeInfo::tensor(DType::Float, std::vector<Dim>{rows_dim(ctx.input(0)), Dim::known(1)}));
}

}  // namespace

void register_svm_regressor(Registry& registry) {
  add_ml_op(registry, "SVMRegressor", {{1, kOpsetOpen, dtypes_of(MlNumericTypes{})}},
            make_kernel<SvmRegressorKernel>(), infer_svm_regressor);
}

}  // namespace onyx
