// DFT: the discrete Fourier transform along one axis of a real or complex signal.
//
//   input  [..., n_axis, ..., 1 | 2]   last dim: real, or (real, imaginary) pairs
//   output [..., m, ..., 2]            y[k] = sum_j x[j] e^{-2 pi i jk/n}   (inverse: e^{+..}/n)
//
// n is dft_length when given (the signal is cut to its first n values or padded with zeros)
// and the axis dim otherwise; m is n, or floor(n/2) + 1 with onesided = 1, which keeps the
// non-redundant half of a real signal's spectrum (complex input cannot be onesided).
// Opset 17 takes the axis as an attribute (default 1); opset 20 moved it to an optional
// int64 scalar input (default -2, the last signal axis). Either way the axis must lie in
// [-r, -2] or [0, r - 2]: the last dim holds the complex parts. Sums run in double.
#include <vector>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "signal/signal_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> dft_versions() {
  const std::vector<DType> floats = signal::signal_float_dtypes();
  return {{17,
           19,
           floats,
           {{"axis", AttrType::Int}, {"inverse", AttrType::Int}, {"onesided", AttrType::Int}}},
          {20, kOpsetOpen, floats, {{"inverse", AttrType::Int}, {"onesided", AttrType::Int}}}};
}

// ---- 2. attributes ----

struct DftParams {
  bool inverse = false;
  bool onesided = false;
  bool axis_input = false;  // opset 20+: the axis is input 2
  int64_t axis = 1;         // the attribute (opset 17) or the default of input 2 (-2)

  template <class Ctx>
  static DftParams read(const Attrs& attrs, int opset, Ctx& ctx) {
    DftParams p;
    const int64_t inverse = attrs.get_int("inverse", 0);
    const int64_t onesided = attrs.get_int("onesided", 0);
    if (inverse != 0 && inverse != 1) ctx.fail(cat("inverse must be 0 or 1, got ", inverse));
    if (onesided != 0 && onesided != 1) ctx.fail(cat("onesided must be 0 or 1, got ", onesided));
    p.inverse = inverse == 1;
    p.onesided = onesided == 1;
    p.axis_input = opset >= 20;
    p.axis = p.axis_input ? -2 : attrs.get_int("axis", 1);
    return p;
  }
};

