// Conv: N-D convolution with groups, strides, dilations and padding.
//
//   X: (N, C, D1..Dn)   W: (M, C / group, k1..kn)   B: (M), optional
//   Y[n, m, o] = B[m] + sum over c < C/group and kernel taps k of
//                X[n, g * C/group + c, o * stride - pad_begin + k * dilation] * W[m, c, k]
// where g = m / (M / group) is the group of output channel m and taps on the padding
// read zero. The window geometry comes from common/spatial.h.
//
// The same kernel serves the optimizer's FusedConv (onyx/fused_ops.h), which adds a
// residual input Z (Y's shape) and an activation: Y = activation(Conv(X, W, B) + Z).
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "common/dtype_lists.h"
#include "common/parallel.h"
#include "common/shape_utils.h"
#include "common/spatial.h"
#include "kernels/conv/conv2d.h"
#include "kernels/conv/winograd.h"
#include "nn/fused_epilogue.h"
#include "nn/nn.h"
#include "nn/nn_util.h"
#include "onyx/fused_ops.h"

namespace onyx {
namespace {

// Winograd pays when both channel counts are large enough for its 36 GEMMs to dominate
// the tile transforms (bench/RESULTS.md).
constexpr int64_t kWinogradMinChannels = 32;

class ConvKernel : public Kernel {
 public:
  explicit ConvKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;

 private:
  // Float 2-D convolution with constant weights: Winograd, GEMM over packed weights,
  // or the direct depthwise kernel. Writes every element of y.
  void run_fast(KernelContext& ctx, const Tensor& x, const Tensor* b, const Tensor* z,
                const Window& win, Tensor& y) const;

