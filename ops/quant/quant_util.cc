#include "quant/quant_util.h"

namespace onyx {

std::string dtype_list_string(const std::vector<DType>& list) {
  std::string out;
  for (DType t : list) out += (out.empty() ? "" : ", ") + std::string(dtype_name(t));
  return out;
}

QuantLayout quant_layout(const Shape& x, const Shape& scale, const Shape* zero_point, int64_t axis,
                         int64_t block_size, bool per_tensor_only) {
  if (zero_point && !same_param_shape(scale, *zero_point))
    fail("the zero point has shape ", shape_to_string(*zero_point), " but the scale has shape ",
         shape_to_string(scale), "; they must match");
  const int rank = static_cast<int>(x.size());
  QuantLayout layout;
  layout.outer = checked_numel(x);
  if (scale.size() <= 1 && checked_numel(scale) == 1) return layout;  // per tensor
  if (per_tensor_only)
    fail("the scale must be a scalar (per-tensor quantization at this opset), got shape ",
         shape_to_string(scale));

  const int a = normalize_axis(axis, rank, "the quantization axis");
  const Shape before(x.begin(), x.begin() + a), after(x.begin() + a + 1, x.end());
  layout.outer = checked_numel(before);
  layout.axis_len = x[a];
  layout.inner = checked_numel(after);
  if (block_size == 0) {
    if (scale.size() != 1)
      fail("the scale must be a scalar or 1-D (per-axis) without block_size, got shape ",
           shape_to_string(scale));
    if (scale[0] != x[a])
      fail("the scale has ", scale[0], " values but x has ", x[a], " along axis ", a, " (x shape ",
           shape_to_string(x), ")");
    layout.axis_stride = 1;
    return layout;
  }
  // Blocked: the scale repeats block_size times along the axis (the last block may be short).
  if (block_size < 0) fail("block_size must be positive, got ", block_size);
  if (static_cast<int>(scale.size()) != rank)
    fail("blocked quantization needs a scale of x's rank ", rank, ", got shape ",
         shape_to_string(scale));
  for (int d = 0; d < rank; ++d) {
    const int64_t want = d == a ? (x[d] + block_size - 1) / block_size : x[d];
    if (scale[d] != want)
      fail("with block_size ", block_size, " along axis ", a, " the scale for x of shape ",
           shape_to_string(x), " must have ", want, " at dim ", d, ", got shape ",
           shape_to_string(scale));
  }
  layout.block = block_size;
  layout.inner_stride = 1;
  layout.axis_stride = layout.inner;
  layout.outer_stride = scale[a] * layout.inner;
  return layout;
}

bool broadcast_index(const Shape& from, const Shape& to, std::vector<int64_t>& index) {
  if (from.size() > to.size()) return false;
  for (size_t d = 0; d < from.size(); ++d) {
    const int64_t f = from[d], t = to[to.size() - from.size() + d];
    if (f != t && f != 1) return false;
  }
  const std::vector<int64_t> strides = broadcast_strides(from, to);
  index.assign(static_cast<size_t>(checked_numel(to)), 0);
  std::vector<int64_t> coord(to.size(), 0);
  int64_t offset = 0;
  for (int64_t& slot : index) {
    slot = offset;
    for (size_t d = to.size(); d-- > 0;) {  // odometer step
      offset += strides[d];
      if (++coord[d] < to[d]) break;
      offset -= strides[d] * to[d];
      coord[d] = 0;
    }
  }
  return true;
}

}  // namespace onyx
