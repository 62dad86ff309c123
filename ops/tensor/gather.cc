// Gather: picks entries of `data` along `axis` by `indices` (int32 or int64, any rank).
// The output shape is data.shape[:axis] + indices.shape + data.shape[axis+1:]. Indices
// in [-n, n) are valid, negative ones counting from the back; others are an error.
#include <algorithm>
#include <cstring>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "tensor/tensor_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> gather_versions() {
  const std::map<std::string, AttrType> axis = {{"axis", AttrType::Int}};
  return {{1, 10, all_dtypes(), axis},
          {11, 12, all_dtypes(), axis},  // negative indices documented
          {13, kOpsetOpen, all_dtypes_13(), axis}};
}

// ---- 2. attributes: axis (checked against the data's rank when known) ----

// ---- 3. shape rule ----

// The indices as int64, each checked against [-n, n) and made non-negative.
template <class Ctx>
std::vector<int64_t> read_indices(const Tensor& indices, int64_t n, Ctx& ctx) {
  std::vector<int64_t> out(static_cast<size_t>(indices.numel()));
  if (indices.dtype() == DType::Int64) {
    std::copy_n(indices.data<int64_t>(), out.size(), out.begin());
  } else if (indices.dtype() == DType::Int32) {
    std::copy_n(indices.data<int32_t>(), out.size(), out.begin());
  } else {
    ctx.fail(cat("indices must be int32 or int64, got ", indices.describe()));
  }
  for (int64_t& i : out) {
    if (i < -n || i >= n)
      ctx.fail(cat("index ", i, " is out of range [", -n, ", ", n, ") for an axis of size ", n));
    if (i < 0) i += n;
  }
  return out;
}

// data.shape[:axis] + indices.shape + data.shape[axis+1:], over concrete or symbolic dims.
template <class D>
std::vector<D> gather_dims(const std::vector<D>& data, const std::vector<D>& indices, size_t axis) {
  std::vector<D> out(data.begin(), data.begin() + axis);
  out.insert(out.end(), indices.begin(), indices.end());
  out.insert(out.end(), data.begin() + axis + 1, data.end());
  return out;
}

void gather_into(const Tensor& data, const std::vector<int64_t>& indices, size_t axis, Tensor& out);
void gather_bytes(const char* data, DType dtype, const Shape& shape,
                  const std::vector<int64_t>& indices, size_t axis, Tensor& out);

void infer_gather(InferContext& ctx) {
  int64_t axis_attr = Attrs(ctx.node(), ctx.label()).get_int("axis", 0);
  const TypeInfo& data = ctx.input(0);
  const TypeInfo& indices = ctx.input(1);
  if (indices.elem != DType::Undefined && indices.elem != DType::Int32 &&
      indices.elem != DType::Int64)
    ctx.fail(cat("indices must be int32 or int64, got ", dtype_name(indices.elem)));
  TypeInfo out = TypeInfo::tensor(data.elem);
  if (!data.shape) return ctx.set_output(0, out);
  int rank = static_cast<int>(data.shape->size());
  if (axis_attr < -rank || axis_attr >= rank)
    ctx.fail(cat("axis ", axis_attr, " is out of range for rank ", rank));
  size_t axis = static_cast<size_t>(axis_attr < 0 ? axis_attr + rank : axis_attr);
  if (indices.shape) out.shape = gather_dims(*data.shape, *indices.shape, axis);
  const Tensor* ci = ctx.constant(1);
  const Dim& n = (*data.shape)[axis];
  if (!ci || !n.is_known()) return ctx.set_output(0, out);
  std::vector<int64_t> picked = read_indices(*ci, n.value, ctx);  // checked at load time
  const Tensor* cd = ctx.constant(0);
  if (!cd) return ctx.set_output(0, out);
  Shape shape = gather_dims(cd->shape(), ci->shape(), axis);
  if (checked_numel(shape) > kMaxFoldElements) return ctx.set_output(0, out);
  Tensor folded(cd->dtype(), shape);
  gather_into(*cd, picked, axis, folded);
  ctx.set_output_constant(0, std::move(folded));
}

