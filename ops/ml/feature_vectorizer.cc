// FeatureVectorizer (ai.onnx.ml, 1): concatenates the inputs along their features into
// one float [N, sum(inputdimensions)]. Each input is [N, C] or [C] (one row) and fills
// inputdimensions[i] columns: extra columns are dropped and missing ones are zeros, as
// the reference does.
#include <algorithm>
#include <limits>

#include "ml/ml_ops.h"

namespace onyx {
namespace {

class FeatureVectorizerKernel final : public Kernel {
 public:
  explicit FeatureVectorizerKernel(const KernelInit& init)
      : dims_(init.attrs().get_ints("inputdimensions")) {
    if (static_cast<int>(dims_.size()) != init.num_inputs())
      init.fail(
          cat("inputdimensions has ", dims_.size(), " sizes for ", init.num_inputs(), " inputs"));
    for (int64_t d : dims_) {
      if (d < 0) init.fail(cat("inputdimensions holds a negative size ", d));
      if (width_ > std::numeric_limits<int64_t>::max() - d)
        init.fail("inputdimensions add up past int64");
      width_ += d;
    }
  }

  void run(KernelContext& ctx) const override {
    int64_t rows = -1;
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      const RowsOf shape = rows_of(ctx.input(i), ctx);
      if (rows >= 0 && shape.rows != rows)
        ctx.fail(cat("input ", i, " ", ctx.input(i).describe(), " has ", shape.rows,
                     " rows, but input 0 has ", rows));
      rows = shape.rows;
    }
    Tensor& y = ctx.allocate_output(0, DType::Float, {rows, width_});  // zero-filled
    float* py = y.data<float>();
    int64_t column = 0;
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      const Tensor& x = ctx.input(i);
      const RowsOf shape = rows_of(x, ctx);
      const int64_t copied = std::min(shape.features, dims_[static_cast<size_t>(i)]);
      dispatch<MlNumericTypes>(x.dtype(), "FeatureVectorizer", [&](auto tag) {
        using T = typename decltype(tag)::type;
        const T* px = x.data<T>();
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t c = 0; c < copied; ++c)
            py[r * width_ + column + c] = static_cast<float>(px[r * shape.features + c]);
      });
      column += dims_[static_cast<size_t>(i)];
    }
  }

 private:
  std::vector<int64_t> dims_;
  int64_t width_ = 0;
};

void infer_feature_vectorizer(InferContext& ctx) {
  const Attribute* dims = ctx.node().find_attr("inputdimensions");
  Dim width;
  if (dims) {
    int64_t sum = 0;
    for (int64_t d : dims->ints) {
      if (d < 0 || sum > std::numeric_limits<int64_t>::max() - d) {
        sum = -1;
        break;
      }
      sum += d;
    }
    if (sum >= 0) width = Dim::known(sum);
  }
  ctx.set_output(0,
                 TypeInfo::tensor(DType::Float, std::vector<Dim>{rows_dim(ctx.input(0)), width}));
}

}  // namespace

void register_feature_vectorizer(Registry& registry) {
  add_ml_op(registry, "FeatureVectorizer",
            {{1, kOpsetOpen, dtypes_of(MlNumericTypes{}), {{"inputdimensions", AttrType::Ints}}}},
            make_kernel<FeatureVectorizerKernel>(), infer_feature_vectorizer);
}

}  // namespace onyx
