// Binarizer (ai.onnx.ml, 1): Y = 1 where X > threshold, else 0, in X's dtype. NaN is not
// greater than anything, so it maps to 0 (the reference computes (x > threshold)).
#include "ml/ml_ops.h"

namespace onyx {
namespace {

class BinarizerKernel final : public Kernel {
 public:
  explicit BinarizerKernel(const KernelInit& init)
      : threshold_(init.attrs().get_float("threshold", 0.0f)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.allocate_uninitialized_output(0, x.dtype(), x.shape());
    dispatch<MlNumericTypes>(x.dtype(), "Binarizer", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* px = x.data<T>();
      T* py = y.data<T>();
      // Compared in double: an int64 above 2^24 must not round onto the float threshold.
      for (int64_t i = 0; i < x.numel(); ++i)
        py[i] = static_cast<double>(px[i]) > static_cast<double>(threshold_) ? T(1) : T(0);
    });
  }

  std::vector<OutputReuse> output_reuse() const override { return elementwise_over(); }

 private:
  float threshold_;
};

}  // namespace

void register_binarizer(Registry& registry) {
  add_ml_op(registry, "Binarizer",
            {{1, kOpsetOpen, dtypes_of(MlNumericTypes{}), {{"threshold", AttrType::Float}}}},
            make_kernel<BinarizerKernel>(), infer_same_as_input);
}

}  // namespace onyx
