// ConvInteger and QLinearConv: convolutions of 8-bit integers.
//
//   ConvInteger  Y[n, m, o] = sum over c < C/group and taps k of
//                  (X[n, g*C/group + c, o*stride - pad + k*dilation] - x_zero_point)
//                  * (W[m, c, k] - w_zero_point[m])                                 (int32)
//   QLinearConv  y = saturate(round_half_even((acc + B[m]) * x_scale * w_scale[m] / y_scale)
//                             + y_zero_point), acc the ConvInteger sum of x and w
//
// g = m / (M / group) is output channel m's group. Taps on the padding read the zero point,
// so they add nothing. x's zero point and scale are per tensor; w's are per tensor or per
// output channel (1-D of length M); y's are per tensor; B is int32 of length M. Sums are
// int32 and wrap on overflow. The window geometry (pads, auto_pad, strides, dilations) is
// Conv's, from common/spatial.h.
//
// Fast path (not with reference kernels): per image and group, W's rows times the image's
// columns (im2col, taps on the padding reading x's zero point) by kernels::igemm, exact;
// QLinearConv requantizes the sums with the reference's arithmetic.
#include <algorithm>

#include "common/parallel.h"
#include "common/spatial.h"
#include "kernels/gemm/igemm.h"
#include "quant/quant.h"
#include "quant/quant_util.h"

