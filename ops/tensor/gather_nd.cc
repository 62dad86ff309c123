// GatherND: `indices` (int64, rank q, last dim k) is a grid of k-tuples, each addressing
// a slice data[t0, ..., tk-1, :, ...]; the output stacks those slices in the grid's shape:
// indices.shape[:-1] + data.shape[b+k:]. With batch_dims b (opset 12), the first b dims
// of data and indices are batch dims that must match, and each tuple indexes within its
// own batch, from data's dim b on. Indices in [-s, s) are valid, negative ones counting
// from the back; others are an error. The inverse of ScatterND.
#include <algorithm>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "tensor/movement.h"
#include "tensor/tensor_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> gather_nd_versions() {
  const std::map<std::string, AttrType> batch = {{"batch_dims", AttrType::Int}};
  return {{11, 11, all_dtypes()},
          {12, 12, all_dtypes(), batch},  // batch_dims
          {13, kOpsetOpen, all_dtypes_13(), batch}};
}

// ---- 2. attributes ----

template <class Ctx>
int64_t read_batch_dims(const Attrs& attrs, int opset, Ctx& ctx) {
  int64_t b = opset >= 12 ? attrs.get_int("batch_dims", 0) : 0;
  if (b < 0) ctx.fail(cat("batch_dims must be >= 0, got ", b));
  return b;
}

// ---- 3. shape rule ----

// Checks ranks and the tuple length k; returns k. Dims may be symbolic (D = Dim).
template <class D, class Ctx>
size_t check_ranks(const std::vector<D>& data, const std::vector<D>& indices, int64_t k, int64_t b,
                   Ctx& ctx) {
  int64_t r = static_cast<int64_t>(data.size()), q = static_cast<int64_t>(indices.size());
  if (r < 1 || q < 1) ctx.fail(cat("data and indices need rank >= 1, got ", r, " and ", q));
  if (b >= std::min(q, r))
    ctx.fail(cat("batch_dims ", b, " must be less than both ranks (", r, " and ", q, ")"));
  if (k < 1 || k > r - b)
    ctx.fail(cat("the index tuples have length ", k, "; it must be in [1, ", r - b, "]"));
  return static_cast<size_t>(k);
}

void infer_gather_nd(InferContext& ctx) {
  int64_t b = read_batch_dims(Attrs(ctx.node(), ctx.label()), ctx.opset(), ctx);
  const TypeInfo& data = ctx.input(0);
  const TypeInfo& indices = ctx.input(1);
  if (indices.elem != DType::Undefined && indices.elem != DType::Int64)
    ctx.fail(cat("indices must be int64, got ", dtype_name(indices.elem)));
  TypeInfo out = TypeInfo::tensor(data.elem);
  if (data.shape && indices.shape && !indices.shape->empty() && indices.shape->back().is_known()) {
    const std::vector<Dim>& in = *indices.shape;
    size_t k = check_ranks(*data.shape, in, in.back().value, b, ctx);
    std::vector<Dim> dims(in.begin(), in.end() - 1);
    dims.insert(dims.end(), data.shape->begin() + b + static_cast<int64_t>(k), data.shape->end());
    out.shape = dims;
  }
  ctx.set_output(0, out);
}

// ---- 4. compute ----

class GatherNDKernel final : public Kernel {
 public:
  explicit GatherNDKernel(const KernelInit& init)
      : batch_dims_(read_batch_dims(init.attrs(), init.opset(), init)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    if (indices.dtype() != DType::Int64)
      ctx.fail(cat("indices must be int64, got ", indices.describe()));
    const Shape& ds = data.shape();
    const Shape& is = indices.shape();
    int64_t k_raw = is.empty() ? 0 : is.back();
    size_t k = check_ranks(ds, is, k_raw, batch_dims_, ctx);
    size_t b = static_cast<size_t>(batch_dims_);
    if (!std::equal(ds.begin(), ds.begin() + b, is.begin()))
      ctx.fail(cat("the batch dims of data ", shape_to_string(ds), " and indices ",
                   shape_to_string(is), " differ"));
    Shape out_shape(is.begin(), is.end() - 1);
    out_shape.insert(out_shape.end(), ds.begin() + b + k, ds.end());
    Tensor& out = ctx.allocate_output(0, data.dtype(), out_shape);
    // Per batch: `tuples` index tuples, each picking one of `slices` slices of `slice` elements.
    int64_t batches = checked_numel(Shape(ds.begin(), ds.begin() + b));
    int64_t tuples = checked_numel(Shape(is.begin() + b, is.end() - 1));
    int64_t slices = checked_numel(Shape(ds.begin() + b, ds.begin() + b + k));
    int64_t slice = checked_numel(Shape(ds.begin() + b + k, ds.end()));
    const int64_t* idx = indices.data<int64_t>();
    dispatch_by_size(data.dtype(), "GatherND", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* src = static_cast<const T*>(data.raw());
      T* dst = static_cast<T*>(out.raw());
      for (int64_t batch = 0; batch < batches; ++batch) {
        for (int64_t t = 0; t < tuples; ++t, idx += k) {
          int64_t at = batch * slices + tuple_position(idx, k, ds, b, ctx);
          dst = std::copy_n(src + at * slice, slice, dst);
        }
      }
    });
  }

 private:
  int64_t batch_dims_;
};

}  // namespace

void register_gather_nd(Registry& registry) {
  add_op_versions(registry, "GatherND", gather_nd_versions(), make_kernel<GatherNDKernel>(),
                  infer_gather_nd);
}

}  // namespace onyx
