// DeformConv (opsets 19, 22): a 2-D convolution whose kernel taps are moved per output
// position by learned offsets. X (N, C, H, W), W (oC, C/group, kH, kW), offset
// (N, offset_group * kH * kW * 2, oH, oW) with (dh, dw) pairs per tap, optional B (oC) and
// mask (N, offset_group * kH * kW, oH, oW). Tap (i, j) of output (oh, ow) reads channel c
// (of offset group g = c / (C / offset_group)) at the fractional position
//
//   h = oh * stride_h - pad_top  + i * dilation_h + dh[g, i, j, oh, ow]
//   w = ow * stride_w - pad_left + j * dilation_w + dw[g, i, j, oh, ow]
//
// by bilinear interpolation, corners outside X reading 0 (GridSample with align_corners
// and zero padding, as the reference implementation samples), times mask[g, i, j, oh, ow]
// (1 without a mask); Y = B + the sum of weight * sample over the group's channels and taps.
// oH and oW follow Conv's rule; only 2-D, as the reference implementation.
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "common/shape_utils.h"
#include "common/spatial.h"
#include "nn/nn.h"
#include "nn/nn_util.h"

namespace onyx {
namespace {

class DeformConvKernel : public Kernel {
 public:
  explicit DeformConvKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;

 private:
  ConvAttrs attrs_;
  int64_t offset_group_ = 1;
  std::string label_;
};

int64_t read_offset_group(const Attrs& attrs, const std::string& label) {
  const int64_t g = attrs.get_int("offset_group", 1);
  if (g < 1) fail(label, ": offset_group must be positive, got ", g);
  return g;
}

void infer_deform_conv(InferContext& ctx) {
  const Attrs attrs(ctx.node(), ctx.label());
  read_offset_group(attrs, ctx.label());
  const ConvAttrs a = read_conv_attrs(attrs, ctx.label());
  const TypeInfo& x = ctx.input(0);
  if (!x.has_shape()) {
    ctx.set_output(0, TypeInfo::tensor(x.elem));
    return;
  }
  if (x.shape->size() != 4)
    ctx.fail(cat("only 2-D DeformConv is supported: X must be (N, C, H, W), got rank ",
                 x.shape->size()));
  ctx.set_output(
      0, TypeInfo::tensor(x.elem, conv_output_dims(a, *x.shape, ctx.input(1).shape, ctx.label())));
}

// Bilinear sample of plane p (H x W) at (h, w); corners outside read 0.
double bilinear(const std::vector<double>& p, int64_t H, int64_t W, double h, double w) {
  if (!(h > -1.0 && h < static_cast<double>(H) && w > -1.0 && w < static_cast<double>(W)))
    return 0.0;  // every corner is outside (also NaN)
  const double h0f = std::floor(h), w0f = std::floor(w);
  const int64_t h0 = static_cast<int64_t>(h0f), w0 = static_cast<int64_t>(w0f);
  const double fh = h - h0f, fw = w - w0f;
  double v = 0;
  for (int dh = 0; dh < 2; ++dh)
    for (int dw = 0; dw < 2; ++dw) {
      const int64_t y = h0 + dh, x = w0 + dw;
      if (y < 0 || y >= H || x < 0 || x >= W) continue;
      v += (dh ? fh : 1 - fh) * (dw ? fw : 1 - fw) * p[y * W + x];
    }
  return v;
}

}  // namespace

// ---- registration ----

void register_deform_conv(Registry& registry) {
  const std::vector<DType> f = {DType::Float16, DType::Float, DType::Double};
  const std::map<std::string, AttrType> attrs = {
      {"dilations", AttrType::Ints},   {"group", AttrType::Int}, {"kernel_shape", AttrType::Ints},
      {"offset_group", AttrType::Int}, {"pads", AttrType::Ints}, {"strides", AttrType::Ints}};
  std::vector<DType> f22 = f;
  f22.push_back(DType::BFloat16);
  add_op_versions(registry, "DeformConv", {{19, 21, f, attrs}, {22, kOpsetOpen, f22, attrs}},
                  make_kernel<DeformConvKernel>(), infer_deform_conv);
}

// ---- construction ----

DeformConvKernel::DeformConvKernel(const KernelInit& init)
    : attrs_(read_conv_attrs(init.attrs(), init.label())),
      offset_group_(read_offset_group(init.attrs(), init.label())),
      label_(init.label()) {
  if (!init.has_input(1) || !init.has_input(2))
    init.fail("DeformConv needs inputs X, W and offset");
  const TypeInfo& x = init.input_type(0);
  if (x.has_shape() && x.shape->size() != 4)
    init.fail(cat("only 2-D DeformConv is supported: X must be (N, C, H, W), got rank ",
                  x.shape->size()));
  const TypeInfo& w = init.input_type(1);
  if (x.has_shape() && w.has_shape()) check_conv_dims(attrs_, *x.shape, *w.shape, label_);
}

// ---- compute ----

void DeformConvKernel::run(KernelContext& ctx) const {
  const Tensor &x = ctx.input(0), &wt = ctx.input(1), &offset = ctx.input(2);
  if (x.rank() != 4 || wt.rank() != 4)
    ctx.fail(cat("only 2-D DeformConv is supported: X and W must have rank 4, got ", x.describe(),
                 " and ", wt.describe()));
  check_conv_dims(attrs_, known_dims(x.shape()), known_dims(wt.shape()), label_);
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int64_t M = wt.dim(0), Cg = wt.dim(1), kH = wt.dim(2), kW = wt.dim(3);
  const int64_t G = attrs_.group, OG = offset_group_;
  if (C != Cg * G || M % G != 0)
    ctx.fail(cat("X ", x.describe(), " and W ", wt.describe(), " do not fit group ", G));
  if (C % OG != 0) ctx.fail(cat("offset_group ", OG, " does not divide the ", C, " channels"));
  const Window win = resolve_window(attrs_.window, Shape{H, W}, {kH, kW}, label_);
  const AxisWindow &ah = win.axes()[0], &aw = win.axes()[1];
  const int64_t oH = ah.out, oW = aw.out, taps = kH * kW;
  if (offset.shape() != Shape{N, OG * taps * 2, oH, oW})
    ctx.fail(cat("offset must be (", N, ", ", OG * taps * 2, ", ", oH, ", ", oW, "), got ",
                 offset.describe()));
  const bool has_bias = ctx.num_inputs() > 3 && ctx.has_input(3);
  const bool has_mask = ctx.num_inputs() > 4 && ctx.has_input(4);
  if (has_bias && ctx.input(3).shape() != Shape{M})
    ctx.fail(cat("B must be (", M, "), got ", ctx.input(3).describe()));
  if (has_mask && ctx.input(4).shape() != Shape{N, OG * taps, oH, oW})
    ctx.fail(cat("mask must be (", N, ", ", OG * taps, ", ", oH, ", ", oW, "), got ",
                 ctx.input(4).describe()));
  for (const Tensor* t : {&wt, &offset})
    if (t->dtype() != x.dtype()) ctx.fail(cat("inputs must share X's dtype, got ", t->describe()));

  const char* op = "DeformConv";
  const std::vector<double> xs = float_values<double>(x, op), ws = float_values<double>(wt, op);
  const std::vector<double> off = float_values<double>(offset, op);
  const std::vector<double> bias = has_bias ? float_values<double>(ctx.input(3), op)
                                            : std::vector<double>(static_cast<size_t>(M), 0.0);
  const std::vector<double> mask =
      has_mask ? float_values<double>(ctx.input(4), op) : std::vector<double>{};
  const int64_t P = oH * oW, Mg = M / G;
  std::vector<double> acc(static_cast<size_t>(checked_numel(Shape{N, M, oH, oW})));
  std::vector<double> plane(static_cast<size_t>(H * W));
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t m = 0; m < M; ++m)
      std::fill(acc.begin() + (n * M + m) * P, acc.begin() + (n * M + m + 1) * P, bias[m]);
    for (int64_t c = 0; c < C; ++c) {
      std::copy(xs.begin() + (n * C + c) * H * W, xs.begin() + (n * C + c + 1) * H * W,
                plane.begin());
      const int64_t g = c / (C / OG), group = c / Cg, ci = c % Cg;
      for (int64_t t = 0; t < taps; ++t) {
        const int64_t i = t / kW, j = t % kW;
        const double* dh = off.data() + ((n * OG + g) * taps + t) * 2 * P;
        const double* dw = dh + P;
        const double* mk = has_mask ? mask.data() + ((n * OG + g) * taps + t) * P : nullptr;
        for (int64_t p = 0; p < P; ++p) {
          const int64_t oh = p / oW, ow = p % oW;
          const double h = static_cast<double>(oh * ah.stride - ah.pad_begin + i * ah.dilation);
          const double w = static_cast<double>(ow * aw.stride - aw.pad_begin + j * aw.dilation);
          double v = bilinear(plane, H, W, h + dh[p], w + dw[p]);
          if (mk) v *= mk[p];
          for (int64_t m = group * Mg; m < (group + 1) * Mg; ++m)
            acc[(n * M + m) * P + p] += ws[((m * Cg + ci) * kH + i) * kW + j] * v;
        }
      }
    }
  }
  Tensor& y = ctx.allocate_uninitialized_output(0, x.dtype(), Shape{N, M, oH, oW});
  dispatch<FloatTypes>(x.dtype(), op, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* py = y.data<T>();
    for (size_t k = 0; k < acc.size(); ++k) py[k] = from_acc<T>(static_cast<acc_t<T>>(acc[k]));
  });
}

}  // namespace onyx