namespace onyx {
namespace {

using Int8Types = type_list<int8_t, uint8_t>;
std::vector<DType> int8_dtypes() { return {DType::Int8, DType::UInt8}; }

// ---- 1. registration (at the end) ----

// ---- 2. attributes: Conv's (common/spatial.h: read_conv_attrs) ----

// ---- 3. shape rule: Y is (N, M, output dims), with dtype `out` ----

void infer_integer_conv(InferContext& ctx, int w_index, DType out) {
  const ConvAttrs a = read_conv_attrs(Attrs(ctx.node(), ctx.label()), ctx.label());
  const TypeInfo& x = ctx.input(0);
  if (!x.has_shape()) return ctx.set_output(0, TypeInfo::tensor(out));
  ctx.set_output(0, TypeInfo::tensor(
                        out, conv_output_dims(a, *x.shape, ctx.input(w_index).shape, ctx.label())));
}

// ---- 4. compute ----

// One value for the whole tensor: a scalar or a one-element 1-D tensor.
template <class Ctx>
void check_per_tensor(const Tensor& t, const std::string& what, Ctx& ctx) {
  if (t.rank() > 1 || t.numel() != 1)
    ctx.fail(cat(what, " must be a scalar (per tensor), got ", t.describe()));
}

// The parameter index of each output channel: all 0 per tensor, m for a 1-D [M] tensor.
template <class Ctx>
std::vector<int64_t> channel_index(const Tensor& t, int64_t M, const std::string& what, Ctx& ctx) {
  std::vector<int64_t> index(static_cast<size_t>(M), 0);
  if (t.rank() <= 1 && t.numel() == 1) return index;
  if (t.rank() != 1 || t.dim(0) != M)
    ctx.fail(cat(what, " must be a scalar or have one value per output channel (", M, "), got ",
                 t.describe()));
  for (int64_t m = 0; m < M; ++m) index[m] = m;
  return index;
}

// The resolved geometry of one run.
struct ConvGeometry {
  Window window;
  Shape out_shape;
  int64_t N = 0, C = 0, M = 0, Cg = 0;
};

// Errors name the node through `label`, as Conv's do.
ConvGeometry conv_geometry(const ConvAttrs& a, const Tensor& x, const Tensor& w,
                           const std::string& label) {
  check_conv_dims(a, known_dims(x.shape()), known_dims(w.shape()), label);
  ConvGeometry g;
  g.N = x.dim(0), g.C = x.dim(1), g.M = w.dim(0), g.Cg = w.dim(1);
  const Shape spatial(x.shape().begin() + 2, x.shape().end());
  const std::vector<int64_t> kernel(w.shape().begin() + 2, w.shape().end());
  g.window = resolve_window(a.window, spatial, kernel, label);
  g.out_shape = {g.N, g.M};
  for (int64_t d : g.window.output_dims()) g.out_shape.push_back(d);
  return g;
}

// Calls emit(y_index, m, acc) for every output element, acc the int32 sum of
// (x - x_zp) * (w - w_zp[m]) over m's group channels and the taps inside the input.
template <class Emit>
void integer_conv(const Tensor& x, const Tensor& w, int64_t x_zp, const std::vector<int64_t>& w_zp,
                  const ConvGeometry& g, int64_t group, const ThreadPool& pool, Emit&& emit) {
  const Window& win = g.window;
  const int64_t P = win.output_size(), Q = win.taps(), S = win.input_size();
  const int64_t Mg = g.M / group;  // output channels per group
  dispatch<Int8Types>(x.dtype(), "integer conv", [&](auto x_tag) {
    using TX = typename decltype(x_tag)::type;
    dispatch<Int8Types>(w.dtype(), "integer conv", [&](auto w_tag) {
      using TW = typename decltype(w_tag)::type;
      const TX* X = x.data<TX>();
      const TW* W = w.data<TW>();
      // Chunks of output positions are independent: each writes its own outputs.
      pool.parallel_for(P, 16, [&](int64_t p0, int64_t p1) {
        std::vector<int64_t> taps;
        for (int64_t p = p0; p < p1; ++p) {
          win.taps_of(p, taps);  // input offsets read by output position p
          for (int64_t n = 0; n < g.N; ++n) {
            for (int64_t m = 0; m < g.M; ++m) {
              const TX* xg = X + (n * g.C + (m / Mg) * g.Cg) * S;  // m's first group channel
              const TW* wm = W + m * g.Cg * Q;
              int64_t acc = 0;
              for (int64_t c = 0; c < g.Cg; ++c)
                for (int64_t q = 0; q < Q; ++q)
                  if (taps[q] >= 0) acc += (xg[c * S + taps[q]] - x_zp) * (wm[c * Q + q] - w_zp[m]);
              // int64 sums taken mod 2^32 equal the wrapping int32 sums.
              emit((n * g.M + m) * P + p, m, static_cast<int32_t>(acc));
            }
          }
        }
      });
    });
  });
}

// The most bytes the fast path's column matrix may take; larger convolutions run the
// reference loop.
constexpr int64_t kMaxColumnBytes = int64_t{1} << 28;

// integer_conv's sums into y (N x M x output positions) by kernels::igemm; false (y
// untouched) when the column matrix would be too large.
bool fast_integer_conv(const Tensor& x, const Tensor& w, int64_t x_zp,
                       const std::vector<int64_t>& w_zp, const ConvGeometry& g, int64_t group,
                       const ThreadPool& pool, int32_t* y) {
  const Window& win = g.window;
  const int64_t P = win.output_size(), Q = win.taps(), S = win.input_size();
  const int64_t Mg = g.M / group, depth = g.Cg * Q;  // a group's rows and K
  if (P == 0 || g.M == 0 || g.N == 0) return true;
  if (depth > 0 && P > kMaxColumnBytes / depth) return false;
  const std::vector<int32_t> w_zero(w_zp.begin(), w_zp.end());
  const kernels::Parallel parallel = parallel_of(pool);
  // Both 8-bit types are copied as bytes; the zero point's bit pattern fills the padding.
  const auto* X = static_cast<const uint8_t*>(x.raw());
  const auto* W = static_cast<const uint8_t*>(w.raw());
  const auto fill = static_cast<uint8_t>(x_zp);
  std::vector<uint8_t> columns(static_cast<size_t>(depth * P));
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t grp = 0; grp < group; ++grp) {
      const uint8_t* xg = X + (n * g.C + grp * g.Cg) * S;
      // Runs of kRun positions: each row of the columns is then written contiguously.
      constexpr int64_t kRun = 256;
      pool.parallel_for(P, kRun, [&](int64_t p0, int64_t p1) {
        std::vector<int64_t> taps, run_taps(static_cast<size_t>(kRun * Q));
        for (int64_t r0 = p0; r0 < p1; r0 += kRun) {
          const int64_t r1 = std::min(p1, r0 + kRun);
          for (int64_t p = r0; p < r1; ++p) {
            win.taps_of(p, taps);  // input offsets read by output position p
            std::copy(taps.begin(), taps.end(), run_taps.begin() + (p - r0) * Q);
          }
          for (int64_t c = 0; c < g.Cg; ++c)
            for (int64_t q = 0; q < Q; ++q) {
              uint8_t* row = columns.data() + (c * Q + q) * P;
              const uint8_t* plane = xg + c * S;
              for (int64_t p = r0; p < r1; ++p) {
                const int64_t offset = run_taps[(p - r0) * Q + q];
                row[p] = offset >= 0 ? plane[offset] : fill;
              }
            }
        }
      });
      kernels::Int8Matrix a{W + grp * Mg * depth, w.dtype() == DType::Int8, depth,
                            w_zero.data() + grp * Mg, 0};
      kernels::Int8Matrix b{columns.data(), x.dtype() == DType::Int8, P, nullptr,
                            static_cast<int32_t>(x_zp)};
      kernels::igemm(Mg, P, depth, a, b, y + (n * g.M + grp * Mg) * P, P, parallel);
    }
  return true;
}

// ---- ConvInteger: x, w, x_zero_point, w_zero_point ----

template <class Ctx>
void check_conv_integer_dtypes(const std::vector<DType>& t, Ctx& ctx) {
  check_input_dtype(ctx, t[0], DType::Undefined, int8_dtypes(), "x");
  check_input_dtype(ctx, t[1], DType::Undefined, int8_dtypes(), "w");
  check_input_dtype(ctx, t[2], t[0], int8_dtypes(), "x_zero_point");
  check_input_dtype(ctx, t[3], t[1], int8_dtypes(), "w_zero_point");
}

void infer_conv_integer(InferContext& ctx) {
  check_conv_integer_dtypes(input_dtypes(ctx, 4), ctx);
  infer_integer_conv(ctx, 1, DType::Int32);
}

class ConvIntegerKernel final : public Kernel {
 public:
  explicit ConvIntegerKernel(const KernelInit& init)
      : label_(init.label()),
        attrs_(read_conv_attrs(init.attrs(), label_)),
        fast_(!init.reference()) {
    check_conv_integer_dtypes(input_dtypes(init, 4), init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    const Tensor* x_zp = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    const Tensor* w_zp = ctx.has_input(3) ? &ctx.input(3) : nullptr;
    check_conv_integer_dtypes({x.dtype(), w.dtype(), x_zp ? x_zp->dtype() : DType::Undefined,
                               w_zp ? w_zp->dtype() : DType::Undefined},
                              ctx);
    const ConvGeometry g = conv_geometry(attrs_, x, w, label_);
    int64_t x_zero = 0;
    if (x_zp) {
      check_per_tensor(*x_zp, "x_zero_point", ctx);
      x_zero = read_zero_points(*x_zp, "x_zero_point", ctx)[0];
    }
    std::vector<int64_t> w_zero(static_cast<size_t>(g.M), 0);
    if (w_zp) {
      const std::vector<int64_t> values = read_zero_points(*w_zp, "w_zero_point", ctx);
      const std::vector<int64_t> index = channel_index(*w_zp, g.M, "w_zero_point", ctx);
      for (int64_t m = 0; m < g.M; ++m) w_zero[m] = values[index[m]];
    }
    int32_t* py = ctx.allocate_output(0, DType::Int32, g.out_shape).data<int32_t>();
    if (fast_ && fast_integer_conv(x, w, x_zero, w_zero, g, attrs_.group, ctx.pool(), py)) return;
    integer_conv(x, w, x_zero, w_zero, g, attrs_.group, ctx.pool(),
                 [&](int64_t i, int64_t, int32_t acc) { py[i] = acc; });
  }

 private:
  std::string label_;
  ConvAttrs attrs_;
  bool fast_;
};

// ---- QLinearConv: x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale,
// y_zero_point, B ----

template <class Ctx>
void check_qlinear_conv_dtypes(const std::vector<DType>& t, Ctx& ctx) {
  const std::vector<DType> floats = {DType::Float};
  check_input_dtype(ctx, t[0], DType::Undefined, int8_dtypes(), "x");
  check_input_dtype(ctx, t[2], t[0], int8_dtypes(), "x_zero_point");
  check_input_dtype(ctx, t[3], DType::Undefined, int8_dtypes(), "w");
  check_input_dtype(ctx, t[5], t[3], int8_dtypes(), "w_zero_point");
  check_input_dtype(ctx, t[7], DType::Undefined, int8_dtypes(), "y_zero_point");
  check_input_dtype(ctx, t[1], DType::Undefined, floats, "x_scale");
  check_input_dtype(ctx, t[4], DType::Undefined, floats, "w_scale");
  check_input_dtype(ctx, t[6], DType::Undefined, floats, "y_scale");
  check_input_dtype(ctx, t[8], DType::Undefined, {DType::Int32}, "B");
}

void infer_qlinear_conv(InferContext& ctx) {
  const std::vector<DType> t = input_dtypes(ctx, 9);
  check_qlinear_conv_dtypes(t, ctx);
  infer_integer_conv(ctx, 3, t[7]);
}

class QLinearConvKernel final : public Kernel {
 public:
  explicit QLinearConvKernel(const KernelInit& init)
      : label_(init.label()),
        attrs_(read_conv_attrs(init.attrs(), label_)),
        fast_(!init.reference()) {
    for (int i = 0; i < 8; ++i)
      if (!init.has_input(i)) init.fail(cat("input ", i, " is missing; only B is optional"));
    check_qlinear_conv_dtypes(input_dtypes(init, 9), init);
  }

