// Slice: the sub-tensor picked by per-axis start, end (exclusive) and step, like numpy's
// x[start:end:step]. Opset 1 takes starts/ends/axes as attributes (step 1); from opset 10
// they are inputs 1-4 (int32 or int64), with optional axes and steps. Negative axes count
// from the back from opset 11.
//
// For an axis of size n: a negative start or end has n added; then, stepping forward,
// start and end are clamped to [0, n]; stepping backward, start to [0, n-1] and end to
// [-1, n-1]. The axis keeps ceil((end - start) / step) elements, or none.
#include <algorithm>
#include <climits>
#include <optional>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "tensor/movement.h"
#include "tensor/tensor_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> slice_versions() {
  return {{1,
           9,
           all_dtypes(),
           {{"starts", AttrType::Ints}, {"ends", AttrType::Ints}, {"axes", AttrType::Ints}}},
          {10, 10, all_dtypes()},  // starts, ends, axes, steps become inputs
          {11, 12, all_dtypes()},  // negative axes
          {13, kOpsetOpen, all_dtypes_13()}};
}

// ---- 2. attributes (opset 1) and the parameter inputs ----

// The slice as given: starts, ends, and optionally axes and steps (each per listed axis).
struct SliceArgs {
  std::vector<int64_t> starts, ends;
  std::optional<std::vector<int64_t>> axes, steps;
};

template <class Ctx>
SliceArgs attr_args(const Attrs& attrs, Ctx& ctx) {
  if (!attrs.has("starts") || !attrs.has("ends"))
    ctx.fail("attributes 'starts' and 'ends' are required before opset 10");
  SliceArgs a{attrs.get_ints("starts"), attrs.get_ints("ends"), std::nullopt, std::nullopt};
  if (attrs.has("axes")) a.axes = attrs.get_ints("axes");
  return a;
}

// Per-dim effective start, step and output length.
struct DimSlice {
  int64_t start = 0;
  int64_t step = 1;
  int64_t count = 0;
};

// The effective slice of one axis of size n, clamped as the spec says.
DimSlice slice_dim(int64_t start, int64_t end, int64_t step, int64_t n) {
  if (n == 0) return {0, step, 0};
  if (start < 0) start += n;
  if (end < 0) end += n;
  uint64_t magnitude;  // |step| without overflowing on INT64_MIN
  int64_t distance;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, n);
    end = std::clamp<int64_t>(end, 0, n);
    magnitude = static_cast<uint64_t>(step);
    distance = end - start;
  } else {
    start = std::clamp<int64_t>(start, 0, n - 1);
    end = std::clamp<int64_t>(end, -1, n - 1);
    magnitude = static_cast<uint64_t>(-(step + 1)) + 1;
    distance = start - end;
  }
  if (distance <= 0) return {start, step, 0};
  auto count = static_cast<int64_t>((static_cast<uint64_t>(distance) - 1) / magnitude + 1);
  return {start, step, count};
}

// Checks the arguments against a rank and returns, per listed axis, its dim index.
template <class Ctx>
std::vector<size_t> listed_axes(const SliceArgs& a, size_t rank, int opset, Ctx& ctx) {
  size_t k = a.starts.size();
  if (a.ends.size() != k || (a.axes && a.axes->size() != k) || (a.steps && a.steps->size() != k))
    ctx.fail(cat("starts, ends, axes and steps differ in length (", k, ", ", a.ends.size(),
                 a.axes ? cat(", ", a.axes->size()) : "", a.steps ? cat(", ", a.steps->size()) : "",
                 ")"));
  std::vector<size_t> axes(k);
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < k; ++i) {
    axes[i] = a.axes ? checked_axis((*a.axes)[i], rank, opset >= 11, ctx)
                     : checked_axis(static_cast<int64_t>(i), rank, false, ctx);
    if (seen[axes[i]]) ctx.fail(cat("axis ", axes[i], " is listed twice"));
    seen[axes[i]] = true;
    if (a.steps && (*a.steps)[i] == 0) ctx.fail("steps cannot be 0");
  }
  return axes;
}

template <class Ctx>
std::vector<DimSlice> resolve(const SliceArgs& a, const Shape& shape, int opset, Ctx& ctx) {
  std::vector<DimSlice> dims(shape.size());
  for (size_t d = 0; d < shape.size(); ++d) dims[d] = {0, 1, shape[d]};
  std::vector<size_t> axes = listed_axes(a, shape.size(), opset, ctx);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t step = a.steps ? (*a.steps)[i] : 1;
    dims[axes[i]] = slice_dim(a.starts[i], a.ends[i], step, shape[axes[i]]);
  }
  return dims;
}

// ---- 3. shape rule ----

// Writes the slice of `in` into `out`, which has the slice's shape.
void slice_into(const Tensor& in, const std::vector<DimSlice>& dims, bool block_rows, Tensor& out);

Shape slice_shape(const std::vector<DimSlice>& dims) {
  Shape shape;
  for (const DimSlice& d : dims) shape.push_back(d.count);
  return shape;
}

