// Add, Sub, Mul, Div: elementwise arithmetic on two tensors of one dtype.
//
// Opset 7 and later broadcast both inputs numpy style. Opsets 1 and 6 only broadcast
// B to A, and only with `broadcast=1`: B is a scalar (any one-element tensor) or its
// shape is a contiguous run of A's dims, starting at `axis` (suffix matching when
// absent); like the PyTorch exporter that wrote these models we also let size-1 dims of
// B expand. Integers wrap around on overflow; integer division truncates toward zero
// and division by zero is an error.
#include <functional>

#include "common/shape_utils.h"
#include "math/elementwise.h"
#include "math/math.h"
#include "onyx/kernel.h"

namespace onyx {
namespace {

// ---- 1. registration: the version history shared by the four ops ----

std::vector<OpVersion> binary_versions() {
  const std::vector<DType> v1 = float_dtypes();
  const std::vector<DType> v6 =
      with_dtypes(v1, {DType::Int32, DType::Int64, DType::UInt32, DType::UInt64});
  const std::map<std::string, AttrType> legacy = {{"broadcast", AttrType::Int},
                                                  {"axis", AttrType::Int}};
  std::map<std::string, AttrType> legacy1 = legacy;
  legacy1["consumed_inputs"] = AttrType::Ints;
  return {{1, 5, v1, legacy1},
          {6, 6, v6, legacy},
          {7, 12, v6},
          {13, 13, with_dtypes(v6, {DType::BFloat16})},
          {14, kOpsetOpen, dtypes_of(NumericTypes{})}};  // adds 8- and 16-bit integers
}

// ---- 2. attributes: the legacy (opset < 7) broadcast, read by LegacyBroadcast ----

// ---- 3. shape rule ----

template <class Fn>
void compute(const Tensor& a, const Tensor& b, const Shape& b_view, Tensor& out,
             const NodeScope& ctx, const ThreadPool* pool);

template <class Fn>
void infer_binary(InferContext& ctx) {
  check_same_dtype(ctx.input(0).elem, ctx.input(1).elem, ctx);
  LegacyBroadcast legacy = LegacyBroadcast::read(ctx.node(), ctx.opset(), ctx.label(), ctx);
  infer_binary_elementwise(ctx, legacy);
  // Fold small constant arithmetic (the shape computations of exported models).
  const Tensor* ca = ctx.constant(0);
  const Tensor* cb = ctx.constant(1);
  if (!ca || !cb || ca->dtype() != cb->dtype() || !dtype_in(NumericTypes{}, ca->dtype())) return;
  Shape shape = legacy.output_shape(ca->shape(), cb->shape(), ctx);
  if (!foldable(shape)) return;
  Tensor out(ca->dtype(), shape);
  compute<Fn>(*ca, *cb, legacy.view_of_b(ca->shape(), cb->shape(), ctx), out, ctx, nullptr);
  ctx.set_output_constant(0, std::move(out));
}

// ---- 4. compute ----

struct AddFn {
  static constexpr const char* name = "Add";
  template <class T>
  static T apply(T a, T b) {
    return arith(a, b, std::plus<>{});
  }
};
struct SubFn {
  static constexpr const char* name = "Sub";
  template <class T>
  static T apply(T a, T b) {
    return arith(a, b, std::minus<>{});
  }
};
struct MulFn {
  static constexpr const char* name = "Mul";
  template <class T>
  static T apply(T a, T b) {
    return arith(a, b, std::multiplies<>{});
  }
};
struct DivFn {
  static constexpr const char* name = "Div";
  template <class T>
  static T apply(T a, T b) {
    if constexpr (std::is_integral_v<T>) {
      if constexpr (std::is_signed_v<T>) {
        if (b == T(-1)) return arith(T(0), a, std::minus<>{});  // lowest / -1 wraps
      }
      return static_cast<T>(a / b);  // b != 0 was checked before
    } else {
      return arith(a, b, std::divides<>{});
    }
  }
};

// out = Fn(a, b), reading b as shape `b_view`; `out` already has its final shape. `pool`
// (null when folding constants) splits large outputs over threads.
template <class Fn>
void compute(const Tensor& a, const Tensor& b, const Shape& b_view, Tensor& out,
             const NodeScope& ctx, const ThreadPool* pool) {
  dispatch<NumericTypes>(a.dtype(), Fn::name, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* po = out.data<T>();
    if constexpr (std::is_same_v<Fn, DivFn> && std::is_integral_v<T>) {
      if (out.numel() > 0)  // then every element of b is used
        for (int64_t i = 0; i < b.numel(); ++i)
          if (pb[i] == T(0)) ctx.fail("integer division by zero");
    }
    broadcast_binary(
        pa, a.shape(), pb, b_view, po, out.shape(), [](T x, T y) { return Fn::apply(x, y); }, pool);
  });
}

template <class Fn>
class BinaryKernel final : public Kernel {
 public:
  explicit BinaryKernel(const KernelInit& init)
      : legacy_(LegacyBroadcast::read(init.node(), init.opset(), init.label(), init)) {
    check_same_dtype(init.input_dtype(0), init.input_dtype(1), init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    if (a.dtype() != b.dtype())
      ctx.fail(cat("inputs have different dtypes: ", a.describe(), " and ", b.describe()));
    Shape b_view = legacy_.view_of_b(a.shape(), b.shape(), ctx);
    // Every element is written below.
    Tensor& out = ctx.allocate_uninitialized_output(
        0, a.dtype(), legacy_.output_shape(a.shape(), b.shape(), ctx));
    compute<Fn>(a, b, b_view, out, ctx, &ctx.pool());
  }
  // Either input of the output's shape (the planner checks the size).
  std::vector<OutputReuse> output_reuse() const override { return elementwise_over({0, 1}); }

 private:
  LegacyBroadcast legacy_;
};

template <class Fn>
void add_binary(Registry& registry) {
  add_op_versions(registry, Fn::name, binary_versions(), make_kernel<BinaryKernel<Fn>>(),
                  infer_binary<Fn>);
}

}  // namespace

void register_binary(Registry& registry) {
  add_binary<AddFn>(registry);
  add_binary<SubFn>(registry);
  add_binary<MulFn>(registry);
  add_binary<DivFn>(registry);
}

}  // namespace onyx
