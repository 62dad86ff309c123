// Internals shared by the files of ops/reduce: each file's registration entry, and the
// helpers for ops that work along one axis (ArgMax/ArgMin, CumSum, CumProd, TopK).
#pragma once

#include "common/dtype_lists.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "common/shape_utils.h"
#include "math/math.h"
#include "onyx/dtype.h"
#include "onyx/registry.h"

namespace onyx {

void register_reductions(Registry& registry);  // ReduceSum, ReduceMean, ... (ten ops)
void register_arg_reduce(Registry& registry);  // ArgMax, ArgMin
void register_cumulative(Registry& registry);  // CumSum, CumProd
void register_topk(Registry& registry);

// ONNX's all_numeric_types before bfloat16 joined: every integer, float16, float, double.

// A tensor seen as [outer, n, inner] around one axis: element (o, j, i) sits at
// (o * n + j) * inner + i.
struct AxisView {
  int64_t outer = 1;
  int64_t n = 1;
  int64_t inner = 1;

  AxisView(const Shape& shape, int axis) {
    for (int d = 0; d < static_cast<int>(shape.size()); ++d) {
      if (d < axis) outer *= shape[d];
      if (d == axis) n = shape[d];
      if (d > axis) inner *= shape[d];
    }
  }
};

// The shape with dim `axis` replaced by `size`, or dropped when size is nullopt.
template <class D>
std::vector<D> replace_dim(const std::vector<D>& dims, int axis, std::optional<D> size) {
  std::vector<D> out;
  for (int d = 0; d < static_cast<int>(dims.size()); ++d) {
    if (d != axis) {
      out.push_back(dims[d]);
    } else if (size) {
      out.push_back(*size);
    }
  }
  return out;
}

// NaN test that compiles (to false) for integer and bool elements.
template <class V>
inline bool is_nan(V v) {
  if constexpr (std::is_floating_point_v<V>) {
    return std::isnan(v);
  } else {
    return false;
  }
}

// An attribute that must be 0 or 1.
template <class Ctx>
bool read_flag(const Attrs& attrs, const std::string& name, int64_t fallback, Ctx& ctx) {
  int64_t v = attrs.get_int(name, fallback);
  if (v != 0 && v != 1) ctx.fail(cat("attribute '", name, "' must be 0 or 1, got ", v));
  return v == 1;
}

}  // namespace onyx
