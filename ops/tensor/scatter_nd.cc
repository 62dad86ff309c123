// ScatterND: a copy of `data` where each k-tuple of `indices` (int64, last dim k <= rank)
// addresses a slice data[t0, ..., tk-1, :, ...] that receives the matching slice of
// `updates`, whose shape is indices.shape[:-1] + data.shape[k:]. Indices in [-s, s) are
// valid, negative ones counting from the back; others are an error.
//
// `reduction` (opset 16: none, add, mul; 18: max, min) combines the update with the
// values already there. Tuples apply in row-major order, so with 'none' a repeated tuple
// keeps its last update. The inverse of GatherND.
#include <algorithm>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "tensor/movement.h"
#include "tensor/tensor_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> scatter_nd_versions() {
  const std::map<std::string, AttrType> reduce = {{"reduction", AttrType::String}};
  return {{11, 12, all_dtypes()},
          {13, 15, all_dtypes_13()},
          {16, 17, all_dtypes_13(), reduce},           // reduction none, add, mul
          {18, kOpsetOpen, all_dtypes_13(), reduce}};  // and max, min
}

// ---- 2. attributes: reduction ----

// ---- 3. shape rule: the output is typed and shaped like data ----

void infer_scatter_nd(InferContext& ctx) {
  Reduction r = read_reduction(Attrs(ctx.node(), ctx.label()), ctx.opset(), ctx);
  const TypeInfo& data = ctx.input(0);
  if (ctx.input(1).elem != DType::Undefined && ctx.input(1).elem != DType::Int64)
    ctx.fail(cat("indices must be int64, got ", dtype_name(ctx.input(1).elem)));
  if (ctx.input(2).elem != DType::Undefined && ctx.input(2).elem != data.elem)
    ctx.fail(cat("updates (", dtype_name(ctx.input(2).elem), ") must have data's dtype (",
                 dtype_name(data.elem), ")"));
  check_reduction_dtype(r, data.elem, ctx);
  ctx.set_output(0, TypeInfo::tensor(data.elem, data.shape));
}

// ---- 4. compute ----

class ScatterNDKernel final : public Kernel {
 public:
  explicit ScatterNDKernel(const KernelInit& init)
      : reduction_(read_reduction(init.attrs(), init.opset(), init)) {
    check_reduction_dtype(reduction_, init.input_dtype(0), init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const Tensor& updates = ctx.input(2);
    check_reduction_dtype(reduction_, data.dtype(), ctx);
    if (indices.dtype() != DType::Int64)
      ctx.fail(cat("indices must be int64, got ", indices.describe()));
    const Shape& ds = data.shape();
    const Shape& is = indices.shape();
    if (ds.empty() || is.empty())
      ctx.fail(cat("data and indices need rank >= 1, got ", data.describe(), " and ",
                   indices.describe()));
    int64_t k_raw = is.back();
    if (k_raw < 1 || k_raw > static_cast<int64_t>(ds.size()))
      ctx.fail(cat("the index tuples have length ", k_raw, "; it must be in [1, ", ds.size(), "]"));
    size_t k = static_cast<size_t>(k_raw);
    Shape want(is.begin(), is.end() - 1);
    want.insert(want.end(), ds.begin() + k, ds.end());
    if (updates.shape() != want || updates.dtype() != data.dtype())
      ctx.fail(cat("updates must be ", dtype_name(data.dtype()), shape_to_string(want), ", got ",
                   updates.describe()));
    int64_t tuples = checked_numel(Shape(is.begin(), is.end() - 1));
    int64_t slice = checked_numel(Shape(ds.begin() + k, ds.end()));
    Tensor out = data.clone();
    const int64_t* idx = indices.data<int64_t>();
    dispatch<AllTypes>(data.dtype(), "ScatterND", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* src = updates.data<T>();
      T* dst = out.data<T>();
      for (int64_t t = 0; t < tuples; ++t, idx += k, src += slice) {
        T* target = dst + tuple_position(idx, k, ds, 0, ctx) * slice;
        for (int64_t i = 0; i < slice; ++i) reduce_into(target[i], src[i], reduction_);
      }
    });
    ctx.set_output(0, std::move(out));
  }

 private:
  Reduction reduction_;
};

}  // namespace

void register_scatter_nd(Registry& registry) {
  add_op_versions(registry, "ScatterND", scatter_nd_versions(), make_kernel<ScatterNDKernel>(),
                  infer_scatter_nd);
}

}  // namespace onyx
