// GatherElements: out[i][j][k] = data[index[i][j][k]][j][k] for axis 0 (and likewise for
// other axes): the output has the shape of `indices`, which has data's rank and, off the
// axis, dims no larger than data's. Indices in [-n, n) are valid, negative ones counting
// from the back of the axis; others are an error. The inverse of ScatterElements.
#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "tensor/movement.h"
#include "tensor/tensor_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> gather_elements_versions() {
  const std::map<std::string, AttrType> axis = {{"axis", AttrType::Int}};
  return {{11, 12, all_dtypes(), axis}, {13, kOpsetOpen, all_dtypes_13(), axis}};
}

// ---- 2. attributes: axis, checked against the rank when known ----

// ---- 3. shape rule ----

void infer_gather_elements(InferContext& ctx) {
  const TypeInfo& data = ctx.input(0);
  const TypeInfo& indices = ctx.input(1);
  if (indices.elem != DType::Undefined && indices.elem != DType::Int32 &&
      indices.elem != DType::Int64)
    ctx.fail(cat("indices must be int32 or int64, got ", dtype_name(indices.elem)));
  if (data.shape && indices.shape && data.shape->size() != indices.shape->size())
    ctx.fail(cat("data has rank ", data.shape->size(), " but indices have rank ",
                 indices.shape->size()));
  if (data.shape) {
    int64_t axis = Attrs(ctx.node(), ctx.label()).get_int("axis", 0);
    checked_axis(axis, data.shape->size(), true, ctx);
  }
  ctx.set_output(0, TypeInfo::tensor(data.elem, indices.shape));
}

// ---- 4. compute ----

// Checks that `indices` fits `data` (same rank; off the axis, dims no larger).
template <class Ctx>
void check_fits(const Shape& data, const Shape& indices, size_t axis, Ctx& ctx) {
  bool fits = data.size() == indices.size();
  for (size_t d = 0; fits && d < data.size(); ++d) fits = d == axis || indices[d] <= data[d];
  if (!fits)
    ctx.fail(cat("indices of shape ", shape_to_string(indices), " do not fit data of shape ",
                 shape_to_string(data), " along axis ", axis));
}

class GatherElementsKernel final : public Kernel {
 public:
  explicit GatherElementsKernel(const KernelInit& init) : axis_(init.attrs().get_int("axis", 0)) {
    const TypeInfo& data = init.input_type(0);
    if (data.shape) checked_axis(axis_, data.shape->size(), true, init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    size_t axis = checked_axis(axis_, data.shape().size(), true, ctx);
    check_fits(data.shape(), indices.shape(), axis, ctx);
    std::vector<int64_t> picked = index_values(indices, "indices", ctx);
    Tensor& out = ctx.allocate_output(0, data.dtype(), indices.shape());
    if (out.numel() == 0) return;
    // Odometer over the indices' positions, tracking the data offset with the axis
    // coordinate left out; each index then adds its own axis offset.
    const Shape& shape = indices.shape();
    std::vector<int64_t> strides = strides_of(data.shape());
    int64_t n = data.shape()[axis];
    size_t rank = shape.size();
    dispatch_by_size(data.dtype(), "GatherElements", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* src = static_cast<const T*>(data.raw());
      T* dst = static_cast<T*>(out.raw());
      std::vector<int64_t> index(rank, 0);
      int64_t base = 0;
      for (int64_t k = 0; k < out.numel(); ++k) {
        int64_t i = checked_index(picked[static_cast<size_t>(k)], n, ctx);
        dst[k] = src[base + i * strides[axis]];
        for (size_t d = rank; d-- > 0;) {
          if (d != axis) base += strides[d];
          if (++index[d] < shape[d]) break;
          if (d != axis) base -= strides[d] * shape[d];
          index[d] = 0;
        }
      }
    });
  }

 private:
  int64_t axis_;
};

}  // namespace

void register_gather_elements(Registry& registry) {
  add_op_versions(registry, "GatherElements", gather_elements_versions(),
                  make_kernel<GatherElementsKernel>(), infer_gather_elements);
}

}  // namespace onyx
