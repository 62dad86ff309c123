// Helpers shared by the quantization kernels: the dtypes involved, rounding half to even
// with saturation, reading scales and zero points, and the granularity of a scale (per
// tensor, per axis or blocked) as a map from the elements of x to the elements of the scale.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "common/dtype_lists.h"
#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "onyx/narrow_tensor.h"

namespace onyx {

// Quantized integer types Onyx computes with (int32 is also a DequantizeLinear input).
using QuantIntTypes = type_list<int8_t, uint8_t, int16_t, uint16_t>;
using DequantIntTypes = type_list<int8_t, uint8_t, int16_t, uint16_t, int32_t>;
// Types a scale may have: the spec's float types, and int32 for QuantizeLinear-19+ with int32 x.
using ScaleTypes = type_list<float, double, float16_t, bfloat16_t, int32_t>;

// The spec's float8 types (opset 19).
inline std::vector<DType> float8_dtypes() {
  return {DType::Float8E4M3FN, DType::Float8E4M3FNUZ, DType::Float8E5M2, DType::Float8E5M2FNUZ};
}

// "int8, uint8, ..." for messages.
std::string dtype_list_string(const std::vector<DType>& list);

// Fails (naming `what`) when dtype `t` is outside `allowed`, the spec's list for this opset,
// or is in it but has no storage in Onyx. Undefined is not checked.
template <class Ctx>
void check_quant_dtype(DType t, const std::vector<DType>& allowed, const std::string& what,
                       Ctx& ctx) {
  if (t == DType::Undefined) return;
  if (!dtype_listed(allowed, t))
    ctx.fail(cat(what, " has dtype ", dtype_name(t), "; this opset allows ",
                 dtype_list_string(allowed)));
  if (!dtype_info(t).supported)
    ctx.fail(cat(what, " has dtype ", dtype_name(t),
                 ", which the spec allows but Onyx does not support"));
}

// check_quant_dtype, and when `same_as` is known, that `t` equals it (a zero point has its
// tensor's dtype, the scales of one node share a dtype).
template <class Ctx>
void check_input_dtype(Ctx& ctx, DType t, DType same_as, const std::vector<DType>& allowed,
                       const std::string& what) {
  check_quant_dtype(t, allowed, what, ctx);
  if (t != DType::Undefined && same_as != DType::Undefined && t != same_as)
    ctx.fail(cat(what, " has dtype ", dtype_name(t), " but must match ", dtype_name(same_as)));
}

// The dtypes of a node's first `count` inputs at load time (a shape rule's InferContext or a
// kernel's KernelInit), Undefined where omitted or not known.
template <class Source>
std::vector<DType> input_dtypes(const Source& s, int count) {
  std::vector<DType> t(static_cast<size_t>(count), DType::Undefined);
  for (int i = 0; i < count; ++i) {
    if (!s.has_input(i)) continue;
    if constexpr (std::is_same_v<Source, InferContext>)
      t[i] = s.input(i).elem;
    else
      t[i] = s.input_dtype(i);
  }
  return t;
}

// Rounds to the nearest integer, ties to even: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -0.5 -> -0.
inline double round_half_even(double v) {
  double r = std::round(v);  // ties away from zero
  if (std::fabs(v - std::trunc(v)) == 0.5) r = 2.0 * std::round(v / 2.0);
  return r;
}

// saturate(round_half_even(v) + zero_point) in Q's range. NaN has no integer image; it is
// read as 0, giving the zero point, so the output is always defined.
template <class Q>
Q quantize_value(double v, int64_t zero_point) {
  if (std::isnan(v)) v = 0;
  const double q = round_half_even(v) + static_cast<double>(zero_point);
  const double lo = static_cast<double>(std::numeric_limits<Q>::lowest());
  const double hi = static_cast<double>(std::numeric_limits<Q>::max());
  return static_cast<Q>(std::clamp(q, lo, hi));
}

// The range of an integer quantized type, narrow ones included: int4 is [-8, 7].
inline std::pair<int64_t, int64_t> quant_int_range(DType t) {
  const int bits = dtype_info(t).bits;
  if (dtype_info(t).is_signed) return {-(int64_t{1} << (bits - 1)), (int64_t{1} << (bits - 1)) - 1};
  return {0, (int64_t{1} << bits) - 1};
}

// saturate(round_half_even(v) + zero_point) in [lo, hi], as quantize_value, for types
// whose range is not a C++ type's (int4, uint2, ...).
inline int64_t quantize_in_range(double v, double zero_point, std::pair<int64_t, int64_t> range) {
  if (std::isnan(v)) v = 0;
  const double q = round_half_even(v) + zero_point;
  return static_cast<int64_t>(
      std::clamp(q, static_cast<double>(range.first), static_cast<double>(range.second)));
}

// The values of a QuantizeLinear/DequantizeLinear zero point as double: integers of any
// width, int4/int2 among them, and the float8/float4 types (whose zero point is a float).
template <class Ctx>
std::vector<double> read_zero_point_values(const Tensor& t, const std::string& what, Ctx& ctx) {
  const Tensor wide = dtype_is_narrow(t.dtype()) ? widen(t) : t;
  std::vector<double> out(static_cast<size_t>(wide.numel()));
  if (!dtype_in(type_list<int8_t, uint8_t, int16_t, uint16_t, int32_t, float>{}, wide.dtype()))
    ctx.fail(cat(what, " has unsupported dtype ", t.describe()));
  dispatch<type_list<int8_t, uint8_t, int16_t, uint16_t, int32_t, float>>(
      wide.dtype(), "zero point", [&](auto tag) {
        using T = typename decltype(tag)::type;
        const T* p = wide.data<T>();
        for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(p[i]);
      });
  return out;
}

// The values of a scale tensor as double; fails on a dtype no scale may have.
template <class Ctx>
std::vector<double> read_scales(const Tensor& t, const std::string& what, Ctx& ctx) {
  if (!dtype_in(ScaleTypes{}, t.dtype()))
    ctx.fail(cat(what, " has unsupported dtype ", t.describe()));
  std::vector<double> out(static_cast<size_t>(t.numel()));
  dispatch<ScaleTypes>(t.dtype(), "scale", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = t.data<T>();
    for (size_t i = 0; i < out.size(); ++i) {
      if constexpr (std::is_same_v<T, float16_t> || std::is_same_v<T, bfloat16_t>)
        out[i] = static_cast<float>(p[i]);
      else
        out[i] = static_cast<double>(p[i]);
    }
  });
  return out;
}

