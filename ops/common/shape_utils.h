// Shape helpers shared by kernels and shape rules, so that both agree.
#pragma once

#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "onyx/ir.h"
#include "onyx/registry.h"
#include "onyx/shape_inference.h"
#include "onyx/tensor.h"

namespace onyx {

// Maps axis in [-rank, rank) to [0, rank); throws naming `what` otherwise.
int normalize_axis(int64_t axis, int rank, const std::string& what);

// Multidirectional (numpy) broadcasting of concrete shapes; throws on mismatch.
Shape broadcast_shapes(const Shape& a, const Shape& b, const std::string& what);
// The same rule over possibly symbolic dims (nullopt when a rank is unknown).
std::optional<std::vector<Dim>> broadcast_dims(const std::optional<std::vector<Dim>>& a,
                                               const std::optional<std::vector<Dim>>& b,
                                               const std::string& what);

// Row-major strides of `shape` (in elements).
std::vector<int64_t> strides_of(const Shape& shape);
// Strides to read a tensor of `shape` as if broadcast to `out` (0 on broadcast dims).
std::vector<int64_t> broadcast_strides(const Shape& shape, const Shape& out);

// Shape rules for the common cases.
void infer_same_as_input(InferContext& ctx);  // output 0 = input 0's type
void infer_broadcast(InferContext& ctx);  // output 0 = broadcast of all inputs, dtype of input 0

// Integer values of a constant 1-D (or scalar) int64/int32 tensor.
std::vector<int64_t> tensor_to_ints(const Tensor& t, const std::string& what);

// tensor_to_ints, failing through a kernel's or shape rule's context (errors name the node).
template <class Ctx>
std::vector<int64_t> tensor_to_ints(const Tensor& t, const std::string& what, Ctx& ctx) {
  try {
    return tensor_to_ints(t, what);
  } catch (const Error& e) {
    ctx.fail(e);
  }
}

// One row of an operator's version table: opsets [since, until] share semantics, accepted
// dtypes (of input `dtype_input`; empty accepts any) and attribute types.
struct OpVersion {
  int since;
  int until;
  std::vector<DType> dtypes;
  std::map<std::string, AttrType> attr_types = {};
};
// Registers one KernelDef (default domain) per row, all built by `create`, shaped by `infer`.
void add_op_versions(Registry& registry, const std::string& op_type,
                     const std::vector<OpVersion>& versions, const KernelFactory& create,
                     const ShapeRule& infer, int dtype_input = 0);

// Builds a message from streamable parts, for ctx.fail(cat("axis ", axis, " ...")).
template <class... Parts>
std::string cat(Parts&&... parts) {
  std::ostringstream out;
  (out << ... << std::forward<Parts>(parts));
  return out.str();
}

// Shape rules fold a node into a load-time constant only when its output is at most this
// many elements: enough for the Shape -> Gather -> Concat -> Reshape chains of exported
// models, without copying large weights at load time.
constexpr int64_t kMaxFoldElements = 4096;

// The length of a 1-D value whose values are unknown but whose type declares its one dim
// (a shape or axes input), else nullopt. Lengths above kMaxFoldElements are not trusted.
std::optional<int64_t> declared_length(const TypeInfo& type);

// Walks inputs broadcast (numpy style) to `out` in row-major order. Adjacent dims that
// broadcast alike are merged, so the walk is `rows()` runs of `inner()` contiguous output
// elements; along a run input k advances by step(k), which is 1, or 0 where it is broadcast.
//
//   BroadcastWalk walk({a.shape(), b.shape()}, out_shape);
//   walk.for_rows(0, walk.rows(), [&](int64_t out_offset, const int64_t* in_offsets) {...});
class BroadcastWalk {
 public:
  BroadcastWalk(const std::vector<Shape>& inputs, const Shape& out);

  int64_t rows() const { return rows_; }
  int64_t inner() const { return inner_; }
  int64_t step(size_t input) const { return steps_[input]; }

  // Calls fn(out_offset, in_offsets) for each run in [begin, end), where in_offsets[k] is
  // input k's element offset at the start of the run.
  template <class Fn>
  void for_rows(int64_t begin, int64_t end, Fn&& fn) const;

 private:
  Shape dims_;                                 // merged outer dims (the inner dim excluded)
  std::vector<std::vector<int64_t>> strides_;  // per input, per merged outer dim
  std::vector<int64_t> steps_;                 // per input, along the inner dim
  int64_t inner_ = 1;
  int64_t rows_ = 0;
};

template <class Fn>
void BroadcastWalk::for_rows(int64_t begin, int64_t end, Fn&& fn) const {
  if (begin >= end) return;
  size_t n = strides_.size();
  size_t rank = dims_.size();
  std::vector<int64_t> index(rank, 0);
  std::vector<int64_t> offsets(n, 0);
  int64_t rest = begin;  // odometer start: unravel `begin` over the outer dims
  for (size_t d = rank; d-- > 0;) {
    index[d] = rest % dims_[d];
    rest /= dims_[d];
    for (size_t k = 0; k < n; ++k) offsets[k] += index[d] * strides_[k][d];
  }
  for (int64_t row = begin; row < end; ++row) {
    fn(row * inner_, static_cast<const int64_t*>(offsets.data()));
    for (size_t d = rank; d-- > 0;) {
      for (size_t k = 0; k < n; ++k) offsets[k] += strides_[k][d];
      if (++index[d] < dims_[d]) break;
      for (size_t k = 0; k < n; ++k) offsets[k] -= strides_[k][d] * dims_[d];
      index[d] = 0;
    }
  }
}

// An element copied as raw bytes: character-typed access may alias any type.
template <size_t N>
struct ElementBytes {
  unsigned char bytes[N];
};

// Data movement ignores what the bits mean: calls fn(type_tag<U>) with U = ElementBytes<N>
// for the element's width N (or std::string), so copy loops compile once per width.
template <class Fn>
void dispatch_by_size(DType t, const char* what, Fn&& fn) {
  if (t == DType::String) return fn(type_tag<std::string>{});
  const DTypeInfo& info = dtype_info(t);
  if (!info.supported) fail(what, ": unsupported dtype ", info.name);
  switch (info.bits) {
    case 8:
      return fn(type_tag<ElementBytes<1>>{});
    case 16:
      return fn(type_tag<ElementBytes<2>>{});
    case 32:
      return fn(type_tag<ElementBytes<4>>{});
    case 64:
      return fn(type_tag<ElementBytes<8>>{});
    case 128:
      return fn(type_tag<ElementBytes<16>>{});
    default:
      fail(what, ": unsupported dtype ", info.name);
  }
}

}  // namespace onyx
