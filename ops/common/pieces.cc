#include "common/pieces.h"

#include <cstring>

#include "common/shape_utils.h"
#include "onyx/packed.h"

namespace onyx {
namespace {

// Copies `count` elements between two tensors of one dtype (strings element-wise, packed
// 4- and 2-bit elements code by code: a piece may start inside a byte).
void copy_elements(Tensor& dst, int64_t dst_at, const Tensor& src, int64_t src_at, int64_t count) {
  if (count <= 0) return;
  if (src.dtype() == DType::String) {
    const std::string* from = src.data<std::string>() + src_at;
    std::string* to = dst.data<std::string>() + dst_at;
    for (int64_t i = 0; i < count; ++i) to[i] = from[i];
    return;
  }
  if (dtype_is_packed(src.dtype())) {
    const int bits = dtype_info(src.dtype()).bits;
    const auto* from = static_cast<const uint8_t*>(src.raw());
    auto* to = static_cast<uint8_t*>(dst.raw());
    for (int64_t i = 0; i < count; ++i)
      packed_set(to, dst_at + i, bits, packed_get(from, src_at + i, bits));
    return;
  }
  const size_t width = dtype_storage_bytes(src.dtype(), 1);
  std::memcpy(static_cast<char*>(dst.raw()) + dst_at * width,
              static_cast<const char*>(src.raw()) + src_at * width, count * width);
}

// Elements before and after `axis` in row-major order.
std::pair<int64_t, int64_t> outer_inner(const Shape& shape, int axis) {
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < static_cast<int>(shape.size()); ++d)
    (d < axis ? outer : inner) *= d == axis ? 1 : shape[d];
  return {outer, inner};
}

}  // namespace

Tensor narrow(const Tensor& t, int axis, int64_t start, int64_t length) {
  Shape shape = t.shape();
  const int64_t len = shape.at(axis);
  if (start < 0 || length < 0 || start + length > len)
    fail("narrow: [", start, ", ", start + length, ") is outside an axis of ", len);
  shape[axis] = length;
  Tensor out(t.dtype(), shape);
  auto [outer, inner] = outer_inner(t.shape(), axis);
  for (int64_t o = 0; o < outer; ++o)
    copy_elements(out, o * length * inner, t, (o * len + start) * inner, length * inner);
  return out;
}

Tensor slice_along(const Tensor& t, int axis, int64_t index) {
  Shape shape = t.shape();
  shape.erase(shape.begin() + axis);
  return narrow(t, axis, index, 1).reshaped(shape);
}

Tensor concat_along(const std::vector<Tensor>& items, int axis, const KernelContext& ctx) {
  if (items.empty()) ctx.fail("nothing to concatenate");
  const Tensor& first = items.front();
  Shape shape = first.shape();
  shape[axis] = 0;
  for (const Tensor& t : items) {
    bool fits = t.dtype() == first.dtype() && t.rank() == first.rank();
    for (int d = 0; fits && d < t.rank(); ++d) fits = d == axis || t.dim(d) == first.dim(d);
    if (!fits)
      ctx.fail(cat("cannot join ", first.describe(), " and ", t.describe(), " along axis ", axis));
    shape[axis] += t.dim(axis);
  }
  Tensor out(first.dtype(), shape);
  auto [outer, inner] = outer_inner(shape, axis);
  int64_t offset = 0;  // along the axis
  for (const Tensor& t : items) {
    const int64_t n = t.dim(axis);
    for (int64_t o = 0; o < outer; ++o)
      copy_elements(out, (o * shape[axis] + offset) * inner, t, o * n * inner, n * inner);
    offset += n;
  }
  return out;
}

Tensor stack_tensors(const std::vector<Tensor>& items, int axis, const TypeInfo& element,
                     const KernelContext& ctx) {
  if (items.empty()) {
    if (element.elem == DType::Undefined)
      ctx.fail("nothing to stack, and the element type is not declared");
    Shape shape;
    if (element.shape)
      for (const Dim& d : *element.shape) shape.push_back(d.is_known() ? d.value : 0);
    if (axis < 0 || axis > static_cast<int>(shape.size())) axis = 0;
    shape.insert(shape.begin() + axis, 0);
    return Tensor(element.elem, shape);
  }
  std::vector<Tensor> lifted;
  lifted.reserve(items.size());
  for (const Tensor& t : items) {
    if (t.shape() != items.front().shape())
      ctx.fail(cat("cannot stack ", items.front().describe(), " and ", t.describe()));
    Shape s = t.shape();
    s.insert(s.begin() + axis, 1);
    lifted.push_back(t.reshaped(s));
  }
  return concat_along(lifted, axis, ctx);
}

}  // namespace onyx