// The axis in [0, rank - 2], from a value in [-rank, -2] or [0, rank - 2].
template <class Ctx>
int resolve_axis(int64_t axis, int rank, Ctx& ctx) {
  if (rank < 2) ctx.fail(cat("the input needs rank >= 2 (signal dims, then 1 or 2), got ", rank));
  if (axis < -rank || axis == -1 || axis > rank - 2)
    ctx.fail(cat("axis ", axis, " is out of range [-", rank, ", -2] or [0, ", rank - 2,
                 "] for rank ", rank, " (the last dim holds the complex parts)"));
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

template <class Ctx>
void check_components(int64_t last, bool onesided, Ctx& ctx) {
  if (last != 1 && last != 2)
    ctx.fail(cat("the last dim must be 1 (real) or 2 (complex), got ", last));
  if (onesided && last == 2) ctx.fail("onesided output is not possible for a complex input");
}

template <class Ctx>
int64_t dft_length_of(const Tensor& t, Ctx& ctx) {
  const int64_t n = signal::scalar_int(t, "dft_length", ctx);
  if (n <= 0) ctx.fail(cat("dft_length must be positive, got ", n));
  return n;
}

// ---- 3. shape rule ----

void infer_dft(InferContext& ctx) {
  const DftParams p = DftParams::read(Attrs(ctx.node(), ctx.label()), ctx.opset(), ctx);
  const TypeInfo& in = ctx.input(0);
  if (!in.shape) return ctx.set_output(0, TypeInfo::tensor(in.elem));
  std::vector<Dim> dims = *in.shape;
  const int rank = static_cast<int>(dims.size());
  if (rank >= 1 && dims.back().is_known()) check_components(dims.back().value, p.onesided, ctx);
  int64_t axis_value = p.axis;
  if (p.axis_input && ctx.has_input(2)) {
    const Tensor* axis = ctx.constant(2);
    if (!axis) {  // the axis is only known at run time: the rank and last dim stay
      std::vector<Dim> unknown(static_cast<size_t>(rank));
      if (rank >= 1) unknown.back() = Dim::known(2);
      return ctx.set_output(0, TypeInfo::tensor(in.elem, unknown));
    }
    axis_value = signal::scalar_int(*axis, "axis", ctx);
  }
  const int axis = resolve_axis(axis_value, rank, ctx);
  Dim& d = dims[static_cast<size_t>(axis)];
  if (ctx.has_input(1)) {
    const Tensor* length = ctx.constant(1);
    d = length ? Dim::known(dft_length_of(*length, ctx)) : Dim{};
  }
  if (p.onesided) d = d.is_known() ? Dim::known(d.value / 2 + 1) : Dim{};
  dims.back() = Dim::known(2);
  ctx.set_output(0, TypeInfo::tensor(in.elem, dims));
}

// ---- 4. compute ----

class DftKernel final : public Kernel {
 public:
  explicit DftKernel(const KernelInit& init)
      : params_(DftParams::read(init.attrs(), init.opset(), init)) {
    if (init.num_inputs() > (params_.axis_input ? 3 : 2))
      init.fail(
          cat("DFT-", init.opset(), " takes at most ", params_.axis_input ? 3 : 2, " inputs"));
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    int64_t axis_value = params_.axis;
    if (params_.axis_input && ctx.has_input(2))
      axis_value = signal::scalar_int(ctx.input(2), "axis", ctx);
    const int axis = resolve_axis(axis_value, x.rank(), ctx);
    const int64_t parts = x.shape().back();
    check_components(parts, params_.onesided, ctx);
    const int64_t len_in = x.dim(axis);
    const int64_t n = ctx.has_input(1) ? dft_length_of(ctx.input(1), ctx) : len_in;
    const int64_t len_out = params_.onesided ? n / 2 + 1 : n;

    // Walk the signal as [outer, len_in, inner, parts] and the result as [outer, len_out,
    // inner, 2]: outer are the dims before the axis, inner those between it and the last.
    Shape out_shape = x.shape();
    out_shape[static_cast<size_t>(axis)] = len_out;
    out_shape.back() = 2;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d) outer *= x.dim(d);
    for (int d = axis + 1; d < x.rank() - 1; ++d) inner *= x.dim(d);
    Tensor& y = ctx.allocate_output(0, x.dtype(), out_shape);
    if (y.numel() == 0 || n == 0) return;

    const signal::DftPlan plan(n, params_.inverse);
    const int64_t kept = len_in < n ? len_in : n;  // values read; the rest are zeros
    dispatch<FloatTypes>(x.dtype(), "DFT", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* src = x.data<T>();
      T* dst = y.data<T>();
      std::vector<signal::Complex> buf, scratch;
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < inner; ++i) {
          buf.assign(static_cast<size_t>(n), signal::Complex(0, 0));
          for (int64_t j = 0; j < kept; ++j) {
            const T* v = src + ((o * len_in + j) * inner + i) * parts;
            buf[static_cast<size_t>(j)] = signal::Complex(
                static_cast<double>(v[0]), parts == 2 ? static_cast<double>(v[1]) : 0.0);
          }
          plan.transform(buf, scratch);
          for (int64_t k = 0; k < len_out; ++k) {
            T* out = dst + ((o * len_out + k) * inner + i) * 2;
            out[0] = static_cast<T>(buf[static_cast<size_t>(k)].real());
            out[1] = static_cast<T>(buf[static_cast<size_t>(k)].imag());
          }
        }
      }
    });
  }

 private:
  DftParams params_;
};

}  // namespace

void register_dft(Registry& registry) {
  add_op_versions(registry, "DFT", dft_versions(), make_kernel<DftKernel>(), infer_dft);
}

}  // namespace onyx
