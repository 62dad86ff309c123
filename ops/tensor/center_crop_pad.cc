// CenterCropPad (opset 18): resizes the listed axes of `input_data` to `shape` (one
// non-negative value per axis, int32 or int64) around the centre. A smaller size crops,
// keeping elements from floor((dim - size) / 2); a larger one pads with zeros, placing the
// input at floor((size - dim) / 2). `axes` (default: all, negative ones from the back)
// names the axes `shape` lists; the others keep their size. An odd difference leaves the
// extra element at the end, as the reference implementation does.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "tensor/movement.h"
#include "tensor/tensor_ops.h"

namespace onyx {
namespace {

// ---- 2. attributes: the axes `shape` applies to ----

// The attribute as given; nullopt when absent (all axes).
std::optional<std::vector<int64_t>> read_axes(const Attrs& attrs) {
  if (!attrs.has("axes")) return std::nullopt;
  return attrs.get_ints("axes");
}

// axes made non-negative and checked for range and repeats (all axes when absent).
template <class Ctx>
std::vector<size_t> crop_axes(const std::optional<std::vector<int64_t>>& axes, size_t rank,
                              Ctx& ctx) {
  std::vector<size_t> out;
  if (!axes) {
    for (size_t a = 0; a < rank; ++a) out.push_back(a);
    return out;
  }
  for (int64_t a : *axes) {
    const size_t axis = checked_axis(a, rank, true, ctx);
    if (std::find(out.begin(), out.end(), axis) != out.end())
      ctx.fail(cat("axis ", a, " is listed twice in axes"));
    out.push_back(axis);
  }
  return out;
}

// The output shape: `sizes` (one per axis in `axes`, non-negative) placed over `in`.
template <class Ctx>
Shape cropped_shape(const Shape& in, const std::vector<size_t>& axes,
                    const std::vector<int64_t>& sizes, Ctx& ctx) {
  if (sizes.size() != axes.size())
    ctx.fail(cat("shape has ", sizes.size(), " values but ", axes.size(), " axes are resized"));
  Shape out = in;
  for (size_t k = 0; k < axes.size(); ++k) {
    if (sizes[k] < 0) ctx.fail(cat("shape value ", sizes[k], " is negative"));
    out[axes[k]] = sizes[k];
  }
  return out;
}

// ---- 3. shape rule: the input's rank; the resized dims when `shape` is a constant ----

void infer_center_crop_pad(InferContext& ctx) {
  const TypeInfo& x = ctx.input(0);
  if (!x.has_shape()) {
    ctx.set_output(0, TypeInfo::tensor(x.elem));
    return;
  }
  const std::vector<size_t> axes =
      crop_axes(read_axes(Attrs(ctx.node(), ctx.label())), x.shape->size(), ctx);
  std::vector<Dim> out = *x.shape;
  if (const Tensor* shape = ctx.constant(1)) {
    const std::vector<int64_t> sizes = index_values(*shape, "shape", ctx);
    if (sizes.size() != axes.size())
      ctx.fail(cat("shape has ", sizes.size(), " values but ", axes.size(), " axes are resized"));
    for (size_t k = 0; k < axes.size(); ++k) {
      if (sizes[k] < 0) ctx.fail(cat("shape value ", sizes[k], " is negative"));
      out[axes[k]] = Dim::known(sizes[k]);
    }
  } else {
    for (size_t a : axes) out[a] = Dim{};
  }
  ctx.set_output(0, TypeInfo::tensor(x.elem, out));
}

// ---- 4. compute ----

class CenterCropPadKernel final : public Kernel {
 public:
  explicit CenterCropPadKernel(const KernelInit& init) : axes_(read_axes(init.attrs())) {
    const TypeInfo& x = init.input_type(0);
    if (x.has_shape()) crop_axes(axes_, x.shape->size(), init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Shape& in = x.shape();
    const size_t rank = in.size();
    const std::vector<size_t> axes = crop_axes(axes_, rank, ctx);
    const Shape out = cropped_shape(in, axes, index_values(ctx.input(1), "shape", ctx), ctx);
    checked_numel(out);
    // The box copied: per dim its length and where it starts in the input and the output.
    Shape count(rank), src_at(rank, 0), dst_at(rank, 0);
    for (size_t d = 0; d < rank; ++d) {
      count[d] = std::min(in[d], out[d]);
      if (in[d] > out[d]) src_at[d] = (in[d] - out[d]) / 2;  // crop
      if (out[d] > in[d]) dst_at[d] = (out[d] - in[d]) / 2;  // pad
    }
    Tensor& y = ctx.allocate_output(0, x.dtype(), out);  // zero-filled: the padding
    const std::vector<int64_t> in_stride = strides_of(in), out_stride = strides_of(out);
    const int64_t run_len = rank ? count[rank - 1] : 1;
    const int64_t rows = rank ? checked_numel(Shape(count.begin(), count.end() - 1)) : 1;
    if (run_len == 0 || rows == 0) return;
    dispatch_by_size(x.dtype(), "CenterCropPad", [&](auto tag) {
      using U = typename decltype(tag)::type;
      const U* src = static_cast<const U*>(x.raw());
      U* dst = static_cast<U*>(y.raw());
      for (int64_t r = 0; r < rows; ++r) {
        // Unravel the row over the box's leading dims.
        int64_t rest = r, s = 0, t = 0;
        for (size_t d = rank; d-- > 0;) {
          const int64_t c = d + 1 == rank ? 0 : rest % count[d];
          if (d + 1 != rank) rest /= count[d];
          s += (src_at[d] + c) * in_stride[d];
          t += (dst_at[d] + c) * out_stride[d];
        }
        std::copy(src + s, src + s + run_len, dst + t);
      }
    });
  }

 private:
  std::optional<std::vector<int64_t>> axes_;
};

}  // namespace

void register_center_crop_pad(Registry& registry) {
  add_op_versions(registry, "CenterCropPad",
                  {{18, kOpsetOpen, all_dtypes_13(), {{"axes", AttrType::Ints}}}},
                  make_kernel<CenterCropPadKernel>(), infer_center_crop_pad);
}

}  // namespace onyx
