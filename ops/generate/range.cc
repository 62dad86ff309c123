// Range: the 1-D tensor start, start + delta, start + 2 * delta, ... that stops before
// `limit`, with max(ceil((limit - start) / delta), 0) elements. The three inputs are
// scalars of one dtype and delta = 0 is an error. Integer counts are computed exactly,
// float counts in double; either is checked to fit int64 before the output is allocated.
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "common/shape_utils.h"
#include "generate/generate_ops.h"
#include "onyx/kernel.h"

namespace onyx {
namespace {

using RangeTypes = type_list<float, double, int16_t, int32_t, int64_t>;

// ---- 1. registration ----

std::vector<OpVersion> range_versions() { return {{11, kOpsetOpen, dtypes_of(RangeTypes{})}}; }

// ---- 2. attributes: none ----

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

// Computes the range of three tensors; `fold_limit` stops before allocating more elements.
template <class Ctx>
Tensor make_range(const Tensor& start, const Tensor& limit, const Tensor& delta, Ctx& ctx,
                  int64_t fold_limit = INT64_MAX) {
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
  Tensor folded = make_range(*start, *limit, *delta, ctx, kMaxFoldElements);
  if (folded.defined()) return ctx.set_output_constant(0, std::move(folded));
  // Too long to fold: the length is still known.
  dispatch<RangeTypes>(start->dtype(), "Range", [&](auto tag) {
    using T = typename decltype(tag)::type;
    (*out.shape)[0] =
        Dim::known(range_count(start->data<T>()[0], limit->data<T>()[0], delta->data<T>()[0], ctx));
  });
  ctx.set_output(0, out);
}

// ---- 4. compute ----

class RangeKernel final : public Kernel {
 public:
  explicit RangeKernel(const KernelInit& init) {
    DType dt = init.input_dtype(0);
    for (int i = 1; i < 3; ++i)
      if (dt != DType::Undefined && init.input_dtype(i) != DType::Undefined &&
          init.input_dtype(i) != dt)
        init.fail(cat("inputs must share one dtype, got ", dtype_name(dt), " and ",
                      dtype_name(init.input_dtype(i))));
  }

  void run(KernelContext& ctx) const override {
    ctx.set_output(0, make_range(ctx.input(0), ctx.input(1), ctx.input(2), ctx));
  }
};

}  // namespace

void register_range(Registry& registry) {
  add_op_versions(registry, "Range", range_versions(), make_kernel<RangeKernel>(), infer_range);
}

}  // namespace onyx
