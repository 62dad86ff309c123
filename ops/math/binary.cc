// Add, Sub, Mul, Div: elementwise arithmetic on two tensors of one dtype.
//
// Opset 7 and later broadcast both inputs numpy style. Opsets 1 and 6 only broadcast
// B to A, and only with `broadcast=1`: B is a scalar (any one-element tensor) or its
// shape is a contiguous run of A's dims, starting at `axis` (suffix matching when
// absent); like the PyTorch exporter that wrote these models we also let size-1 dims of
// B expand. Integers wrap around on overflow; integer division truncates toward zero
// and division by zero is an error.
#include <functional>
#include <optional>

#include "common/shape_utils.h"
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

// ---- 2. attributes: the legacy (opset < 7) broadcast ----

struct Legacy {
  bool enabled = false;    // opset < 7
  bool broadcast = false;  // broadcast=1
  std::optional<int64_t> axis;

  template <class Ctx>
  static Legacy read(const Node& node, int opset, const std::string& label, Ctx& ctx) {
    Legacy legacy;
    if (opset >= 7) return legacy;
    legacy.enabled = true;
    Attrs attrs(node, label);
    int64_t broadcast = attrs.get_int("broadcast", 0);
    if (broadcast != 0 && broadcast != 1)
      ctx.fail(cat("attribute 'broadcast' must be 0 or 1, got ", broadcast));
    legacy.broadcast = broadcast == 1;
    if (attrs.has("axis")) legacy.axis = attrs.get_int("axis", 0);
    return legacy;
  }

  // The shape B is read as, so that numpy broadcasting of A with it yields A's shape.
  template <class Ctx>
  Shape view_of_b(const Shape& a, const Shape& b, Ctx& ctx) const {
    if (!broadcast) {
      if (a != b)
        ctx.fail(cat("shapes ", shape_to_string(a), " and ", shape_to_string(b),
                     " differ and broadcast=0"));
      return b;
    }
    if (checked_numel(b) == 1) return {};
    int64_t rank = static_cast<int64_t>(a.size());
    int64_t brank = static_cast<int64_t>(b.size());
    int64_t start = axis ? (*axis < 0 ? *axis + rank : *axis) : rank - brank;
    if (brank > rank || start < 0 || start + brank > rank)
      ctx.fail(cat("cannot broadcast B ", shape_to_string(b), " to A ", shape_to_string(a),
                   axis ? cat(" at axis ", *axis) : std::string()));
    Shape view(a.size(), 1);
    for (int64_t i = 0; i < brank; ++i) {
      int64_t dim = b[static_cast<size_t>(i)];
      if (dim != 1 && dim != a[static_cast<size_t>(start + i)])
        ctx.fail(cat("cannot broadcast B ", shape_to_string(b), " to A ", shape_to_string(a)));
      view[static_cast<size_t>(start + i)] = dim;
    }
    return view;
  }
};

// ---- 3. shape rule ----

template <class Ctx>
Shape output_shape(const Legacy& legacy, const Shape& a, const Shape& b, Ctx& ctx) {
  if (legacy.enabled) return a;
  try {
    return broadcast_shapes(a, b, "inputs");
  } catch (const Error& e) {
    ctx.fail(e.what());
  }
}

template <class Fn, class Ctx>
void compute(const Tensor& a, const Tensor& b, const Shape& b_view, Tensor& out, Ctx& ctx);

template <class Fn>
void infer_binary(InferContext& ctx) {
  const TypeInfo& a = ctx.input(0);
  const TypeInfo& b = ctx.input(1);
  if (a.elem != DType::Undefined && b.elem != DType::Undefined && a.elem != b.elem)
    ctx.fail(cat("inputs have different dtypes ", dtype_name(a.elem), " and ", dtype_name(b.elem)));
  Legacy legacy = Legacy::read(ctx.node(), ctx.opset(), ctx.label(), ctx);
  if (legacy.enabled) {
    ctx.set_output(0, TypeInfo::tensor(a.elem, a.shape));  // the output has A's shape
  } else {
    infer_broadcast(ctx);
  }
  // Fold small constant arithmetic (the shape computations of exported models).
  const Tensor* ca = ctx.constant(0);
  const Tensor* cb = ctx.constant(1);
  if (!ca || !cb || ca->dtype() != cb->dtype() || !dtype_in(NumericTypes{}, ca->dtype())) return;
  Shape shape = output_shape(legacy, ca->shape(), cb->shape(), ctx);
  if (checked_numel(shape) > kMaxFoldElements) return;
  Shape b_view = legacy.enabled ? legacy.view_of_b(ca->shape(), cb->shape(), ctx) : cb->shape();
  Tensor out(ca->dtype(), shape);
  compute<Fn>(*ca, *cb, b_view, out, ctx);
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

// out = Fn(a, b), reading b as shape `b_view`; `out` already has its final shape.
template <class Fn, class Ctx>
void compute(const Tensor& a, const Tensor& b, const Shape& b_view, Tensor& out, Ctx& ctx) {
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
    if (a.shape() == out.shape() && b_view == out.shape()) {  // no broadcasting
      for (int64_t i = 0; i < out.numel(); ++i) po[i] = Fn::apply(pa[i], pb[i]);
      return;
    }
    BroadcastWalk walk({a.shape(), b_view}, out.shape());
    const int64_t n = walk.inner();
    const bool step_a = walk.step(0) != 0, step_b = walk.step(1) != 0;
    walk.for_rows(0, walk.rows(), [&](int64_t o, const int64_t* in) {
      const T* ra = pa + in[0];
      const T* rb = pb + in[1];
      T* ro = po + o;
      if (step_a && step_b) {
        for (int64_t i = 0; i < n; ++i) ro[i] = Fn::apply(ra[i], rb[i]);
      } else if (step_a) {
        const T vb = *rb;
        for (int64_t i = 0; i < n; ++i) ro[i] = Fn::apply(ra[i], vb);
      } else if (step_b) {
        const T va = *ra;
        for (int64_t i = 0; i < n; ++i) ro[i] = Fn::apply(va, rb[i]);
      } else {
        const T v = Fn::apply(*ra, *rb);
        for (int64_t i = 0; i < n; ++i) ro[i] = v;
      }
    });
  });
}

template <class Fn>
class BinaryKernel final : public Kernel {
 public:
  explicit BinaryKernel(const KernelInit& init)
      : legacy_(Legacy::read(init.node(), init.opset(), init.label(), init)) {
    DType a = init.input_dtype(0), b = init.input_dtype(1);
    if (a != DType::Undefined && b != DType::Undefined && a != b)
      init.fail(cat("inputs have different dtypes ", dtype_name(a), " and ", dtype_name(b)));
  }

  void run(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    if (a.dtype() != b.dtype())
      ctx.fail(cat("inputs have different dtypes: ", a.describe(), " and ", b.describe()));
    Shape b_view = legacy_.enabled ? legacy_.view_of_b(a.shape(), b.shape(), ctx) : b.shape();
    Shape shape = output_shape(legacy_, a.shape(), b.shape(), ctx);
    Tensor& out = ctx.allocate_output(0, a.dtype(), std::move(shape));
    compute<Fn>(a, b, b_view, out, ctx);
  }

 private:
  Legacy legacy_;
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