// Scales that are divided by must be positive and finite: x / 0 has no quantized value.
template <class Ctx>
void check_divisor_scales(const std::vector<double>& scales, const std::string& what, Ctx& ctx) {
  for (double s : scales)
    if (!(s > 0) || !std::isfinite(s)) ctx.fail(cat(what, " must be positive and finite, got ", s));
}

// The values of an integer zero-point tensor (int8, uint8, int16, uint16, int32) as int64.
template <class Ctx>
std::vector<int64_t> read_zero_points(const Tensor& t, const std::string& what, Ctx& ctx) {
  if (!dtype_in(DequantIntTypes{}, t.dtype()))
    ctx.fail(cat(what, " has unsupported dtype ", t.describe()));
  std::vector<int64_t> out(static_cast<size_t>(t.numel()));
  dispatch<DequantIntTypes>(t.dtype(), "zero point", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = t.data<T>();
    for (size_t i = 0; i < out.size(); ++i) out[i] = p[i];
  });
  return out;
}

// Whether a zero point of shape `b` fits a scale of shape `a`: the same shape, or one value
// each (a scalar and a [1] tensor are both per tensor).
inline bool same_param_shape(const Shape& a, const Shape& b) {
  return a == b ||
         (a.size() <= 1 && b.size() <= 1 && checked_numel(a) == 1 && checked_numel(b) == 1);
}

template <class Ctx>
void check_same_param_shape(const Tensor& scale, const Tensor& zero_point, const std::string& what,
                            Ctx& ctx) {
  if (!same_param_shape(scale.shape(), zero_point.shape()))
    ctx.fail(cat("the scale ", scale.describe(), " and zero point ", zero_point.describe(), " of ",
                 what, " must have one shape"));
}

// For each element of `to` (row-major), the flat index of the element of `from` it reads
// when `from` is broadcast to `to` (numpy rules); false when `from` does not broadcast.
bool broadcast_index(const Shape& from, const Shape& to, std::vector<int64_t>& index);

// Where each element of x finds its scale and zero point. x is viewed as
// [outer, axis_len, inner] around the quantization axis, and element (o, a, r) reads
// parameter  o * outer_stride + (a / block) * axis_stride + r * inner_stride:
//   per tensor  every stride 0: one scale for all of x;
//   per axis    axis_stride 1: scale[a] for the a-th slice along the axis;
//   blocked     the scale has x's shape except ceil(D / block) along the axis; its strides.
struct QuantLayout {
  int64_t outer = 0, axis_len = 1, inner = 1, block = 1;
  int64_t outer_stride = 0, axis_stride = 0, inner_stride = 0;

  int64_t rows() const { return outer * axis_len; }
  // Calls fn(element, parameter) for every element of rows [r0, r1), row = o * axis_len + a.
  template <class Fn>
  void for_rows(int64_t r0, int64_t r1, Fn&& fn) const {
    for (int64_t row = r0; row < r1; ++row) {
      const int64_t o = row / axis_len, a = row % axis_len;
      const int64_t param = o * outer_stride + (a / block) * axis_stride;
      for (int64_t r = 0; r < inner; ++r) fn(row * inner + r, param + r * inner_stride);
    }
  }
};

// Reads the granularity from the shapes, throwing onyx::Error when they do not fit:
// a one-element scale of rank 0 or 1 is per tensor; with block_size 0 a 1-D scale is per
// axis (length x.shape[axis]); with block_size > 0 the scale has x's rank and shape except
// ceil(x.shape[axis] / block_size) along the axis. `per_tensor_only` (opset 10) refuses
// the others. A zero point, when given, must have the scale's shape.
QuantLayout quant_layout(const Shape& x, const Shape& scale, const Shape* zero_point, int64_t axis,
                         int64_t block_size, bool per_tensor_only);

// quant_layout, failing through a kernel's or shape rule's context (errors name the node).
template <class Ctx>
QuantLayout quant_layout(const Shape& x, const Shape& scale, const Shape* zero_point, int64_t axis,
                         int64_t block_size, bool per_tensor_only, Ctx& ctx) {
  try {
    return quant_layout(x, scale, zero_point, axis, block_size, per_tensor_only);
  } catch (const Error& e) {
    ctx.fail(e);
  }
}

}  // namespace onyx
