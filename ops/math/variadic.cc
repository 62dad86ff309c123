// Max, Min, Mean, Sum: elementwise over one or more inputs of one dtype.
//
// From opset 8 the inputs broadcast numpy style; opsets 1 and 6 need one shape for all.
// Max and Min propagate NaN (any NaN input makes that element NaN, as numpy's maximum and
// minimum) and take integers from opset 12; Mean and Sum are for float types only.
// float16/bfloat16 inputs are accumulated in float and rounded once at the end.
#include <cmath>

#include "math/elementwise.h"
#include "math/math.h"

namespace onyx {
namespace {

// ---- 1. registration ----

const std::map<std::string, AttrType> kLegacyAttrs = {{"consumed_inputs", AttrType::Ints}};

std::vector<OpVersion> max_min_versions() {
  return {{1, 5, float_dtypes(), kLegacyAttrs},
          {6, 7, float_dtypes()},
          {8, 11, float_dtypes()},  // numpy broadcasting
          {12, 12, numeric_dtypes_no_bf16()},
          {13, kOpsetOpen, numeric_dtypes()}};
}

std::vector<OpVersion> mean_sum_versions() {
  return {{1, 5, float_dtypes(), kLegacyAttrs},
          {6, 7, float_dtypes()},
          {8, 12, float_dtypes()},  // numpy broadcasting
          {13, kOpsetOpen, with_dtypes(float_dtypes(), {DType::BFloat16})}};
}

// ---- 2. attributes: none (opset 1's `consumed_inputs` is ignored) ----

// ---- 3. shape rule ----

template <class Ctx>
Shape output_shape(const std::vector<const Tensor*>& inputs, bool broadcast, Ctx& ctx) {
  Shape shape = inputs[0]->shape();
  for (size_t k = 1; k < inputs.size(); ++k) {
    const Tensor& t = *inputs[k];
    if (t.dtype() != inputs[0]->dtype())
      ctx.fail(cat("inputs have different dtypes: ", inputs[0]->describe(), " and ", t.describe()));
    if (broadcast) {
      shape = LegacyBroadcast::broadcast_or_fail(shape, t.shape(), ctx);
    } else if (t.shape() != shape) {
      ctx.fail(cat("inputs must have one shape (no broadcasting before opset 8), got ",
                   shape_to_string(shape), " and ", shape_to_string(t.shape())));
    }
  }
  return shape;
}

template <class Fn>
void compute(const std::vector<const Tensor*>& inputs, Tensor& out);

template <class Fn>
void infer_variadic(InferContext& ctx) {
  for (int i = 1; i < ctx.num_inputs(); ++i)
    check_same_dtype(ctx.input(0).elem, ctx.input(i).elem, ctx);
  const bool broadcast = ctx.opset() >= 8;
  infer_variadic_elementwise(ctx, broadcast);
  // Fold small constants (Max/Min of shape values in exported models).
  std::vector<const Tensor*> inputs;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.constant(i) || !dtype_in(typename Fn::Types{}, ctx.constant(i)->dtype())) return;
    inputs.push_back(ctx.constant(i));
  }
  Shape shape = output_shape(inputs, broadcast, ctx);
  if (!foldable(shape)) return;
  Tensor out(inputs[0]->dtype(), shape);
  compute<Fn>(inputs, out);
  ctx.set_output_constant(0, std::move(out));
}

// ---- 4. compute ----

template <class C>
bool is_nan(C x) {
  if constexpr (std::is_floating_point_v<C>) {
    return std::isnan(x);
  } else {
    return false;
  }
}

struct MaxFn {
  static constexpr const char* name = "Max";
  using Types = NumericTypes;
  template <class C>
  static C combine(C a, C b) {
    if (is_nan(a) || is_nan(b)) return is_nan(a) ? a : b;
    return a < b ? b : a;
  }
  template <class C>
  static C finish(C acc, int64_t) {
    return acc;
  }
};

struct MinFn {
  static constexpr const char* name = "Min";
  using Types = NumericTypes;
  template <class C>
  static C combine(C a, C b) {
    if (is_nan(a) || is_nan(b)) return is_nan(a) ? a : b;
    return b < a ? b : a;
  }
  template <class C>
  static C finish(C acc, int64_t) {
    return acc;
  }
};

struct SumFn {
  static constexpr const char* name = "Sum";
  using Types = FloatTypes;
  template <class C>
  static C combine(C a, C b) {
    return arith(a, b, std::plus<>{});
  }
  template <class C>
  static C finish(C acc, int64_t) {
    return acc;
  }
};

struct MeanFn {
  static constexpr const char* name = "Mean";
  using Types = FloatTypes;
  template <class C>
  static C combine(C a, C b) {
    return arith(a, b, std::plus<>{});
  }
  template <class C>
  static C finish(C acc, int64_t n) {
    return acc / static_cast<C>(n);
  }
};

// out = finish(combine(...combine(in_0, in_1)..., in_n-1)), every input broadcast to out.
template <class Fn>
void compute(const std::vector<const Tensor*>& inputs, Tensor& out) {
  dispatch<typename Fn::Types>(out.dtype(), Fn::name, [&](auto tag) {
    using T = typename decltype(tag)::type;
    using C = compute_t<T>;  // float for the half types
    std::vector<C> acc(static_cast<size_t>(out.numel()));
    const Shape& shape = out.shape();
    for (size_t k = 0; k < inputs.size(); ++k) {
      const Tensor& in = *inputs[k];
      if (k == 0) {  // acc = in_0, broadcast
        broadcast_binary(acc.data(), shape, in.data<T>(), in.shape(), acc.data(), shape,
                         [](C, T x) { return static_cast<C>(x); });
      } else {  // each element of acc is read and then written at one offset
        broadcast_binary(acc.data(), shape, in.data<T>(), in.shape(), acc.data(), shape,
                         [](C a, T x) { return Fn::combine(a, static_cast<C>(x)); });
      }
    }
    T* po = out.data<T>();
    const int64_t n = static_cast<int64_t>(inputs.size());
    for (int64_t i = 0; i < out.numel(); ++i) po[i] = static_cast<T>(Fn::finish(acc[i], n));
  });
}

template <class Fn>
class VariadicKernel final : public Kernel {
 public:
  explicit VariadicKernel(const KernelInit& init) : broadcast_(init.opset() >= 8) {
    if (init.num_inputs() < 1) init.fail("needs at least one input");
    for (int i = 1; i < init.num_inputs(); ++i)
      check_same_dtype(init.input_dtype(0), init.input_dtype(i), init);
  }

  void run(KernelContext& ctx) const override {
    std::vector<const Tensor*> inputs;
    for (int i = 0; i < ctx.num_inputs(); ++i) inputs.push_back(&ctx.input(i));
    Tensor& out = ctx.allocate_output(0, inputs[0]->dtype(), output_shape(inputs, broadcast_, ctx));
    compute<Fn>(inputs, out);
  }

 private:
  bool broadcast_;
};

template <class Fn>
void add_variadic(Registry& registry, const std::vector<OpVersion>& versions) {
  add_op_versions(registry, Fn::name, versions, make_kernel<VariadicKernel<Fn>>(),
                  infer_variadic<Fn>);
}

}  // namespace

void register_variadic(Registry& registry) {
  add_variadic<MaxFn>(registry, max_min_versions());
  add_variadic<MinFn>(registry, max_min_versions());
  add_variadic<MeanFn>(registry, mean_sum_versions());
  add_variadic<SumFn>(registry, mean_sum_versions());
}

}  // namespace onyx
