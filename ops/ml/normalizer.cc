// Normalizer (ai.onnx.ml, 1): each row of X ([N, C], or [C] as one row) divided by its
// norm, as float; a row whose norm is 0 is copied unchanged.
//   MAX  Y = X / max |X|      L1  Y = X / sum |X|      L2  Y = X / sqrt(sum X^2)
// The spec's formulas (max(X), sum(X), sqrt(X^2 / sum(X^2))) drop the absolute values and
// the sign; the reference divides by the norms above, as scikit-learn's Normalizer does.
#include <cmath>

#include "ml/ml_ops.h"

namespace onyx {
namespace {

enum class Norm { Max, L1, L2 };

class NormalizerKernel final : public Kernel {
 public:
  explicit NormalizerKernel(const KernelInit& init) {
    const std::string norm = init.attrs().get_string("norm", "MAX");
    if (norm == "MAX")
      norm_ = Norm::Max;
    else if (norm == "L1")
      norm_ = Norm::L1;
    else if (norm == "L2")
      norm_ = Norm::L2;
    else
      init.fail("norm must be MAX, L1 or L2, got '" + norm + "'");
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const RowsOf shape = rows_of(x, ctx);
    Tensor& y = ctx.allocate_uninitialized_output(0, DType::Float, x.shape());
    float* py = y.data<float>();
    std::vector<double> row(static_cast<size_t>(shape.features));
    dispatch<MlNumericTypes>(x.dtype(), "Normalizer", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* px = x.data<T>();
      for (int64_t r = 0; r < shape.rows; ++r) {
        double norm = 0;
        for (int64_t c = 0; c < shape.features; ++c) {
          const double v = static_cast<double>(px[r * shape.features + c]);
          row[static_cast<size_t>(c)] = v;
          if (norm_ == Norm::Max) norm = std::max(norm, std::abs(v));
          if (norm_ == Norm::L1) norm += std::abs(v);
          if (norm_ == Norm::L2) norm += v * v;
        }
        if (norm_ == Norm::L2) norm = std::sqrt(norm);
        for (int64_t c = 0; c < shape.features; ++c) {
          const double v = row[static_cast<size_t>(c)];
          py[r * shape.features + c] = static_cast<float>(norm == 0 ? v : v / norm);
        }
      }
    });
  }

 private:
  Norm norm_ = Norm::Max;
};

void infer_normalizer(InferContext& ctx) {
  ctx.set_output(0, TypeInfo::tensor(DType::Float, ctx.input(0).shape));
}

}  // namespace

void register_normalizer(Registry& registry) {
  add_ml_op(registry, "Normalizer",
            {{1, kOpsetOpen, dtypes_of(MlNumericTypes{}), {{"norm", AttrType::String}}}},
            make_kernel<NormalizerKernel>(), infer_normalizer);
}

}  // namespace onyx
