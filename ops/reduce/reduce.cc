// ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2,
// ReduceLogSum, ReduceLogSumExp, ReduceSumSquare: ten functors over one engine
// (reduce_engine.h).
//
// The axes come from the attribute `axes` before opset 13 (ReduceSum) or 18 (the others),
// and from the optional input `axes` after. No axes (or an empty list) reduces every dim,
// unless noop_with_empty_axes=1: then no dim is reduced and each element is its own
// one-element set (ReduceSumSquare squares it, ReduceL1 takes |x|, ReduceLogSum its log;
// Sum, Mean, Max, Min and Prod return it). keepdims=1 keeps reduced dims as size 1.
//
// An empty set reduces to the identity: 0 for the sums and norms, 1 for the product,
// -inf (or the dtype's lowest) for max, +inf (or its highest) for min, -inf for the log
// sums and NaN for the mean; an integer dtype that cannot hold the answer is an error.
// NaN propagates through max and min. Integer sums and products wrap around like numpy;
// the integer mean truncates toward zero.
#include <cmath>
#include <functional>

#include "reduce/reduce_engine.h"

namespace onyx {
namespace {

// ---- the ten functors ----

template <class A>
A plus(A a, A b) {
  return arith(a, b, std::plus<>{});
}
template <class A>
A times(A a, A b) {
  return arith(a, b, std::multiplies<>{});
}
template <class A>
A magnitude(A a) {  // |a|, wrapping for the lowest signed integer like numpy
  if constexpr (std::is_unsigned_v<A>) {
    return a;
  } else if constexpr (std::is_integral_v<A>) {
    return a < 0 ? arith(A(0), a, std::minus<>{}) : a;
  } else {
    return std::fabs(a);
  }
}
template <class T>
constexpr bool is_float_v = std::is_floating_point_v<T> || is_half_v<T>;

// Defaults shared by most: accumulate in wide_t<T>, defined on the empty set.
struct WideOp {
  using Types = NumericTypes;
  template <class T>
  using Acc = wide_t<T>;
  template <class T>
  static Acc<T> init() {
    return Acc<T>(0);
  }
  template <class T>
  static Acc<T> finish(const Acc<T>& a, int64_t) {
    return a;
  }
  template <class T>
  static constexpr bool defined_on_empty() {
    return true;
  }
};

struct SumOp : WideOp {
  static constexpr const char* name = "ReduceSum";
  template <class T>
  static void add(Acc<T>& a, T x) {
    a = plus(a, widen(x));
  }
};
struct SumSquareOp : WideOp {
  static constexpr const char* name = "ReduceSumSquare";
  template <class T>
  static void add(Acc<T>& a, T x) {
    a = plus(a, times(widen(x), widen(x)));
  }
};
struct L1Op : WideOp {
  static constexpr const char* name = "ReduceL1";
  template <class T>
  static void add(Acc<T>& a, T x) {
    a = plus(a, magnitude(widen(x)));
  }
};
struct L2Op : SumSquareOp {
  static constexpr const char* name = "ReduceL2";
  template <class T>
  static double finish(const Acc<T>& a, int64_t) {
    return std::sqrt(static_cast<double>(a));
  }
};
struct MeanOp : SumOp {
  static constexpr const char* name = "ReduceMean";
  template <class T>
  static Acc<T> finish(const Acc<T>& a, int64_t count) {
    if constexpr (is_float_v<T>) {
      return a / static_cast<double>(count);  // 0 / 0 = NaN for the empty set
    } else if constexpr (std::is_signed_v<T>) {
      return static_cast<T>(static_cast<int64_t>(a) / count);
    } else {
      return static_cast<T>(static_cast<uint64_t>(a) / static_cast<uint64_t>(count));
    }
  }
  template <class T>
  static constexpr bool defined_on_empty() {
    return is_float_v<T>;
  }
};
struct ProdOp : WideOp {
  static constexpr const char* name = "ReduceProd";
  template <class T>
  static Acc<T> init() {
    return Acc<T>(1);
  }
  template <class T>
  static void add(Acc<T>& a, T x) {
    a = times(a, widen(x));
  }
};
struct LogSumOp : SumOp {
  static constexpr const char* name = "ReduceLogSum";
  template <class T>
  static double finish(const Acc<T>& a, int64_t) {
    return std::log(static_cast<double>(a));
  }
  template <class T>
  static constexpr bool defined_on_empty() {
    return is_float_v<T>;
  }
};

// Max and Min: the empty set gives the far end of the dtype (-inf/+inf for floats);
// a NaN, once seen, stays. Opset 20 adds bool (false < true).
template <bool kMax>
struct ExtremeOp : WideOp {
  static constexpr const char* name = kMax ? "ReduceMax" : "ReduceMin";
  using Types = type_list<float, double, float16_t, bfloat16_t, int8_t, int16_t, int32_t, int64_t,
                          uint8_t, uint16_t, uint32_t, uint64_t, bool>;
  template <class T>
  static Acc<T> init() {
    using L = std::numeric_limits<Acc<T>>;
    if constexpr (is_float_v<T>) return kMax ? -L::infinity() : L::infinity();
    return kMax ? L::lowest() : L::max();
  }
  template <class T>
  static void add(Acc<T>& a, T x) {
    const Acc<T> w = widen(x);
    if ((kMax ? w > a : w < a) || is_nan(w)) a = w;
  }
};
using MaxOp = ExtremeOp<true>;
using MinOp = ExtremeOp<false>;

// log(sum(exp(x))) without overflow: keep the running max m and s = sum(exp(x - m)).
struct LogSumExpAcc {
  double max = -std::numeric_limits<double>::infinity();
  double sum = 0;
};
struct LogSumExpOp : WideOp {
  static constexpr const char* name = "ReduceLogSumExp";
  template <class T>
  using Acc = LogSumExpAcc;
  template <class T>
  static Acc<T> init() {
    return {};
  }
  template <class T>
  static void add(Acc<T>& a, T x) {
    const double w = static_cast<double>(widen(x));
    if (w > a.max) {  // rescale the sum to the new max
      a.sum = a.sum * std::exp(a.max - w) + 1;
      a.max = w;
    } else if (w == a.max) {  // also covers infinities, where w - max is NaN
      a.sum += 1;
    } else {
      a.sum += std::exp(w - a.max);  // NaN here makes the sum NaN
    }
  }
  template <class T>
  static double finish(const Acc<T>& a, int64_t) {
    return a.max + std::log(a.sum);  // empty: -inf + log(0) = -inf
  }
  template <class T>
  static constexpr bool defined_on_empty() {
    return is_float_v<T>;
  }
};

// ---- attributes ----

struct ReduceAttrs {
  bool axes_input = false;    // axes come from input 1 (ReduceSum 13+, the others 18+)
  std::vector<int64_t> axes;  // the attribute, before that
  bool keepdims = true;
  bool noop = false;  // noop_with_empty_axes
};

template <class Ctx>
ReduceAttrs read_reduce_attrs(const Node& node, int opset, const std::string& label, Ctx& ctx) {
  const int since = node.op_type == "ReduceSum" ? 13 : 18;
  Attrs attrs(node, label);
  ReduceAttrs r;
  r.axes_input = opset >= since;
  r.keepdims = read_flag(attrs, "keepdims", 1, ctx);
  if (r.axes_input) {
    if (attrs.has("axes"))
      ctx.fail(cat("attribute 'axes' was replaced by input 'axes' in opset ", since));
    r.noop = read_flag(attrs, "noop_with_empty_axes", 0, ctx);
  } else {
    if (attrs.has("noop_with_empty_axes"))
      ctx.fail(cat("attribute 'noop_with_empty_axes' needs opset ", since, " or later"));
    if (node.inputs.size() > 1)
      ctx.fail(cat("takes one input before opset ", since, " (axes is an attribute)"));
    r.axes = attrs.get_ints("axes");
  }
  return r;
}

// ---- shape rule ----

template <class Op>
void infer_reduce(InferContext& ctx) {
  const ReduceAttrs a = read_reduce_attrs(ctx.node(), ctx.opset(), ctx.label(), ctx);
  const TypeInfo& x = ctx.input(0);
  TypeInfo out = TypeInfo::tensor(x.elem);
  std::optional<std::vector<int64_t>> axes;
  if (!a.axes_input || !ctx.has_input(1)) {
    axes = a.axes;
  } else if (const Tensor* c = ctx.constant(1)) {
    axes = tensor_to_ints(*c, "axes", ctx);
  }
  if (x.shape) {
    const int rank = static_cast<int>(x.shape->size());
    if (axes) {
      out.shape = reduced_shape(*x.shape, reduced_dims(*axes, rank, a.noop, ctx), a.keepdims,
                                Dim::known(1));
    } else if (a.keepdims) {  // each dim stays or becomes 1: only 1s are certain
      out.shape = std::vector<Dim>(static_cast<size_t>(rank));
      for (int d = 0; d < rank; ++d)
        if ((*x.shape)[d] == Dim::known(1)) (*out.shape)[d] = Dim::known(1);
    } else if (std::optional<int64_t> len = declared_length(ctx.input(1))) {
      if (*len == 0) {
        out.shape = a.noop ? *x.shape : std::vector<Dim>{};
      } else if (*len <= rank) {  // distinct axes each drop one dim
        out.shape = std::vector<Dim>(static_cast<size_t>(rank - *len));
      }
    }
  }
  ctx.set_output(0, out);
  // Fold small constant reductions (the shape arithmetic of exported models).
  const Tensor* c = ctx.constant(0);
  if (!axes || !c || c->numel() > kMaxFoldElements || !dtype_in(typename Op::Types{}, c->dtype()))
    return;
  const std::vector<bool> reduced = reduced_dims(*axes, c->rank(), a.noop, ctx);
  Tensor folded(c->dtype(), reduced_shape(c->shape(), reduced, a.keepdims, int64_t{1}));
  reduce_tensor<Op>(*c, reduced, folded, nullptr, ctx);
  ctx.set_output_constant(0, std::move(folded));
}

// ---- kernel ----

template <class Op>
class ReduceKernel final : public Kernel {
 public:
  explicit ReduceKernel(const KernelInit& init)
      : attrs_(read_reduce_attrs(init.node(), init.opset(), init.label(), init)) {
    const TypeInfo& x = init.input_type(0);
    if (x.shape && !attrs_.axes_input)
      reduced_dims(attrs_.axes, static_cast<int>(x.shape->size()), attrs_.noop, init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    std::vector<int64_t> axes = attrs_.axes;
    if (attrs_.axes_input && ctx.has_input(1)) axes = tensor_to_ints(ctx.input(1), "axes", ctx);
    const std::vector<bool> reduced = reduced_dims(axes, x.rank(), attrs_.noop, ctx);
    Tensor& out = ctx.allocate_output(
        0, x.dtype(), reduced_shape(x.shape(), reduced, attrs_.keepdims, int64_t{1}));
    reduce_tensor<Op>(x, reduced, out, &ctx.pool(), ctx);
  }

 private:
  ReduceAttrs attrs_;
};

// ---- registration ----

template <class Op>
void add_reduce(Registry& registry) {
  using A = AttrType;
  const std::map<std::string, AttrType> by_attr = {{"axes", A::Ints}, {"keepdims", A::Int}};
  const std::map<std::string, AttrType> by_input = {{"keepdims", A::Int},
                                                    {"noop_with_empty_axes", A::Int}};
  const std::vector<DType> v1 = {DType::Float16, DType::Float,  DType::Double, DType::Int32,
                                 DType::Int64,   DType::UInt32, DType::UInt64};
  const std::vector<DType> v13 = with_dtypes(v1, {DType::BFloat16});
  std::vector<OpVersion> versions;
  if (std::string(Op::name) == "ReduceSum") {  // axes became an input in 13
    versions = {{1, 10, v1, by_attr}, {11, 12, v1, by_attr}, {13, kOpsetOpen, v13, by_input}};
  } else if (std::is_same_v<Op, MaxOp> || std::is_same_v<Op, MinOp>) {
    const std::vector<DType> v12 = with_dtypes(v1, {DType::Int8, DType::UInt8});
    const std::vector<DType> v13x = with_dtypes(v12, {DType::BFloat16});
    versions = {
        {1, 10, v1, by_attr},     {11, 11, v1, by_attr},
        {12, 12, v12, by_attr},   {13, 17, v13x, by_attr},
        {18, 19, v13x, by_input}, {20, kOpsetOpen, with_dtypes(v13x, {DType::Bool}), by_input}};
  } else {  // 11 allowed negative axes, 13 bfloat16, 18 moved axes to an input
    versions = {{1, 10, v1, by_attr},
                {11, 12, v1, by_attr},
                {13, 17, v13, by_attr},
                {18, kOpsetOpen, v13, by_input}};
    if (std::is_same_v<Op, LogSumOp> || std::is_same_v<Op, LogSumExpOp>) {
      // 28 drops the integer types: Log and Exp are defined on floats only.
      versions.back().until = 27;
      versions.push_back({28, kOpsetOpen, dtypes_of(FloatTypes{}), by_input});
    }
  }
  add_op_versions(registry, Op::name, versions, make_kernel<ReduceKernel<Op>>(), infer_reduce<Op>);
}

}  // namespace

void register_reductions(Registry& registry) {
  add_reduce<SumOp>(registry);
  add_reduce<MeanOp>(registry);
  add_reduce<MaxOp>(registry);
  add_reduce<MinOp>(registry);
  add_reduce<ProdOp>(registry);
  add_reduce<L1Op>(registry);
  add_reduce<L2Op>(registry);
  add_reduce<LogSumOp>(registry);
  add_reduce<LogSumExpOp>(registry);
  add_reduce<SumSquareOp>(registry);
}

}  // namespace onyx
