// TopK: the k largest (or, with largest=0, smallest) elements along `axis` (default -1)
// and their int64 indices. k is an attribute in opset 1 and a one-element int64 input
// from opset 10; opset 11 adds `largest`, `sorted` and negative axes. Equal values come
// out lower index first; NaN ranks above every number (first for largest, last for
// smallest). Results are always sorted, which sorted=0 (any order) allows too. A k
// outside [0, dim] is an error.
#include <algorithm>
#include <numeric>

#include "reduce/reduce.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> topk_versions() {
  const std::vector<DType> floats = {DType::Float16, DType::Float, DType::Double};
  const std::map<std::string, AttrType> v11 = {
      {"axis", AttrType::Int}, {"largest", AttrType::Int}, {"sorted", AttrType::Int}};
  return {{1, 9, floats, {{"axis", AttrType::Int}, {"k", AttrType::Int}}},
          {10, 10, floats, {{"axis", AttrType::Int}}},
          {11, 23, numeric_dtypes_no_bf16(), v11},
          {24, kOpsetOpen, numeric_dtypes(), v11}};  // 24 adds bfloat16
}

// ---- 2. attributes ----

struct TopKAttrs {
  int64_t axis = -1;
  std::optional<int64_t> k;  // the attribute (opset 1); later k is input 1
  bool largest = true;
};

template <class Ctx>
TopKAttrs read_topk_attrs(const Node& node, int opset, const std::string& label, Ctx& ctx) {
  Attrs attrs(node, label);
  TopKAttrs a;
  a.axis = attrs.get_int("axis", -1);
  if (opset < 10) {
    a.k = attrs.required_int("k");
  } else if (attrs.has("k")) {
    ctx.fail("attribute 'k' was replaced by input 'K' in opset 10");
  }
  if (opset < 11 && (attrs.has("largest") || attrs.has("sorted")))
    ctx.fail("attributes 'largest' and 'sorted' need opset 11 or later");
  a.largest = read_flag(attrs, "largest", 1, ctx);
  read_flag(attrs, "sorted", 1, ctx);  // validated; the output is sorted either way
  return a;
}

template <class Ctx>
int checked_axis(int64_t axis, int rank, Ctx& ctx) {
  if (axis < -rank || axis >= rank)
    ctx.fail(cat("axis ", axis, " is out of range for rank ", rank));
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

template <class Ctx>
int64_t read_k(const Tensor& t, Ctx& ctx) {
  const std::vector<int64_t> v = tensor_to_ints(t, "K", ctx);
  if (v.size() != 1) ctx.fail(cat("K must hold one value, got ", t.describe()));
  return v[0];
}

template <class Ctx>
void check_k(int64_t k, int64_t n, Ctx& ctx) {
  if (k < 0 || k > n) ctx.fail(cat("k = ", k, " is out of range [0, ", n, "] for the axis"));
}

// ---- 3. shape rule ----

void infer_topk(InferContext& ctx) {
  TopKAttrs a = read_topk_attrs(ctx.node(), ctx.opset(), ctx.label(), ctx);
  const TypeInfo& x = ctx.input(0);
  if (!a.k && ctx.constant(1)) a.k = read_k(*ctx.constant(1), ctx);
  TypeInfo values = TypeInfo::tensor(x.elem);
  if (x.shape) {
    const int axis = checked_axis(a.axis, static_cast<int>(x.shape->size()), ctx);
    const Dim& n = (*x.shape)[axis];
    if (a.k && n.is_known()) check_k(*a.k, n.value, ctx);
    values.shape = replace_dim(*x.shape, axis, std::optional(a.k ? Dim::known(*a.k) : Dim{}));
  }
  ctx.set_output(0, values);
  if (ctx.num_outputs() > 1) ctx.set_output(1, TypeInfo::tensor(DType::Int64, values.shape));
}

// ---- 4. compute ----

class TopKKernel final : public Kernel {
 public:
  explicit TopKKernel(const KernelInit& init)
      : attrs_(read_topk_attrs(init.node(), init.opset(), init.label(), init)) {
    const TypeInfo& x = init.input_type(0);
    if (x.shape) checked_axis(attrs_.axis, static_cast<int>(x.shape->size()), init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int axis = checked_axis(attrs_.axis, x.rank(), ctx);
    const int64_t k = attrs_.k ? *attrs_.k : read_k(ctx.input(1), ctx);
    const AxisView v(x.shape(), axis);
    check_k(k, v.n, ctx);
    const Shape shape = replace_dim(x.shape(), axis, std::optional<int64_t>(k));
    Tensor values(x.dtype(), shape);
    Tensor indices(DType::Int64, shape);
    if (values.numel() > 0) {
      dispatch<NumericTypes>(x.dtype(), "TopK", [&](auto tag) {
        using T = typename decltype(tag)::type;
        select<T>(x.data<T>(), v, k, values.data<T>(), indices.data<int64_t>());
      });
    }
    ctx.set_output(0, std::move(values));
    if (ctx.has_output(1)) ctx.set_output(1, std::move(indices));
  }

 private:
  // For each (outer, inner) line along the axis: rank the positions and keep the top k.
  template <class T>
  void select(const T* px, const AxisView& v, int64_t k, T* values, int64_t* indices) const {
    using C = compute_t<T>;
    const bool largest = attrs_.largest;
    std::vector<C> line(static_cast<size_t>(v.n));
    std::vector<int64_t> order(static_cast<size_t>(v.n));
    // Whether position a ranks before position b.
    auto before = [&](int64_t a, int64_t b) {
      const C va = line[a], vb = line[b];
      const bool na = is_nan(va), nb = is_nan(vb);
      if (na || nb) return na == nb ? a < b : (largest ? na : nb);
      if (va != vb) return largest ? va > vb : va < vb;
      return a < b;
    };
    for (int64_t o = 0; o < v.outer; ++o) {
      for (int64_t i = 0; i < v.inner; ++i) {
        const T* in = px + o * v.n * v.inner + i;
        for (int64_t j = 0; j < v.n; ++j) line[j] = static_cast<C>(in[j * v.inner]);
        std::iota(order.begin(), order.end(), int64_t{0});
        std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
        const int64_t base = o * k * v.inner + i;
        for (int64_t r = 0; r < k; ++r) {
          indices[base + r * v.inner] = order[r];
          values[base + r * v.inner] = in[order[r] * v.inner];
        }
      }
    }
  }

  TopKAttrs attrs_;
};

}  // namespace

void register_topk(Registry& registry) {
  add_op_versions(registry, "TopK", topk_versions(), make_kernel<TopKKernel>(), infer_topk);
}

}  // namespace onyx
