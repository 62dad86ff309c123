// Machinery shared by the elementwise ops of two or more inputs (ops/math and ops/logic):
// the legacy broadcast of opsets 1 to 6, output shapes and types, and the loop that
// applies a function to inputs broadcast numpy style.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "common/shape_utils.h"
#include "kernels/simd/elementwise.h"
#include "onyx/kernel.h"
#include "onyx/shape_inference.h"

namespace onyx {

// Before opset 7 the two-input ops (Add, Pow, And, Equal, Greater, ...) only broadcast B
// to A, and only with `broadcast=1`: B is a scalar (any one-element tensor) or its shape
// is a contiguous run of A's dims, starting at `axis` (suffix matching when absent). Like
// the PyTorch exporter that wrote such models we also let size-1 dims of B expand.
struct LegacyBroadcast {
  bool enabled = false;    // opset < 7
  bool broadcast = false;  // broadcast=1
  std::optional<int64_t> axis;

  template <class Ctx>
  static LegacyBroadcast read(const Node& node, int opset, const std::string& label, Ctx& ctx) {
    LegacyBroadcast legacy;
    if (opset >= 7) return legacy;
    legacy.enabled = true;
    Attrs attrs(node, label);
    int64_t broadcast = attrs.get_int("broadcast", 0);
    if (broadcast != 0 && broadcast != 1)
      ctx.fail(cat("attribute 'broadcast' must be 0 or 1, got ", broadcast));
    legacy.broadcast = broadcast == 1;
    if (attrs.has("axis")) legacy.axis = attrs.get_int("axis", 0);
    return legacy;
  }

  // The shape B is read as: numpy broadcasting of A with it yields A's shape. When the
  // legacy rule is off, B's own shape.
  template <class Ctx>
  Shape view_of_b(const Shape& a, const Shape& b, Ctx& ctx) const {
    if (!enabled) return b;
    if (!broadcast) {
      if (a != b)
        ctx.fail(cat("shapes ", shape_to_string(a), " and ", shape_to_string(b),
                     " differ and broadcast=0"));
      return b;
    }
    if (checked_numel(b) == 1) return {};
    int64_t rank = static_cast<int64_t>(a.size());
    int64_t brank = static_cast<int64_t>(b.size());
    int64_t start = axis ? (*axis < 0 ? *axis + rank : *axis) : rank - brank;
    if (brank > rank || start < 0 || start + brank > rank)
      ctx.fail(cat("cannot broadcast B ", shape_to_string(b), " to A ", shape_to_string(a),
                   axis ? cat(" at axis ", *axis) : std::string()));
    Shape view(a.size(), 1);
    for (int64_t i = 0; i < brank; ++i) {
      int64_t dim = b[static_cast<size_t>(i)];
      if (dim != 1 && dim != a[static_cast<size_t>(start + i)])
        ctx.fail(cat("cannot broadcast B ", shape_to_string(b), " to A ", shape_to_string(a)));
      view[static_cast<size_t>(start + i)] = dim;
    }
    return view;
  }

  // The output shape of A op B: A's under the legacy rule, else the numpy broadcast.
  template <class Ctx>
  Shape output_shape(const Shape& a, const Shape& b, Ctx& ctx) const {
    if (enabled) return a;
    return broadcast_or_fail(a, b, ctx);
  }

  template <class Ctx>
  static Shape broadcast_or_fail(const Shape& a, const Shape& b, Ctx& ctx) {
    try {
      return broadcast_shapes(a, b, "inputs");
    } catch (const Error& e) {
      ctx.fail(e);
    }
  }
};

// Fails when two inputs that must share a dtype differ (where both dtypes are known).
template <class Ctx>
void check_same_dtype(DType a, DType b, Ctx& ctx) {
  if (a != DType::Undefined && b != DType::Undefined && a != b)
    ctx.fail(cat("inputs have different dtypes ", dtype_name(a), " and ", dtype_name(b)));
}

// Shape rule of a two-input elementwise op: output 0 is the broadcast of both inputs (A's
// shape under the legacy rule) with element type `elem` (Undefined: input 0's type).
void infer_binary_elementwise(InferContext& ctx, const LegacyBroadcast& legacy,
                              DType elem = DType::Undefined);
// The same for any number of inputs, all broadcast numpy style (or, with `broadcast`
// false, all required to have one shape).
void infer_variadic_elementwise(InferContext& ctx, bool broadcast, DType elem = DType::Undefined);

// Whether a shape rule should fold a node whose output has `shape`: small enough to keep.
inline bool foldable(const Shape& shape) { return checked_numel(shape) <= kMaxFoldElements; }

using kernels::kElementwiseGrain;

// out[i] = fn(a[j], b[k]) for every element of `out_shape`, where a and b are read as if
// broadcast (numpy style) to it. A run along the innermost dims uses plain indexing, with
// the broadcast side held fixed. Large outputs are split over `pool`'s threads.
template <class A, class B, class R, class Fn>
void broadcast_binary(const A* a, const Shape& a_shape, const B* b, const Shape& b_shape, R* out,
                      const Shape& out_shape, Fn&& fn, const ThreadPool* pool = nullptr) {
  if (a_shape == out_shape && b_shape == out_shape) {  // no broadcasting
    const int64_t n = checked_numel(out_shape);
    auto chunk = [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) out[i] = fn(a[i], b[i]);
    };
    if (pool) return pool->parallel_for(n, kElementwiseGrain, chunk);
    return chunk(0, n);
  }
  BroadcastWalk walk({a_shape, b_shape}, out_shape);
  const int64_t n = walk.inner();
  const bool step_a = walk.step(0) != 0, step_b = walk.step(1) != 0;
  auto rows = [&](int64_t r0, int64_t r1) {
    walk.for_rows(r0, r1, [&](int64_t o, const int64_t* in) {
      const A* ra = a + in[0];
      const B* rb = b + in[1];
      R* ro = out + o;
      if (step_a && step_b) {
        for (int64_t i = 0; i < n; ++i) ro[i] = fn(ra[i], rb[i]);
      } else if (step_a) {
        for (int64_t i = 0; i < n; ++i) ro[i] = fn(ra[i], *rb);
      } else if (step_b) {
        for (int64_t i = 0; i < n; ++i) ro[i] = fn(*ra, rb[i]);
      } else {
        const R v = fn(*ra, *rb);
        for (int64_t i = 0; i < n; ++i) ro[i] = v;
      }
    });
  };
  if (pool)
    return pool->parallel_for(
        walk.rows(), std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(n, 1)), rows);
  rows(0, walk.rows());
}

}  // namespace onyx
