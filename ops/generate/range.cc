// Range: the 1-D tensor start, start + delta, start + 2 * delta, ... that stops before
// `limit`, with max(ceil((limit - start) / delta), 0) elements. The three inputs are
// scalars of one dtype and delta = 0 is an error. Integer counts are computed exactly,
// float counts in double; either is checked to fit int64 before the output is allocated.
//
// Range-27 adds float16 and bfloat16, and `stash_type` (a TensorProto float type code,
// default 1: float) for them: the count and every element are computed in that type,
// each operation rounded to it, and the elements then rounded to the input's type. It has
// no effect on the other types.
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "common/shape_utils.h"
#include "generate/generate_ops.h"
#include "onyx/kernel.h"

namespace onyx {
namespace {

using RangeTypes = type_list<float, double, int16_t, int32_t, int64_t>;
using HalfTypes = type_list<float16_t, bfloat16_t>;
using StashTypes = type_list<float, double, float16_t, bfloat16_t>;

// ---- 1. registration ----

std::vector<OpVersion> range_versions() {
  return {{11, 26, dtypes_of(RangeTypes{})},
          {27,
           kOpsetOpen,
           with_dtypes(dtypes_of(RangeTypes{}), dtypes_of(HalfTypes{})),
           {{"stash_type", AttrType::Int}}}};
}

// ---- 2. attributes: stash_type (27) ----

DType read_stash_type(const Node& node, const NodeScope& scope) {
  const Attrs attrs(node, scope.label());
  if (node.opset < 27 && attrs.has("stash_type"))
    scope.fail("attribute 'stash_type' needs opset 27 or later");
  const int64_t code = attrs.get_int("stash_type", 1);
  const DType stash = static_cast<DType>(code);
  if (code < 0 || code > INT32_MAX || !dtype_in(StashTypes{}, stash))
    scope.fail(cat("stash_type must be a float type's code (1 float, 10 float16, 11 double, ",
                   "16 bfloat16), got ", code));
  return stash;
}

// ---- 3. shape rule ----

// The value of a scalar (or one-element 1-D) input of dtype T.
template <class T, class Ctx>
T scalar_of(const Tensor& t, const char* name, Ctx& ctx) {
  if (t.dtype() != dtype_v<T> || t.numel() != 1 || t.rank() > 1)
    ctx.fail(cat("'", name, "' must be a ", dtype_name(dtype_v<T>), " scalar, got ", t.describe()));
  return t.data<T>()[0];
}

// The element count max(ceil((limit - start) / delta), 0), or a failure when delta is 0,
// a float input is NaN, or the count does not fit int64.
template <class T, class Ctx>
int64_t range_count(T start, T limit, T delta, Ctx& ctx) {
  if (delta == T(0)) ctx.fail("delta must not be zero");
  if constexpr (std::is_integral_v<T>) {
    // Work with magnitudes in uint64 so that int64 extremes cannot overflow.
    if ((delta > 0 && limit <= start) || (delta < 0 && limit >= start)) return 0;
    auto as_u64 = [](T v) { return static_cast<uint64_t>(static_cast<int64_t>(v)); };
    uint64_t span = delta > 0 ? as_u64(limit) - as_u64(start) : as_u64(start) - as_u64(limit);
    uint64_t step = delta > 0 ? as_u64(delta) : uint64_t{0} - as_u64(delta);
    uint64_t count = span / step + (span % step != 0 ? 1 : 0);
    if (count > static_cast<uint64_t>(INT64_MAX)) ctx.fail(cat("range of ", count, " elements"));
    return static_cast<int64_t>(count);
  } else {
    // As ONNX's own shape inference: the span in T, the quotient in double.
    const T span = static_cast<T>(limit - start);
    double n = std::ceil(static_cast<double>(span) / static_cast<double>(delta));
    if (std::isnan(n))
      ctx.fail(cat("cannot count the range start=", start, " limit=", limit, " delta=", delta));
    if (n <= 0) return 0;
    if (n >= 9.2e18) ctx.fail(cat("range of ", n, " elements is too large"));
    return static_cast<int64_t>(n);
  }
}

// Fills out[i] = start + i * delta (integers wrap like the exact result, which is in range).
template <class T>
void fill_range(T start, T delta, Tensor& out) {
  T* dst = out.data<T>();
  for (int64_t i = 0; i < out.numel(); ++i) {
    if constexpr (std::is_integral_v<T>) {
      uint64_t step = static_cast<uint64_t>(static_cast<int64_t>(delta));
      uint64_t base = static_cast<uint64_t>(static_cast<int64_t>(start));
      dst[i] = static_cast<T>(base + static_cast<uint64_t>(i) * step);
    } else {
      dst[i] = static_cast<T>(static_cast<double>(start) +
                              static_cast<double>(i) * static_cast<double>(delta));
    }
  }
}

// v rounded to S (float, double, or a half type, which converts through float).
template <class S>
double round_to(double v) {
  if constexpr (!std::is_floating_point_v<S>) {
    return static_cast<float>(S(static_cast<float>(v)));
  } else {
    return static_cast<S>(v);
  }
}

// A half-type range computed in stash type S: each operation done in double and rounded
// to S, as if done in S.
template <class T, class S>
Tensor half_range(T start, T limit, T delta, int64_t fold_limit, const NodeScope& scope) {
  const auto in_s = round_to<S>;
  const double s = in_s(static_cast<float>(start)), l = in_s(static_cast<float>(limit));
  const double d = in_s(static_cast<float>(delta));
  if (d == 0) scope.fail("delta must not be zero");
  const double n = std::ceil(in_s(in_s(l - s) / d));
  if (std::isnan(n))
    scope.fail(cat("cannot count the range start=", s, " limit=", l, " delta=", d));
  if (n >= 9.2e18) scope.fail(cat("range of ", n, " elements is too large"));
  const int64_t count = n > 0 ? static_cast<int64_t>(n) : 0;
  if (count > fold_limit) return Tensor();
  Tensor out(dtype_v<T>, {count});
  T* dst = out.data<T>();
  for (int64_t i = 0; i < count; ++i)
    dst[i] = T(static_cast<float>(in_s(s + in_s(in_s(static_cast<double>(i)) * d))));
  return out;
}

// Computes the range of three tensors; `fold_limit` stops before allocating more elements.
Tensor make_range(const Tensor& start, const Tensor& limit, const Tensor& delta, DType stash,
                  const NodeScope& ctx, int64_t fold_limit = INT64_MAX) {
  if (dtype_in(HalfTypes{}, start.dtype())) {
    return dispatch<HalfTypes>(start.dtype(), "Range", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T s = scalar_of<T>(start, "start", ctx), l = scalar_of<T>(limit, "limit", ctx);
      const T d = scalar_of<T>(delta, "delta", ctx);
      return dispatch<StashTypes>(stash, "Range stash_type", [&](auto stash_tag) {
        return half_range<T, typename decltype(stash_tag)::type>(s, l, d, fold_limit, ctx);
      });
    });
  }
  return dispatch<RangeTypes>(start.dtype(), "Range", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T s = scalar_of<T>(start, "start", ctx);
    T d = scalar_of<T>(delta, "delta", ctx);
    int64_t n = range_count(s, scalar_of<T>(limit, "limit", ctx), d, ctx);
    if (n > fold_limit) return Tensor();
    Tensor out(dtype_v<T>, {n});
    fill_range(s, d, out);
    return out;
  });
}