// ---- 4. compute ----

void gather_into(const Tensor& data, const std::vector<int64_t>& indices, size_t axis,
                 Tensor& out) {
  const Shape& shape = data.shape();
  int64_t outer = checked_numel(Shape(shape.begin(), shape.begin() + axis));
  int64_t inner = checked_numel(Shape(shape.begin() + axis + 1, shape.end()));
  int64_t n = shape[axis];
  dispatch_by_size(data.dtype(), "Gather", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* src = static_cast<const T*>(data.raw());
    T* dst = static_cast<T*>(out.raw());
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i : indices) dst = std::copy_n(src + (o * n + i) * inner, inner, dst);
  });
}

// The same over raw bytes of any alignment (a table in the model file), a row at a time.
void gather_bytes(const char* data, DType dtype, const Shape& shape,
                  const std::vector<int64_t>& indices, size_t axis, Tensor& out) {
  const int64_t outer = checked_numel(Shape(shape.begin(), shape.begin() + axis));
  const int64_t inner = checked_numel(Shape(shape.begin() + axis + 1, shape.end()));
  const int64_t n = shape[axis];
  const size_t row = dtype_storage_bytes(dtype, inner);
  char* dst = static_cast<char*>(out.raw());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i : indices) {
      std::memcpy(dst, data + static_cast<size_t>(o * n + i) * row, row);
      dst += row;
    }
}

class GatherKernel final : public Kernel {
 public:
  explicit GatherKernel(const KernelInit& init) : axis_(init.attrs().get_int("axis", 0)) {
    const TypeInfo& data = init.input_type(0);
    if (data.shape) normalize_axis_or_fail(static_cast<int>(data.shape->size()), init);
    // A constant table copied out of the model file (an embedding): its rows are read
    // from the file in place, so that only the rows gathered are ever resident. Whole
    // bytes per element only: rows of packed 4-bit types need not start on a byte.
    const FileBytes* bytes = init.reference() ? nullptr : init.constant_file_bytes(0);
    if (bytes && dtype_info(init.constant_input(0)->dtype()).bits % 8 == 0) {
      const Tensor& table = *init.constant_input(0);
      table_ = *bytes;
      table_dtype_ = table.dtype();
      table_shape_ = table.shape();
      init.drop_constant_input(0);
    }
  }

  void run(KernelContext& ctx) const override {
    const Tensor& indices = ctx.input(1);
    if (table_.data) {
      const size_t axis = normalize_axis_or_fail(static_cast<int>(table_shape_.size()), ctx);
      std::vector<int64_t> picked = read_indices(indices, table_shape_[axis], ctx);
      Tensor& out = ctx.allocate_uninitialized_output(
          0, table_dtype_, gather_dims(table_shape_, indices.shape(), axis));
      gather_bytes(table_.data, table_dtype_, table_shape_, picked, axis, out);
      return;
    }
    const Tensor& data = ctx.input(0);
    size_t axis = normalize_axis_or_fail(data.rank(), ctx);
    std::vector<int64_t> picked = read_indices(indices, data.shape()[axis], ctx);
    Tensor& out =
        ctx.allocate_output(0, data.dtype(), gather_dims(data.shape(), indices.shape(), axis));
    gather_into(data, picked, axis, out);
  }

 private:
  template <class Ctx>
  size_t normalize_axis_or_fail(int rank, Ctx& ctx) const {
    if (axis_ < -rank || axis_ >= rank)
      ctx.fail(cat("axis ", axis_, " is out of range for rank ", rank));
    return static_cast<size_t>(axis_ < 0 ? axis_ + rank : axis_);
  }

  int64_t axis_;
  FileBytes table_;  // set when the data is read from the model file (see above)
  DType table_dtype_ = DType::Undefined;
  Shape table_shape_;
};

}  // namespace

void register_gather(Registry& registry) {
  add_op_versions(registry, "Gather", gather_versions(), make_kernel<GatherKernel>(), infer_gather);
}

}  // namespace onyx
