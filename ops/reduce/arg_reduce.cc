// ArgMax, ArgMin: the index (int64) of the largest / smallest element along `axis`.
// Among equal extremes the first index wins, or the last with select_last_index=1
// (opset 12+). NaN counts as the extreme for both ops (numpy's rule), so the first (or
// last) NaN wins. keepdims=1 keeps the axis as size 1, keepdims=0 drops it. An empty
// axis has no extreme: an error, unless the output is empty as well.
#include "reduce/reduce.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> arg_versions() {
  const std::vector<DType> v1 = numeric_dtypes_no_bf16();
  std::map<std::string, AttrType> attrs = {{"axis", AttrType::Int}, {"keepdims", AttrType::Int}};
  std::map<std::string, AttrType> attrs12 = attrs;
  attrs12["select_last_index"] = AttrType::Int;
  return {{1, 10, v1, attrs},
          {11, 11, v1, attrs},  // negative axes
          {12, 12, v1, attrs12},
          {13, kOpsetOpen, with_dtypes(v1, {DType::BFloat16}), attrs12}};
}

// ---- 2. attributes ----

struct ArgAttrs {
  bool is_max = true;
  int64_t axis = 0;
  bool keepdims = true;
  bool last = false;  // select_last_index
};

template <class Ctx>
ArgAttrs read_arg_attrs(const Node& node, int opset, const std::string& label, Ctx& ctx) {
  Attrs attrs(node, label);
  ArgAttrs a;
  a.is_max = node.op_type == "ArgMax";
  a.axis = attrs.get_int("axis", 0);
  a.keepdims = read_flag(attrs, "keepdims", 1, ctx);
  if (opset < 12 && attrs.has("select_last_index"))
    ctx.fail("attribute 'select_last_index' needs opset 12 or later");
  a.last = read_flag(attrs, "select_last_index", 0, ctx);
  return a;
}

template <class Ctx>
int checked_axis(int64_t axis, int rank, Ctx& ctx) {
  if (axis < -rank || axis >= rank)
    ctx.fail(cat("axis ", axis, " is out of range for rank ", rank));
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

// ---- 3. shape rule ----

void infer_arg_reduce(InferContext& ctx) {
  const ArgAttrs a = read_arg_attrs(ctx.node(), ctx.opset(), ctx.label(), ctx);
  const TypeInfo& x = ctx.input(0);
  TypeInfo out = TypeInfo::tensor(DType::Int64);
  if (x.shape) {
    const int axis = checked_axis(a.axis, static_cast<int>(x.shape->size()), ctx);
    out.shape =
        replace_dim(*x.shape, axis, a.keepdims ? std::optional(Dim::known(1)) : std::nullopt);
  }
  ctx.set_output(0, out);
}

// ---- 4. compute ----

class ArgReduceKernel final : public Kernel {
 public:
  explicit ArgReduceKernel(const KernelInit& init)
      : attrs_(read_arg_attrs(init.node(), init.opset(), init.label(), init)),
        op_(init.node().op_type) {
    const TypeInfo& x = init.input_type(0);
    if (x.shape) checked_axis(attrs_.axis, static_cast<int>(x.shape->size()), init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int axis = checked_axis(attrs_.axis, x.rank(), ctx);
    Tensor& out = ctx.allocate_output(
        0, DType::Int64,
        replace_dim(x.shape(), axis, attrs_.keepdims ? std::optional<int64_t>(1) : std::nullopt));
    if (out.numel() == 0) return;
    const AxisView v(x.shape(), axis);
    if (v.n == 0) ctx.fail(cat(op_, " over an empty axis (", x.describe(), ", axis ", axis, ")"));
    dispatch<NumericTypes>(x.dtype(), op_.c_str(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      using C = compute_t<T>;
      const bool is_max = attrs_.is_max, last = attrs_.last;
      // Whether value v displaces the current best b.
      auto beats = [&](C v, C b) {
        if (is_nan(b)) return last && is_nan(v);
        if (is_nan(v)) return true;
        if (is_max) return last ? v >= b : v > b;
        return last ? v <= b : v < b;
      };
      const T* px = x.data<T>();
      int64_t* po = out.data<int64_t>();  // zero-filled: index 0 to start
      std::vector<C> best(static_cast<size_t>(v.inner));
      for (int64_t o = 0; o < v.outer; ++o) {
        const T* slab = px + o * v.n * v.inner;
        int64_t* index = po + o * v.inner;
        for (int64_t i = 0; i < v.inner; ++i) best[i] = static_cast<C>(slab[i]);
        for (int64_t j = 1; j < v.n; ++j) {  // walk rows in memory order
          const T* row = slab + j * v.inner;
          for (int64_t i = 0; i < v.inner; ++i) {
            const C value = static_cast<C>(row[i]);
            if (beats(value, best[i])) {
              best[i] = value;
              index[i] = j;
            }
          }
        }
      }
    });
  }

 private:
  ArgAttrs attrs_;
  std::string op_;
};

}  // namespace

void register_arg_reduce(Registry& registry) {
  for (const char* op : {"ArgMax", "ArgMin"})
    add_op_versions(registry, op, arg_versions(), make_kernel<ArgReduceKernel>(), infer_arg_reduce);
}

}  // namespace onyx