  void run(KernelContext& ctx) const override {
    std::vector<const Tensor*> in(9, nullptr);
    std::vector<DType> t(9, DType::Undefined);
    for (int i = 0; i < 9; ++i) {
      if (i < 8 || ctx.has_input(i)) in[i] = &ctx.input(i);
      if (in[i]) t[i] = in[i]->dtype();
    }
    check_qlinear_conv_dtypes(t, ctx);
    const Tensor &x = *in[0], &w = *in[3];
    const ConvGeometry g = conv_geometry(attrs_, x, w, label_);
    check_per_tensor(*in[1], "x_scale", ctx);
    check_per_tensor(*in[2], "x_zero_point", ctx);
    check_per_tensor(*in[6], "y_scale", ctx);
    check_per_tensor(*in[7], "y_zero_point", ctx);
    check_same_param_shape(*in[4], *in[5], "w", ctx);
    const double x_scale = read_scales(*in[1], "x_scale", ctx)[0];
    const int64_t x_zp = read_zero_points(*in[2], "x_zero_point", ctx)[0];
    const std::vector<int64_t> w_index = channel_index(*in[4], g.M, "w_scale", ctx);
    const std::vector<double> w_scales = read_scales(*in[4], "w_scale", ctx);
    const std::vector<int64_t> w_zps = read_zero_points(*in[5], "w_zero_point", ctx);
    const std::vector<double> y_scale = read_scales(*in[6], "y_scale", ctx);
    check_divisor_scales(y_scale, "y_scale", ctx);
    const int64_t y_zp = read_zero_points(*in[7], "y_zero_point", ctx)[0];
    std::vector<int64_t> w_zero(static_cast<size_t>(g.M));
    std::vector<float> multiplier(static_cast<size_t>(g.M));
    for (int64_t m = 0; m < g.M; ++m) {
      w_zero[m] = w_zps[w_index[m]];
      // In float, as the reference computes x_scale * w_scale / y_scale.
      multiplier[m] = static_cast<float>(x_scale) * static_cast<float>(w_scales[w_index[m]]) /
                      static_cast<float>(y_scale[0]);
    }
    const int32_t* bias = nullptr;
    if (in[8]) {
      if (in[8]->rank() != 1 || in[8]->dim(0) != g.M)
        ctx.fail(cat("B must have shape [", g.M, "], got ", in[8]->describe()));
      bias = in[8]->data<int32_t>();
    }

    Tensor& y = ctx.allocate_output(0, t[7], g.out_shape);
    if (fast_ && y.numel() > 0) {
      std::vector<int32_t> acc(static_cast<size_t>(y.numel()));
      if (fast_integer_conv(x, w, x_zp, w_zero, g, attrs_.group, ctx.pool(), acc.data())) {
        const int64_t P = g.window.output_size();
        dispatch<Int8Types>(t[7], "QLinearConv", [&](auto tag) {
          using Q = typename decltype(tag)::type;
          Q* py = y.data<Q>();
          // One row per (image, channel): the bias joins the sums (wrapping), then the
          // channel's multiplier requantizes them.
          ctx.pool().parallel_for(g.N * g.M, 4, [&](int64_t r0, int64_t r1) {
            std::vector<float> row_multiplier(static_cast<size_t>(P));
            for (int64_t r = r0; r < r1; ++r) {
              const int64_t m = r % g.M;
              int32_t* sums = acc.data() + r * P;
              if (bias)
                for (int64_t p = 0; p < P; ++p)
                  sums[p] = static_cast<int32_t>(static_cast<uint32_t>(sums[p]) +
                                                 static_cast<uint32_t>(bias[m]));
              std::fill(row_multiplier.begin(), row_multiplier.end(), multiplier[m]);
              kernels::requantize(sums, row_multiplier.data(), P, static_cast<int32_t>(y_zp),
                                  py + r * P);
            }
          });
        });
        return;
      }
    }
    dispatch<Int8Types>(t[7], "QLinearConv", [&](auto tag) {
      using Q = typename decltype(tag)::type;
      Q* py = y.data<Q>();
      integer_conv(
          x, w, x_zp, w_zero, g, attrs_.group, ctx.pool(), [&](int64_t i, int64_t m, int32_t acc) {
            // The bias joins the int32 sum (wrapping), then the sum is requantized.
            const auto sum = static_cast<int32_t>(static_cast<uint32_t>(acc) +
                                                  static_cast<uint32_t>(bias ? bias[m] : 0));
            py[i] = quantize_value<Q>(sum * static_cast<double>(multiplier[m]), y_zp);
          });
    });
  }

 private:
  std::string label_;
  ConvAttrs attrs_;
  bool fast_;
};

}  // namespace

// ---- 1. registration ----

void register_conv_integer(Registry& registry) {
  const std::map<std::string, AttrType> attrs = {
      {"auto_pad", AttrType::String},   {"dilations", AttrType::Ints}, {"group", AttrType::Int},
      {"kernel_shape", AttrType::Ints}, {"pads", AttrType::Ints},      {"strides", AttrType::Ints}};
  add_op_versions(registry, "ConvInteger", {{10, kOpsetOpen, int8_dtypes(), attrs}},
                  make_kernel<ConvIntegerKernel>(), infer_conv_integer);
  add_op_versions(registry, "QLinearConv", {{10, kOpsetOpen, int8_dtypes(), attrs}},
                  make_kernel<QLinearConvKernel>(), infer_qlinear_conv);
}

}  // namespace onyx
