// LinearRegressor (ai.onnx.ml, 1): Y[n, t] = sum_f X[n, f] * coefficients[t * F + f]
// + intercepts[t], then post_transform; X is [N, F] or [F] (one row), Y is float
// [N, targets]. The coefficients hold targets * F values, those of each target together.
#include "ml/ml_ops.h"

namespace onyx {
namespace {

class LinearRegressorKernel final : public Kernel {
 public:
  explicit LinearRegressorKernel(const KernelInit& init) {
    const Attrs& attrs = init.attrs();
    for (float c : attrs.get_floats("coefficients")) coefficients_.push_back(c);
    for (float c : attrs.get_floats("intercepts")) intercepts_.push_back(c);
    targets_ = attrs.get_int("targets", 1);
    transform_ = post_transform_named(attrs.get_string("post_transform", "NONE"), init);
    if (targets_ < 1) init.fail(cat("targets must be >= 1, got ", targets_));
    if (coefficients_.empty() || coefficients_.size() % static_cast<size_t>(targets_) != 0)
      init.fail(cat("coefficients holds ", coefficients_.size(), " values, not a multiple of ",
                    targets_, " targets"));
    if (!intercepts_.empty() && static_cast<int64_t>(intercepts_.size()) != targets_)
      init.fail(cat("intercepts holds ", intercepts_.size(), " values for ", targets_, " targets"));
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const RowsOf shape = rows_of(x, ctx);
    const int64_t f = shape.features;
    if (static_cast<int64_t>(coefficients_.size()) / targets_ != f)
      ctx.fail(cat("coefficients holds ", coefficients_.size(), " values: ", targets_,
                   " targets of ", coefficients_.size() / static_cast<size_t>(targets_),
                   " features, but X ", x.describe(), " has ", f, " features"));
    Tensor& y = ctx.allocate_uninitialized_output(0, DType::Float, {shape.rows, targets_});
    float* py = y.data<float>();
    std::vector<double> score(static_cast<size_t>(targets_));
    dispatch<MlNumericTypes>(x.dtype(), "LinearRegressor", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* px = x.data<T>();
      for (int64_t r = 0; r < shape.rows; ++r) {
        for (int64_t t = 0; t < targets_; ++t) {
          double sum = intercepts_.empty() ? 0 : intercepts_[static_cast<size_t>(t)];
          for (int64_t c = 0; c < f; ++c)
            sum +=
                static_cast<double>(px[r * f + c]) * coefficients_[static_cast<size_t>(t * f + c)];
          score[static_cast<size_t>(t)] = sum;
        }
        apply_post_transform(transform_, score.data(), targets_);
        for (int64_t t = 0; t < targets_; ++t)
          py[r * targets_ + t] = static_cast<float>(score[static_cast<size_t>(t)]);
      }
    });
  }

 private:
  std::vector<double> coefficients_, intercepts_;
  int64_t targets_ = 1;
  PostTransform transform_ = PostTransform::None;
};

void infer_linear_regressor(InferContext& ctx) {
  const Attribute* targets = ctx.node().find_attr("targets");
  const int64_t n = targets ? targets->i : 1;
  const Dim cols = n >= 1 ? Dim::known(n) : Dim{};
  ctx.set_output(0, TypeInfo::tensor(DType::Float, std::vector<Dim>{rows_dim(ctx.input(0)), cols}));
}

}  // namespace

void register_linear_regressor(Registry& registry) {
  add_ml_op(registry, "LinearRegressor",
            {{1,
              kOpsetOpen,
              dtypes_of(MlNumericTypes{}),
              {{"coefficients", AttrType::Floats},
               {"intercepts", AttrType::Floats},
               {"post_transform", AttrType::String},
               {"targets", AttrType::Int}}}},
            make_kernel<LinearRegressorKernel>(), infer_linear_regressor);
}

}  // namespace onyx
