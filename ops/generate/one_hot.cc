// OneHot: output[..., d, ...] = on_value where indices[...] == d, else off_value, with the
// new axis of length `depth` inserted at `axis` (default -1: innermost). `values` is
// [off_value, on_value]. Non-integer indices and depth are cast to int64 (toward zero).
// From opset 11 indices in [-depth, 0) count from the back; any other index outside
// [0, depth) gives a row of all off_value (the spec makes that no error).
#include <cmath>
#include <type_traits>

#include "common/shape_utils.h"
#include "generate/generate_ops.h"
#include "onyx/kernel.h"

namespace onyx {
namespace {

// ---- 1. registration: the dtypes listed are those of the indices ----

std::vector<OpVersion> one_hot_versions() {
  const std::map<std::string, AttrType> axis = {{"axis", AttrType::Int}};
  return {{9, 10, numeric_dtypes_no_bf16(), axis},
          {11, kOpsetOpen, numeric_dtypes_no_bf16(), axis}};  // negative indices wrap
}

// ---- 2. attributes: axis, checked against the indices' rank ----

template <class Ctx>
size_t output_axis(int64_t axis, size_t indices_rank, Ctx& ctx) {
  const int64_t r = static_cast<int64_t>(indices_rank);
  if (axis < -r - 1 || axis > r)
    ctx.fail(
        cat("axis ", axis, " is out of range [", -r - 1, ", ", r, "] for indices of rank ", r));
  return static_cast<size_t>(axis < 0 ? axis + r + 1 : axis);
}

// ---- 3. shape rule ----

// A numeric value cast to int64 toward zero; nullopt for NaN and values beyond int64.
template <class T>
std::optional<int64_t> to_int64(T v) {
  if constexpr (std::is_integral_v<T>) {
    if constexpr (std::is_unsigned_v<T>)
      if (static_cast<uint64_t>(v) > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(v);
  } else {
    double d = std::trunc(static_cast<double>(v));
    if (!(d >= -9.2e18 && d <= 9.2e18)) return std::nullopt;  // also NaN
    return static_cast<int64_t>(d);
  }
}

template <class Ctx>
int64_t read_depth(const Tensor& depth, Ctx& ctx) {
  if (depth.numel() != 1 || depth.rank() > 1)
    ctx.fail(cat("'depth' must be a scalar or a one-element 1-D tensor, got ", depth.describe()));
  std::optional<int64_t> d = dispatch<NumericTypes>(depth.dtype(), "OneHot depth", [&](auto tag) {
    using T = typename decltype(tag)::type;
    return to_int64(depth.data<T>()[0]);
  });
  if (!d || *d < 0) ctx.fail("'depth' must be a non-negative number");
  return *d;
}

void infer_one_hot(InferContext& ctx) {
  const TypeInfo& indices = ctx.input(0);
  const TypeInfo& values = ctx.input(2);
  TypeInfo out = TypeInfo::tensor(values.elem);
  if (indices.shape) {
    int64_t axis_attr = Attrs(ctx.node(), ctx.label()).get_int("axis", -1);
    size_t axis = output_axis(axis_attr, indices.shape->size(), ctx);
    Dim depth;
    if (const Tensor* d = ctx.constant(1)) depth = Dim::known(read_depth(*d, ctx));
    std::vector<Dim> dims = *indices.shape;
    dims.insert(dims.begin() + static_cast<std::ptrdiff_t>(axis), depth);
    out.shape = dims;
  }
  ctx.set_output(0, out);
}

// ---- 4. compute ----

class OneHotKernel final : public Kernel {
 public:
  explicit OneHotKernel(const KernelInit& init)
      : axis_(init.attrs().get_int("axis", -1)), wrap_negative_(init.opset() >= 11) {
    const TypeInfo& indices = init.input_type(0);
    if (indices.shape) output_axis(axis_, indices.shape->size(), init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& indices = ctx.input(0);
    const int64_t depth = read_depth(ctx.input(1), ctx);
    const Tensor& values = ctx.input(2);
    if (values.rank() != 1 || values.numel() != 2)
      ctx.fail(cat("'values' must be [off_value, on_value], got ", values.describe()));
    const Shape& in_shape = indices.shape();
    size_t axis = output_axis(axis_, in_shape.size(), ctx);
    Shape shape = in_shape;
    shape.insert(shape.begin() + static_cast<std::ptrdiff_t>(axis), depth);
    Tensor& out = ctx.allocate_output(0, values.dtype(), shape);
    // The output is [outer, depth, inner], where outer * inner = the indices' count.
    const int64_t outer = checked_numel(Shape(in_shape.begin(), in_shape.begin() + axis));
    const int64_t inner = checked_numel(Shape(in_shape.begin() + axis, in_shape.end()));
    std::vector<int64_t> hot = hot_positions(indices, depth);
    dispatch_by_size(values.dtype(), "OneHot", [&](auto tag) {
      using U = typename decltype(tag)::type;
      const U off = static_cast<const U*>(values.raw())[0];
      const U on = static_cast<const U*>(values.raw())[1];
      U* dst = static_cast<U*>(out.raw());
      for (int64_t i = 0; i < out.numel(); ++i) dst[i] = off;
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t j = 0; j < inner; ++j) {
          int64_t d = hot[static_cast<size_t>(o * inner + j)];
          if (d >= 0) dst[(o * depth + d) * inner + j] = on;
        }
    });
  }

 private:
  // Per index, the position along the new axis that is on, or -1 for an all-off row.
  std::vector<int64_t> hot_positions(const Tensor& indices, int64_t depth) const {
    std::vector<int64_t> hot(static_cast<size_t>(indices.numel()), -1);
    dispatch<NumericTypes>(indices.dtype(), "OneHot indices", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* src = indices.data<T>();
      for (size_t i = 0; i < hot.size(); ++i) {
        std::optional<int64_t> v = to_int64(src[i]);
        if (!v) continue;
        int64_t d = *v;
        if (d < 0 && wrap_negative_ && d >= -depth) d += depth;
        if (d >= 0 && d < depth) hot[i] = d;
      }
    });
    return hot;
  }

  int64_t axis_;
  bool wrap_negative_;
};

}  // namespace

void register_one_hot(Registry& registry) {
  add_op_versions(registry, "OneHot", one_hot_versions(), make_kernel<OneHotKernel>(),
                  infer_one_hot);
}

}  // namespace onyx
