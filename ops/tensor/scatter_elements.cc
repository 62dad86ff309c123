// ScatterElements (and Scatter, its deprecated opset 9-10 name, kept at 11 as an alias):
// a copy of `data` where, for each position p of `indices`, the element at p with the
// axis coordinate replaced by indices[p] receives updates[p]. indices and updates share
// one shape, of data's rank and, off the axis, no larger. Indices in [-n, n) are valid
// (negative ones from opset 11); others are an error.
//
// `reduction` (opset 16: none, add, mul; 18: max, min) combines an update with the value
// already there instead of overwriting it. Updates apply in row-major order of indices,
// so with 'none' a repeated target keeps the last update.
#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "tensor/movement.h"
#include "tensor/tensor_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> scatter_versions() {
  const std::map<std::string, AttrType> axis = {{"axis", AttrType::Int}};
  return {{9, 10, all_dtypes(), axis},
          {11, kOpsetOpen, all_dtypes(), axis}};  // deprecated: ScatterElements
}

std::vector<OpVersion> scatter_elements_versions() {
  const std::map<std::string, AttrType> axis = {{"axis", AttrType::Int}};
  const std::map<std::string, AttrType> reduce = {{"axis", AttrType::Int},
                                                  {"reduction", AttrType::String}};
  return {{11, 12, all_dtypes(), axis},
          {13, 15, all_dtypes_13(), axis},
          {16, 17, all_dtypes_13(), reduce},           // reduction none, add, mul
          {18, kOpsetOpen, all_dtypes_13(), reduce}};  // and max, min
}

// ---- 2. attributes ----

struct ScatterParams {
  int64_t axis = 0;
  Reduction reduction = Reduction::None;
  bool negative_indices = true;  // from opset 11

  template <class Ctx>
  static ScatterParams read(const Node& node, const Attrs& attrs, int opset, Ctx& ctx) {
    ScatterParams p;
    p.axis = attrs.get_int("axis", 0);
    if (node.op_type == "ScatterElements") p.reduction = read_reduction(attrs, opset, ctx);
    p.negative_indices = opset >= 11;
    return p;
  }
};

// ---- 3. shape rule: the output is typed and shaped like data ----

void infer_scatter_elements(InferContext& ctx) {
  ScatterParams p =
      ScatterParams::read(ctx.node(), Attrs(ctx.node(), ctx.label()), ctx.opset(), ctx);
  const TypeInfo& data = ctx.input(0);
  const TypeInfo& indices = ctx.input(1);
  if (indices.elem != DType::Undefined && indices.elem != DType::Int32 &&
      indices.elem != DType::Int64)
    ctx.fail(cat("indices must be int32 or int64, got ", dtype_name(indices.elem)));
  if (ctx.input(2).elem != DType::Undefined && ctx.input(2).elem != data.elem)
    ctx.fail(cat("updates (", dtype_name(ctx.input(2).elem), ") must have data's dtype (",
                 dtype_name(data.elem), ")"));
  check_reduction_dtype(p.reduction, data.elem, ctx);
  if (data.shape) checked_axis(p.axis, data.shape->size(), true, ctx);
  ctx.set_output(0, TypeInfo::tensor(data.elem, data.shape));
}

// ---- 4. compute ----

class ScatterElementsKernel final : public Kernel {
 public:
  explicit ScatterElementsKernel(const KernelInit& init)
      : p_(ScatterParams::read(init.node(), init.attrs(), init.opset(), init)) {
    check_reduction_dtype(p_.reduction, init.input_dtype(0), init);
    const TypeInfo& data = init.input_type(0);
    if (data.shape) checked_axis(p_.axis, data.shape->size(), true, init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const Tensor& updates = ctx.input(2);
    size_t axis = checked_axis(p_.axis, data.shape().size(), true, ctx);
    check_reduction_dtype(p_.reduction, data.dtype(), ctx);
    const Shape& shape = indices.shape();
    bool fits = updates.shape() == shape && updates.dtype() == data.dtype() &&
                shape.size() == data.shape().size();
    for (size_t d = 0; fits && d < shape.size(); ++d)
      fits = d == axis || shape[d] <= data.shape()[d];
    if (!fits)
      ctx.fail(cat("indices ", indices.describe(), " and updates ", updates.describe(),
                   " must share one shape that fits data ", data.describe(), " along axis ", axis));
    std::vector<int64_t> picked = index_values(indices, "indices", ctx);
    Tensor out = data.clone();
    std::vector<int64_t> strides = strides_of(data.shape());
    int64_t n = data.shape()[axis];
    size_t rank = shape.size();
    dispatch<AllTypes>(data.dtype(), "ScatterElements", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* src = updates.data<T>();
      T* dst = out.data<T>();
      std::vector<int64_t> index(rank, 0);
      int64_t base = 0;  // data offset of the current position, axis coordinate left out
      for (int64_t k = 0; k < updates.numel(); ++k) {
        int64_t raw = picked[static_cast<size_t>(k)];
        if (raw < 0 && !p_.negative_indices)
          ctx.fail(cat("negative index ", raw, " needs opset 11 or later"));
        int64_t i = checked_index(raw, n, ctx);
        reduce_into(dst[base + i * strides[axis]], src[k], p_.reduction);
        for (size_t d = rank; d-- > 0;) {
          if (d != axis) base += strides[d];
          if (++index[d] < shape[d]) break;
          if (d != axis) base -= strides[d] * shape[d];
          index[d] = 0;
        }
      }
    });
    ctx.set_output(0, std::move(out));
  }

 private:
  ScatterParams p_;
};

}  // namespace

void register_scatter_elements(Registry& registry) {
  add_op_versions(registry, "Scatter", scatter_versions(), make_kernel<ScatterElementsKernel>(),
                  infer_scatter_elements);
  add_op_versions(registry, "ScatterElements", scatter_elements_versions(),
                  make_kernel<ScatterElementsKernel>(), infer_scatter_elements);
}

}  // namespace onyx
