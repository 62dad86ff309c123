// Imputer (ai.onnx.ml, 1): replaces the elements of X that equal the replaced value with
// the imputed value of their feature (X's last axis), keeping X's dtype and shape.
// Float inputs use imputed_value_floats and replaced_value_float (a NaN there replaces
// every NaN); integer inputs use imputed_value_int64s and replaced_value_int64. The
// imputed values are 1 (every feature) or F.
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "ml/ml_ops.h"

namespace onyx {
namespace {

class ImputerKernel final : public Kernel {
 public:
  explicit ImputerKernel(const KernelInit& init) {
    const Attrs& attrs = init.attrs();
    float_values_ = attrs.get_floats("imputed_value_floats");
    int_values_ = attrs.get_ints("imputed_value_int64s");
    if (float_values_.empty() == int_values_.empty())
      init.fail("exactly one of imputed_value_floats and imputed_value_int64s must be given");
    float_replaced_ = attrs.get_float("replaced_value_float", 0.0f);
    int_replaced_ = attrs.get_int("replaced_value_int64", 0);
    const DType x = init.input_dtype(0);
    if (x != DType::Undefined) check_kind(x, init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    check_kind(x.dtype(), ctx);
    const int64_t f = x.rank() == 0 ? 1 : x.dim(x.rank() - 1);
    const int64_t k = static_cast<int64_t>(std::max(float_values_.size(), int_values_.size()));
    if (k != 1 && k != f)
      ctx.fail(cat("there are ", k, " imputed values, but X ", x.describe(), " has ", f,
                   " features (there must be 1 or ", f, ")"));
    Tensor& y = ctx.allocate_uninitialized_output(0, x.dtype(), x.shape());
    dispatch<MlNumericTypes>(x.dtype(), "Imputer", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* px = x.data<T>();
      T* py = y.data<T>();
      for (int64_t i = 0; i < x.numel(); ++i) {
        const T v = px[i];
        const size_t j = static_cast<size_t>(k == 1 ? 0 : i % f);
        if constexpr (std::is_floating_point_v<T>) {
          const bool replace =
              std::isnan(float_replaced_) ? std::isnan(v) : v == static_cast<T>(float_replaced_);
          py[i] = replace ? static_cast<T>(float_values_[j]) : v;
        } else {
          const bool replace = static_cast<int64_t>(v) == int_replaced_;
          py[i] = replace ? static_cast<T>(int_values_[j]) : v;
        }
      }
    });
  }

  std::vector<OutputReuse> output_reuse() const override { return elementwise_over(); }

 private:
  // Float inputs take the float attributes, integer inputs the int64 ones.
  template <class Ctx>
  void check_kind(DType x, const Ctx& ctx) const {
    const bool floating = x == DType::Float || x == DType::Double;
    if (floating != !float_values_.empty())
      ctx.fail(cat("X is ", dtype_name(x), ", so ",
                   floating ? "imputed_value_floats" : "imputed_value_int64s", " must be given"));
  }

  std::vector<float> float_values_;
  std::vector<int64_t> int_values_;
  float float_replaced_ = 0;
  int64_t int_replaced_ = 0;
};

}  // namespace

void register_imputer(Registry& registry) {
  add_ml_op(registry, "Imputer",
            {{1,
              kOpsetOpen,
              dtypes_of(MlNumericTypes{}),
              {{"imputed_value_floats", AttrType::Floats},
               {"imputed_value_int64s", AttrType::Ints},
               {"replaced_value_float", AttrType::Float},
               {"replaced_value_int64", AttrType::Int}}}},
            make_kernel<ImputerKernel>(), infer_same_as_input);
}

}  // namespace onyx