void infer_slice(InferContext& ctx) {
  const TypeInfo& in = ctx.input(0);
  TypeInfo out = TypeInfo::tensor(in.elem, in.shape);
  std::optional<SliceArgs> args;
  if (ctx.opset() < 10) {
    args = attr_args(Attrs(ctx.node(), ctx.label()), ctx);
  } else if (ctx.constant(1) && ctx.constant(2) && (!ctx.has_input(3) || ctx.constant(3)) &&
             (!ctx.has_input(4) || ctx.constant(4))) {
    args = SliceArgs{index_values(*ctx.constant(1), "starts", ctx),
                     index_values(*ctx.constant(2), "ends", ctx), std::nullopt, std::nullopt};
    if (ctx.has_input(3)) args->axes = index_values(*ctx.constant(3), "axes", ctx);
    if (ctx.has_input(4)) args->steps = index_values(*ctx.constant(4), "steps", ctx);
  }
  if (!out.shape) return ctx.set_output(0, out);
  if (!args) {  // unknown arguments: the rank stays, the dims may all change
    out.shape = std::vector<Dim>(out.shape->size());
    return ctx.set_output(0, out);
  }
  std::vector<size_t> axes = listed_axes(*args, out.shape->size(), ctx.opset(), ctx);
  for (size_t i = 0; i < axes.size(); ++i) {
    Dim& d = (*out.shape)[axes[i]];
    int64_t step = args->steps ? (*args->steps)[i] : 1;
    if (d.is_known()) {
      d = Dim::known(slice_dim(args->starts[i], args->ends[i], step, d.value).count);
    } else if (!(args->starts[i] == 0 && args->ends[i] >= INT_MAX && step == 1)) {
      d = Dim{};  // a whole-axis slice [0:INT_MAX] keeps a symbolic dim
    }
  }
  const Tensor* c = ctx.constant(0);
  if (!c || c->numel() > kMaxFoldElements) return ctx.set_output(0, out);
  const std::vector<DimSlice> dims = resolve(*args, c->shape(), ctx.opset(), ctx);
  Tensor folded(c->dtype(), slice_shape(dims));
  slice_into(*c, dims, false, folded);
  ctx.set_output_constant(0, folded);
}

// ---- 4. compute ----

// Walks the output row by row (all dims but the last), tracking the input offset of each
// row's first element; a row then reads the input with the last dim's step. With
// `block_rows` (the fast path), a row whose step is 1 is one block copy.
void slice_into(const Tensor& in, const std::vector<DimSlice>& dims, bool block_rows, Tensor& out) {
  if (out.numel() == 0) return;
  std::vector<int64_t> strides = strides_of(in.shape());
  size_t rank = dims.size();
  int64_t base = 0;
  for (size_t d = 0; d < rank; ++d) base += dims[d].start * strides[d];
  int64_t inner = rank ? dims[rank - 1].count : 1;
  int64_t inner_step = rank ? dims[rank - 1].step * strides[rank - 1] : 0;
  size_t outer_rank = rank ? rank - 1 : 0;
  dispatch_by_size(in.dtype(), "Slice", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* src = static_cast<const T*>(in.raw());
    T* dst = static_cast<T*>(out.raw());
    std::vector<int64_t> index(outer_rank, 0);
    int64_t offset = base;
    for (int64_t row = 0, rows = out.numel() / inner; row < rows; ++row) {
      if (block_rows && inner_step == 1) {
        dst = std::copy_n(src + offset, inner, dst);
      } else {
        for (int64_t i = 0; i < inner; ++i) *dst++ = src[offset + i * inner_step];
      }
      for (size_t d = outer_rank; d-- > 0;) {  // odometer over the outer dims
        offset += dims[d].step * strides[d];
        if (++index[d] < dims[d].count) break;
        offset -= dims[d].step * strides[d] * dims[d].count;
        index[d] = 0;
      }
    }
  });
}

class SliceKernel final : public Kernel {
 public:
  explicit SliceKernel(const KernelInit& init) : opset_(init.opset()), fast_(!init.reference()) {
    if (opset_ < 10) {
      attr_args_ = attr_args(init.attrs(), init);
    } else if (init.num_inputs() < 3) {
      init.fail("Slice needs the data, starts and ends inputs");
    }
  }

  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    SliceArgs args;
    if (attr_args_) {
      args = *attr_args_;
    } else {
      args.starts = index_values(ctx.input(1), "starts", ctx);
      args.ends = index_values(ctx.input(2), "ends", ctx);
      if (ctx.has_input(3)) args.axes = index_values(ctx.input(3), "axes", ctx);
      if (ctx.has_input(4)) args.steps = index_values(ctx.input(4), "steps", ctx);
    }
    const std::vector<DimSlice> dims = resolve(args, in.shape(), opset_, ctx);
    // Every element is written (strings are constructed all the same).
    slice_into(in, dims, fast_,
               ctx.allocate_uninitialized_output(0, in.dtype(), slice_shape(dims)));
  }

 private:
  int opset_;
  bool fast_;
  std::optional<SliceArgs> attr_args_;
};

}  // namespace

void register_slice(Registry& registry) {
  add_op_versions(registry, "Slice", slice_versions(), make_kernel<SliceKernel>(), infer_slice);
}

}  // namespace onyx
