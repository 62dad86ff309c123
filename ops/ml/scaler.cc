// Scaler (ai.onnx.ml, 1): Y = (X - offset) * scale along X's last axis (the features),
// as float. offset and scale have the same length: 1 (every feature) or F.
#include "ml/ml_ops.h"

namespace onyx {
namespace {

class ScalerKernel final : public Kernel {
 public:
  explicit ScalerKernel(const KernelInit& init)
      : offset_(init.attrs().get_floats("offset")), scale_(init.attrs().get_floats("scale")) {
    if (offset_.empty() || scale_.empty()) init.fail("offset and scale are required");
    if (offset_.size() != scale_.size())
      init.fail(cat("offset (", offset_.size(), ") and scale (", scale_.size(),
                    ") must have the same length"));
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t f = x.rank() == 0 ? 1 : x.dim(x.rank() - 1);
    const int64_t k = static_cast<int64_t>(scale_.size());
    if (k != 1 && k != f)
      ctx.fail(cat("offset and scale have ", k, " values, but X ", x.describe(), " has ", f,
                   " features (they must have 1 or ", f, ")"));
    Tensor& y = ctx.allocate_uninitialized_output(0, DType::Float, x.shape());
    float* py = y.data<float>();
    dispatch<MlNumericTypes>(x.dtype(), "Scaler", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* px = x.data<T>();
      for (int64_t i = 0; i < x.numel(); ++i) {
        const size_t j = k == 1 ? 0 : static_cast<size_t>(i % f);
        py[i] = static_cast<float>((static_cast<double>(px[i]) - offset_[j]) * scale_[j]);
      }
    });
  }

 private:
  std::vector<float> offset_, scale_;
};

void infer_scaler(InferContext& ctx) {
  ctx.set_output(0, TypeInfo::tensor(DType::Float, ctx.input(0).shape));
}

}  // namespace

void register_scaler(Registry& registry) {
  add_ml_op(registry, "Scaler",
            {{1,
              kOpsetOpen,
              dtypes_of(MlNumericTypes{}),
              {{"offset", AttrType::Floats}, {"scale", AttrType::Floats}}}},
            make_kernel<ScalerKernel>(), infer_scaler);
}

}  // namespace onyx
