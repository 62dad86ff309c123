// CumSum (opset 11) and CumProd (opset 26): running sums or products along the axis given
// by input 1 (an int32 or int64 scalar; a one-element 1-D tensor is accepted too), axis in
// [-rank, rank). exclusive=1 leaves each element out of its own sum or product (the first
// output is 0 or 1); reverse=1 runs from the end. Floats accumulate in double, integers
// in their own type (wrapping like numpy).
#include "reduce/reduce_engine.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> cumsum_versions() {
  const std::vector<DType> v11 = {DType::UInt32, DType::UInt64, DType::Int32,
                                  DType::Int64,  DType::Float,  DType::Double};
  const std::map<std::string, AttrType> attrs = {{"exclusive", AttrType::Int},
                                                 {"reverse", AttrType::Int}};
  return {{11, 13, v11, attrs},
          {14, kOpsetOpen, with_dtypes(v11, {DType::Float16, DType::BFloat16}), attrs}};
}
// CumProd came with CumSum-14's types and attributes.
std::vector<OpVersion> cumprod_versions() {
  OpVersion v14 = cumsum_versions().back();
  v14.since = 26;
  return {v14};
}

// ---- 2. attributes and the axis input ----

struct CumulativeAttrs {
  bool exclusive = false;
  bool reverse = false;
};

template <class Ctx>
CumulativeAttrs read_cumulative_attrs(const Node& node, const std::string& label, Ctx& ctx) {
  Attrs attrs(node, label);
  return {read_flag(attrs, "exclusive", 0, ctx), read_flag(attrs, "reverse", 0, ctx)};
}

template <class Ctx>
int read_axis(const Tensor& t, int rank, Ctx& ctx) {
  const std::vector<int64_t> v = tensor_to_ints(t, "axis", ctx);
  if (v.size() != 1) ctx.fail(cat("axis must hold one value, got ", t.describe()));
  if (v[0] < -rank || v[0] >= rank)
    ctx.fail(cat("axis ", v[0], " is out of range for rank ", rank));
  return static_cast<int>(v[0] < 0 ? v[0] + rank : v[0]);
}

// ---- 3. shape rule: the input's type; a constant axis is checked ----

void infer_cumulative(InferContext& ctx) {
  read_cumulative_attrs(ctx.node(), ctx.label(), ctx);
  const TypeInfo& x = ctx.input(0);
  const Tensor* axis = ctx.constant(1);
  if (axis && x.shape) read_axis(*axis, static_cast<int>(x.shape->size()), ctx);
  infer_same_as_input(ctx);
}

// ---- 4. compute: one loop, the running operation a functor ----

struct SumOp {
  static constexpr const char* name = "CumSum";
  static constexpr int identity = 0;
  using Combine = std::plus<>;
};
struct ProdOp {
  static constexpr const char* name = "CumProd";
  static constexpr int identity = 1;
  using Combine = std::multiplies<>;
};

template <class Op>
class CumulativeKernel final : public Kernel {
 public:
  explicit CumulativeKernel(const KernelInit& init)
      : attrs_(read_cumulative_attrs(init.node(), init.label(), init)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int axis = read_axis(ctx.input(1), x.rank(), ctx);
    Tensor& out = ctx.allocate_output(0, x.dtype(), x.shape());
    if (x.numel() == 0) return;
    const AxisView v(x.shape(), axis);
    dispatch<NumericTypes>(x.dtype(), Op::name, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using Acc = wide_t<T>;
      const T* px = x.data<T>();
      T* po = out.data<T>();
      std::vector<Acc> running(static_cast<size_t>(v.inner));
      for (int64_t o = 0; o < v.outer; ++o) {
        std::fill(running.begin(), running.end(), Acc(Op::identity));
        for (int64_t step = 0; step < v.n; ++step) {
          const int64_t j = attrs_.reverse ? v.n - 1 - step : step;
          const int64_t offset = (o * v.n + j) * v.inner;
          for (int64_t i = 0; i < v.inner; ++i) {
            if (attrs_.exclusive) po[offset + i] = to_output<T>(running[i], Op::name, ctx);
            running[i] = arith(running[i], widen(px[offset + i]), typename Op::Combine{});
            if (!attrs_.exclusive) po[offset + i] = to_output<T>(running[i], Op::name, ctx);
          }
        }
      }
    });
  }

 private:
  CumulativeAttrs attrs_;
};

}  // namespace

void register_cumulative(Registry& registry) {
  add_op_versions(registry, "CumSum", cumsum_versions(), make_kernel<CumulativeKernel<SumOp>>(),
                  infer_cumulative);
  add_op_versions(registry, "CumProd", cumprod_versions(), make_kernel<CumulativeKernel<ProdOp>>(),
                  infer_cumulative);
}

}  // namespace onyx