  std::string label_;
  ConvAttrs attrs_;
  kernels::ActivationParams activation_;  // FusedConv only
  // Set up at construction when the fast path applies.
  bool fast_ = false;
  bool depthwise_ = false;
  Tensor weights_;                     // the constant W (depthwise reads it directly)
  Shape weight_shape_;                 // W's shape, kept when W itself is dropped
  bool weights_dropped_ = false;       // W lives on only in packed_ or winograd_
  kernels::PackedConvWeights packed_;  // W as GEMM A panels, per group
  kernels::WinogradWeights winograd_;  // 3x3 stride 1: W transformed for F(4x4, 3x3)
};

void infer_conv(InferContext& ctx);

}  // namespace

// ---- registration ----

void register_conv(Registry& registry) {
  // Conv-11 only relaxed the kernel_shape/pads wording and Conv-22 only added bfloat16; all
  // compute the same (the half types accumulate in float, see acc_t).
  const std::vector<DType> dtypes = float_dtypes();
  const std::map<std::string, AttrType> attrs = {
      {"auto_pad", AttrType::String},   {"dilations", AttrType::Ints}, {"group", AttrType::Int},
      {"kernel_shape", AttrType::Ints}, {"pads", AttrType::Ints},      {"strides", AttrType::Ints}};
  add_op_versions(registry, "Conv",
                  {{1, 10, dtypes, attrs},
                   {11, 21, dtypes, attrs},
                   {22, kOpsetOpen, float_dtypes_bf16(), attrs}},
                  make_kernel<ConvKernel>(), infer_conv);
  registry.add(KernelDef{fused::kDomain, fused::kConv, fused::kVersion, kOpsetOpen,
                         float_dtypes_bf16(), 0, make_kernel<ConvKernel>(), infer_conv,
                         with_fused_attrs(attrs)});
}

// ---- construction ----

ConvKernel::ConvKernel(const KernelInit& init)
    : label_(init.label()),
      attrs_(read_conv_attrs(init.attrs(), init.label())),
      activation_(read_fused_activation(init)) {
  if (!init.has_input(0) || !init.has_input(1)) init.fail("Conv needs inputs X and W");
  if (init.num_inputs() > (is_fused_node(init.node()) ? 4 : 3))
    init.fail(cat("too many inputs (", init.num_inputs(), ")"));
  const TypeInfo& x = init.input_type(0);
  const TypeInfo& w = init.input_type(1);
  if (x.has_shape() && w.has_shape()) check_conv_dims(attrs_, *x.shape, *w.shape, label_);

  const Tensor* w_const = init.constant_input(1);
  if (init.reference() || !w_const || w_const->dtype() != DType::Float || w_const->rank() != 4 ||
      (x.elem != DType::Float && x.elem != DType::Undefined))
    return;
  const int64_t M = w_const->dim(0), Cg = w_const->dim(1), group = attrs_.group;
  if (group <= 0 || M % group != 0 || Cg <= 0) return;  // run() reports the error
  fast_ = true;
  weights_ = *w_const;
  depthwise_ = Cg == 1 && M == group;
  if (depthwise_) return;
  kernels::Conv2dShape s;
  s.C = Cg * group;
  s.M = M;
  s.group = group;
  s.KH = w_const->dim(2);
  s.KW = w_const->dim(3);
  auto all_ones = [](const std::vector<int64_t>& v) {
    return std::all_of(v.begin(), v.end(), [](int64_t d) { return d == 1; });
  };
  // The output is about the input's size (stride 1); unknown sizes count as large.
  const bool enough_tiles =
      !x.has_shape() || x.shape->size() != 4 || !(*x.shape)[2].is_known() ||
      !(*x.shape)[3].is_known() ||
      ((*x.shape)[2].value + 3) / 4 * (((*x.shape)[3].value + 3) / 4) >= kernels::kWinogradMinTiles;
  if (s.KH == 3 && s.KW == 3 && group == 1 && all_ones(attrs_.window.strides) &&
      all_ones(attrs_.window.dilations) && Cg >= kWinogradMinChannels &&
      M >= kWinogradMinChannels && enough_tiles) {
    winograd_ =
        kernels::WinogradWeights(weights_.data<float>(), M, Cg, kernels::default_microkernel());
  } else {
    // A pointwise layer's packing depends on its positions per image, where the input's
    // shape says them (kernels::PackedConvWeights: few positions multiply transposed).
    const bool pointwise = s.KH == 1 && s.KW == 1 && all_ones(attrs_.window.strides) &&
                           std::all_of(attrs_.window.pads.begin(), attrs_.window.pads.end(),
                                       [](int64_t p) { return p == 0; });
    if (pointwise && x.has_shape() && x.shape->size() == 4 && (*x.shape)[2].is_known() &&
        (*x.shape)[3].is_known()) {
      s.H = s.OH = (*x.shape)[2].value;
      s.W = s.OW = (*x.shape)[3].value;
    }
    packed_ = kernels::PackedConvWeights(s, weights_.data<float>(), kernels::default_microkernel());
  }
  // The transformed copy is all run() reads: W itself may go.
  weight_shape_ = weights_.shape();
  weights_ = Tensor();
  weights_dropped_ = true;
  init.drop_constant_input(1);
}

// ---- shape rule ----

namespace {

void infer_conv(InferContext& ctx) {
  const ConvAttrs a = read_conv_attrs(Attrs(ctx.node(), ctx.label()), ctx.label());
  const TypeInfo& x = ctx.input(0);
  if (!x.has_shape()) return ctx.set_output(0, TypeInfo::tensor(x.elem));
  ctx.set_output(
      0, TypeInfo::tensor(x.elem, conv_output_dims(a, *x.shape, ctx.input(1).shape, ctx.label())));
}

}  // namespace

// ---- compute ----

void ConvKernel::run(KernelContext& ctx) const {
  const Tensor& x = ctx.input(0);
  const Tensor* w = weights_dropped_ ? nullptr : &ctx.input(1);
  const Shape& w_shape = w ? w->shape() : weight_shape_;
  const DType w_dtype = w ? w->dtype() : DType::Float;
  const Tensor* b = ctx.has_input(2) ? &ctx.input(2) : nullptr;
  const Tensor* z = ctx.has_input(3) ? &ctx.input(3) : nullptr;  // FusedConv's residual
  if (w_dtype != x.dtype() || (b && b->dtype() != x.dtype()))
    ctx.fail(cat("X, W and B must share one dtype; got ", x.describe(), ", ", dtype_name(w_dtype),
                 shape_to_string(w_shape), b ? ", " + b->describe() : ""));
  check_conv_dims(attrs_, known_dims(x.shape()), known_dims(w_shape), label_);
  const int64_t N = x.dim(0), C = x.dim(1), M = w_shape[0], Cg = w_shape[1];
  if (b && (b->rank() != 1 || b->dim(0) != M))
    ctx.fail(cat("B must have shape [", M, "], got ", b->describe()));
  const Shape x_spatial(x.shape().begin() + 2, x.shape().end());
  const std::vector<int64_t> kernel(w_shape.begin() + 2, w_shape.end());
  const Window win = resolve_window(attrs_.window, x_spatial, kernel, label_);

  Shape out_shape = {N, M};
  for (int64_t d : win.output_dims()) out_shape.push_back(d);
  if (z && (z->dtype() != x.dtype() || z->shape() != out_shape))
    ctx.fail(cat("the residual Z must be ", dtype_name(x.dtype()), " of the output's shape ",
                 shape_to_string(out_shape), "; got ", z->describe()));
  if (fast_ && x.dtype() == DType::Float && win.rank() == 2) {
    run_fast(ctx, x, b, z, win, ctx.allocate_uninitialized_output(0, x.dtype(), out_shape));
    return;
  }
  if (!w) ctx.fail("W was packed at load, but this input needs the reference loop");
  Tensor& y = ctx.allocate_output(0, x.dtype(), out_shape);
  const int64_t P = win.output_size(), Q = win.taps(), S = win.input_size();
  const int64_t Mg = M / attrs_.group;  // output channels per group

  dispatch<FloatTypes>(x.dtype(), "Conv", [&](auto tag) {
    using T = typename decltype(tag)::type;
    using A = acc_t<T>;
    const T* X = x.data<T>();
    const T* W = w->data<T>();
    const T* B = b ? b->data<T>() : nullptr;
    T* Y = y.data<T>();
    // Chunks of output positions are independent: each writes its own Y elements.
    ctx.pool().parallel_for(P, 16, [&](int64_t p0, int64_t p1) {
      std::vector<int64_t> taps;
      for (int64_t p = p0; p < p1; ++p) {
        win.taps_of(p, taps);  // input offsets read by output position p
        for (int64_t n = 0; n < N; ++n) {
          for (int64_t m = 0; m < M; ++m) {
            const T* xg = X + (n * C + (m / Mg) * Cg) * S;  // first channel of m's group
            const T* wm = W + m * Cg * Q;
            A acc = B ? static_cast<A>(B[m]) : A(0);
            for (int64_t c = 0; c < Cg; ++c) {
              const T* xc = xg + c * S;
              const T* wc = wm + c * Q;
              for (int64_t q = 0; q < Q; ++q) {
                if (taps[q] >= 0) acc += static_cast<A>(xc[taps[q]]) * static_cast<A>(wc[q]);
              }
            }
            Y[(n * M + m) * P + p] = from_acc<T>(acc);
          }
        }
      }
    });
  });
  apply_fused_epilogue(activation_, z, y);
}

void ConvKernel::run_fast(KernelContext& ctx, const Tensor& x, const Tensor* b, const Tensor* z,
                          const Window& win, Tensor& y) const {
  const AxisWindow& h = win.axes()[0];
  const AxisWindow& w = win.axes()[1];
  kernels::Conv2dShape s;
  s.C = x.dim(1);
  s.M = y.dim(1);
  s.group = attrs_.group;
  s.set_axes(h, w);
  if (s.OH <= 0 || s.OW <= 0) return;  // nothing to compute
  const kernels::Parallel parallel = parallel_of(ctx.pool());
  const float* X = x.data<float>();
  float* Y = y.data<float>();
  auto image = [&](int64_t n, const kernels::Parallel& par) {
    const float* xn = X + n * s.C * s.H * s.W;
    const int64_t out_offset = n * s.M * s.OH * s.OW;
    float* yn = Y + out_offset;
    kernels::ConvEpilogue ep;
    ep.bias = b ? b->data<float>() : nullptr;
    ep.residual = z ? z->data<float>() + out_offset : nullptr;
    ep.activation = activation_;
    if (depthwise_)
      kernels::conv2d_depthwise(s, weights_.data<float>(), xn, yn, ep, par);
    else if (!winograd_.empty())
      kernels::conv2d_winograd(s, winograd_, xn, yn, ep, par);
    else
      kernels::conv2d_gemm(s, packed_, xn, yn, ep, par);
  };
  const int64_t N = x.dim(0);
  if (N > 1 && N >= parallel.threads) {  // a batch: whole images per thread
    parallel.for_tasks(N, [&](int64_t n0, int64_t n1) {
      for (int64_t n = n0; n < n1; ++n) image(n, kernels::serial());
    });
  } else {
    for (int64_t n = 0; n < N; ++n) image(n, parallel);
  }
}

}  // namespace onyx
