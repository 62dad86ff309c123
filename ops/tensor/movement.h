// Helpers shared by the indexing and data-movement kernels of ops/tensor (Slice, Split,
// Pad, Tile, Expand, GatherElements, GatherND, Scatter*): axis and index checks, reading
// small integer inputs, and the reductions of ScatterElements and ScatterND.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "common/shape_utils.h"
#include "onyx/kernel.h"

namespace onyx {

// `axis` in [-rank, rank) (negative values only when `allow_negative`), made non-negative.
template <class Ctx>
size_t checked_axis(int64_t axis, size_t rank, bool allow_negative, Ctx& ctx) {
  int64_t r = static_cast<int64_t>(rank);
  if (axis < (allow_negative ? -r : 0) || axis >= r)
    ctx.fail(cat("axis ", axis, " is out of range for rank ", rank));
  return static_cast<size_t>(axis < 0 ? axis + r : axis);
}

// An index taken from data: valid in [-n, n), negative ones counting from the back.
template <class Ctx>
int64_t checked_index(int64_t i, int64_t n, Ctx& ctx) {
  if (i < -n || i >= n)
    ctx.fail(cat("index ", i, " is out of range [", -n, ", ", n, ") for an axis of size ", n));
  return i < 0 ? i + n : i;
}

// The values of an int32 or int64 tensor as int64; `what` names it in errors.
template <class Ctx>
std::vector<int64_t> index_values(const Tensor& t, const std::string& what, Ctx& ctx) {
  std::vector<int64_t> out(static_cast<size_t>(t.numel()));
  if (t.dtype() == DType::Int64) {
    const int64_t* p = t.data<int64_t>();
    out.assign(p, p + t.numel());
  } else if (t.dtype() == DType::Int32) {
    const int32_t* p = t.data<int32_t>();
    out.assign(p, p + t.numel());
  } else {
    ctx.fail(cat(what, " must be int32 or int64, got ", t.describe()));
  }
  return out;
}

// The flat row-major position, within dims [first, first + k) of `dims`, of the index tuple
// `tuple` (k values, each checked against its dim; negative ones count from the back).
template <class Ctx>
int64_t tuple_position(const int64_t* tuple, size_t k, const Shape& dims, size_t first, Ctx& ctx) {
  int64_t position = 0;
  for (size_t j = 0; j < k; ++j)
    position = position * dims[first + j] + checked_index(tuple[j], dims[first + j], ctx);
  return position;
}

// Product of two dims, refusing overflow.
inline int64_t checked_mul(int64_t a, int64_t b) { return checked_numel(Shape{a, b}); }

// ---- reductions of ScatterElements and ScatterND ----

// none (opset 11+), add and mul (16+), max and min (18+).
enum class Reduction { None, Add, Mul, Max, Min };

template <class Ctx>
Reduction read_reduction(const Attrs& attrs, int opset, Ctx& ctx) {
  std::string r = attrs.get_string("reduction", "none");
  if (opset < 16 && r != "none") ctx.fail(cat("reduction '", r, "' needs opset 16 or later"));
  if (r == "none") return Reduction::None;
  if (r == "add") return Reduction::Add;
  if (r == "mul") return Reduction::Mul;
  if (opset >= 18 && r == "max") return Reduction::Max;
  if (opset >= 18 && r == "min") return Reduction::Min;
  ctx.fail(cat("unsupported reduction '", r, "' at opset ", opset,
               opset >= 18 ? " (none, add, mul, max, min)" : " (none, add, mul)"));
}

// Strings can only be overwritten.
template <class Ctx>
void check_reduction_dtype(Reduction r, DType dtype, Ctx& ctx) {
  if (r != Reduction::None && dtype == DType::String)
    ctx.fail("a reduction other than 'none' needs numeric or bool data, got string");
}

// dst = reduce(dst, src). float16/bfloat16 compute in float; integers wrap around as in
// numpy (computed unsigned, so overflow is defined); bool adds as `or` and multiplies as
// `and`; max and min propagate NaN.
template <class T>
void reduce_into(T& dst, const T& src, Reduction r) {
  if (r == Reduction::None) {
    dst = src;
  } else if constexpr (std::is_same_v<T, std::string>) {
    fail("a reduction other than 'none' needs numeric or bool data, got string");
  } else if constexpr (std::is_same_v<T, bool>) {
    dst = (r == Reduction::Add || r == Reduction::Max) ? (dst || src) : (dst && src);
  } else if constexpr (std::is_same_v<T, float16_t> || std::is_same_v<T, bfloat16_t>) {
    float a = static_cast<float>(dst);
    reduce_into(a, static_cast<float>(src), r);
    dst = T(a);
  } else if constexpr (std::is_integral_v<T>) {
    using W = std::conditional_t<sizeof(T) <= 4, uint32_t, uint64_t>;
    if (r == Reduction::Add) dst = static_cast<T>(static_cast<W>(dst) + static_cast<W>(src));
    if (r == Reduction::Mul) dst = static_cast<T>(static_cast<W>(dst) * static_cast<W>(src));
    if (r == Reduction::Max) dst = std::max(dst, src);
    if (r == Reduction::Min) dst = std::min(dst, src);
  } else if constexpr (std::is_floating_point_v<T>) {
    if (r == Reduction::Add) dst = dst + src;
    if (r == Reduction::Mul) dst = dst * src;
    bool nan = std::isnan(dst) || std::isnan(src);
    if (r == Reduction::Max) dst = nan ? NAN : std::max(dst, src);
    if (r == Reduction::Min) dst = nan ? NAN : std::min(dst, src);
  }
}

}  // namespace onyx