void infer_range(InferContext& ctx) {
  DType dt = ctx.input(0).elem;
  for (int i = 1; i < 3; ++i) {
    DType other = ctx.input(i).elem;
    if (dt != DType::Undefined && other != DType::Undefined && other != dt)
      ctx.fail(
          cat("inputs must share one dtype, got ", dtype_name(dt), " and ", dtype_name(other)));
  }
  TypeInfo out = TypeInfo::tensor(dt, std::vector<Dim>(1));
  const Tensor* start = ctx.constant(0);
  const Tensor* limit = ctx.constant(1);
  const Tensor* delta = ctx.constant(2);
  if (!start || !limit || !delta) return ctx.set_output(0, out);
  Tensor folded =
      make_range(*start, *limit, *delta, read_stash_type(ctx.node(), ctx), ctx, kMaxFoldElements);
  if (folded.defined()) return ctx.set_output_constant(0, std::move(folded));
  // Too long to fold: the length is still known.
  if (dtype_in(RangeTypes{}, start->dtype())) {
    dispatch<RangeTypes>(start->dtype(), "Range", [&](auto tag) {
      using T = typename decltype(tag)::type;
      (*out.shape)[0] = Dim::known(
          range_count(start->data<T>()[0], limit->data<T>()[0], delta->data<T>()[0], ctx));
    });
  }
  ctx.set_output(0, out);
}

// ---- 4. compute ----

class RangeKernel final : public Kernel {
 public:
  explicit RangeKernel(const KernelInit& init) : stash_(read_stash_type(init.node(), init)) {
    DType dt = init.input_dtype(0);
    for (int i = 1; i < 3; ++i)
      if (dt != DType::Undefined && init.input_dtype(i) != DType::Undefined &&
          init.input_dtype(i) != dt)
        init.fail(cat("inputs must share one dtype, got ", dtype_name(dt), " and ",
                      dtype_name(init.input_dtype(i))));
  }

  void run(KernelContext& ctx) const override {
    ctx.set_output(0, make_range(ctx.input(0), ctx.input(1), ctx.input(2), stash_, ctx));
  }

 private:
  DType stash_;
};

}  // namespace

void register_range(Registry& registry) {
  add_op_versions(registry, "Range", range_versions(), make_kernel<RangeKernel>(), infer_range);
}

}  // namespace onyx
