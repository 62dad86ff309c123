// The channel-blocked layout's operators (domain ai.onyx; onyx/fused_ops.h), which the
// optimizer's blocked_layout pass puts in place of chains of 1x1 and depthwise
// convolutions. A blocked tensor of logical shape (N, C, H, W) is stored as
// (N, C' / b, H, W, b), b the `block` attribute and C' = C rounded up to b; its declared
// shape is (N, C', H, W), and the padded channels hold zero.
//
//   ReorderToBlocked(X) -> Y     X (N, C, H, W) float; Y blocked, (N, C', H, W)
//   ReorderFromBlocked(X) -> Y   X blocked (N, C', H, W); Y (N, channels, H, W), the
//                                `channels` attribute
//   BlockedConv(X, W, B?, Z?) -> Y   FusedConv's computation (Conv's attributes,
//                                `activation`, the residual Z) on blocked X, Z and Y; W
//                                and B as Conv takes them. Serves group 1 with a square
//                                window, stride 1 and one padding on every side, and 3x3
//                                depthwise (group = channels, padding 1, stride 1 or 2)
//
// The reference kernel of BlockedConv is the plain sum of the Conv formula, read through
// the blocked index; the fast one (kernels/nchwc) runs where the block is the CPU's own.
#include <algorithm>
#include <string>
#include <vector>

#include "common/parallel.h"
#include "common/shape_utils.h"
#include "common/spatial.h"
#include "kernels/nchwc/blocked_conv.h"
#include "nn/fused_epilogue.h"
#include "nn/nn.h"
#include "onyx/fused_ops.h"

namespace onyx {
namespace {

namespace nchwc = kernels::nchwc;

constexpr int64_t kMaxBlock = 64;
constexpr int64_t kMaxChannels = int64_t{1} << 40;  // far past any real tensor, far from overflow

int64_t read_channels(const Attrs& attrs, const NodeScope& scope) {
  const int64_t channels = attrs.get_int("channels", 0);
  if (channels < 1 || channels > kMaxChannels)
    scope.fail(cat("attribute channels must be in [1, 2^40], got ", channels));
  return channels;
}

int64_t read_block(const Attrs& attrs, const NodeScope& scope) {
  const int64_t block = attrs.get_int(fused::kBlock, 0);
  if (block < 1 || block > kMaxBlock)
    scope.fail(cat("attribute block must be in [1, ", kMaxBlock, "], got ", block));
  return block;
}

// Element (n, c, h, w) of a blocked tensor of C' channels (a multiple of the block).
struct BlockedIndex {
  int64_t channels, H, W, block;
  int64_t operator()(int64_t n, int64_t c, int64_t h, int64_t w) const {
    return (((n * (channels / block) + c / block) * H + h) * W + w) * block + c % block;
  }
};

// The dims of X as the blocked layout declares them: rank 4, C' a multiple of the block.
void check_blocked_dims(const std::vector<Dim>& x, int64_t block, const char* what,
                        const NodeScope& scope) {
  if (x.size() != 4) scope.fail(cat(what, " must be 4-D (N, C, H, W), got rank ", x.size()));
  if (x[1].is_known() && x[1].value % block != 0)
    scope.fail(
        cat(what, "'s channels (", x[1].value, ") must be a multiple of the block (", block, ")"));
}

// ---- ReorderToBlocked / ReorderFromBlocked ----

template <bool kToBlocked>
class ReorderKernel final : public Kernel {
 public:
  explicit ReorderKernel(const KernelInit& init)
      : block_(read_block(init.attrs(), init)),
        channels_(kToBlocked ? 0 : read_channels(init.attrs(), init)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::Float) ctx.fail(cat("X must be float, got ", x.describe()));
    if (x.rank() != 4) ctx.fail(cat("X must be 4-D (N, C, H, W), got ", x.describe()));
    const int64_t N = x.dim(0), H = x.dim(2), W = x.dim(3);
    const int64_t C = kToBlocked ? x.dim(1) : channels_;
    const int64_t padded = nchwc::padded_channels(C, block_);
    if (!kToBlocked && x.dim(1) != padded)
      ctx.fail(cat("X must have ", padded, " channels (", C, " rounded up to the block ", block_,
                   "), got ", x.describe()));
    Tensor& y =
        ctx.allocate_uninitialized_output(0, DType::Float, {N, kToBlocked ? padded : C, H, W});
    const kernels::Parallel parallel = parallel_of(ctx.pool());
    for (int64_t n = 0; n < N; ++n) {
      const float* xn = x.data<float>() + n * x.dim(1) * H * W;
      float* yn = y.data<float>() + n * y.dim(1) * H * W;
      if (kToBlocked)
        nchwc::to_blocked(xn, C, H * W, block_, yn, parallel);
      else
        nchwc::from_blocked(xn, C, H * W, block_, yn, parallel);
    }
  }

 private:
  int64_t block_, channels_;
};

void infer_reorder(InferContext& ctx, bool to_blocked) {
  const Attrs attrs(ctx.node(), ctx.label());
  const int64_t block = read_block(attrs, ctx);
  const TypeInfo& x = ctx.input(0);
  if (x.elem != DType::Float && x.elem != DType::Undefined)
    ctx.fail(cat("X must be float, got ", dtype_name(x.elem)));
  if (!x.has_shape()) return ctx.set_output(0, TypeInfo::tensor(DType::Float));
  std::vector<Dim> dims = *x.shape;
  if (to_blocked) {
    if (dims.size() != 4) ctx.fail(cat("X must be 4-D (N, C, H, W), got rank ", dims.size()));
    if (dims[1].is_known()) dims[1] = Dim::known(nchwc::padded_channels(dims[1].value, block));
  } else {
    check_blocked_dims(dims, block, "X", ctx);
    const int64_t channels = read_channels(attrs, ctx);
    if (dims[1].is_known() && dims[1].value != nchwc::padded_channels(channels, block))
      ctx.fail(cat("X must have ", nchwc::padded_channels(channels, block), " channels, got ",
                   dims[1].value));
    dims[1] = Dim::known(channels);
  }
  ctx.set_output(0, TypeInfo::tensor(DType::Float, dims));
}

// ---- BlockedConv ----

// The geometry a node asks for, from Conv's attributes and W's dims (its channels set
// at run time); fails naming what is off.
nchwc::BlockedConvShape read_geometry(const ConvAttrs& a, const std::vector<Dim>& w,
                                      const NodeScope& scope) {
  const WindowAttrs& win = a.window;
  auto all = [](const std::vector<int64_t>& v, int64_t value) {
    return std::all_of(v.begin(), v.end(), [&](int64_t d) { return d == value; });
  };
  auto fail = [&]() -> nchwc::BlockedConvShape {
    scope.fail(
        "BlockedConv computes 2-D convolutions with no auto_pad or dilation: group 1 with a "
        "square window, stride 1 and one padding on every side (less than the window), or 3x3 "
        "depthwise with padding 1 and stride 1 or 2");
  };
  if (w.size() != 4 || win.auto_pad != AutoPad::NotSet || !all(win.dilations, 1) ||
      (!win.kernel_shape.empty() && win.kernel_shape.size() != 2) ||
      (!win.strides.empty() && win.strides.size() != 2) ||
      (!win.dilations.empty() && win.dilations.size() != 2) ||
      (!win.pads.empty() && win.pads.size() != 4) || !w[2].is_known() || !w[3].is_known())
    return fail();
  nchwc::BlockedConvShape s;
  if (a.group == 1) {
    const int64_t pad = win.pads.empty() ? 0 : win.pads[0];
    if (w[2].value != w[3].value || !all(win.strides, 1) || !all(win.pads, pad) ||
        pad >= w[2].value)
      return fail();
    if (w[2].value > 1 || pad > 0) {
      s.kind = nchwc::BlockedConvKind::Dense;
      s.K = w[2].value;
      s.dense_pad = pad;
    }
    return s;
  }
  s.kind = nchwc::BlockedConvKind::Depthwise;
  s.stride = win.strides.empty() ? 1 : win.strides[0];
  if (w[2].value != 3 || w[3].value != 3 || !w[1].is_known() || w[1].value != 1 ||
      !w[0].is_known() || w[0].value != a.group || win.pads.size() != 4 || !all(win.pads, 1) ||
      (s.stride != 1 && s.stride != 2) || !all(win.strides, s.stride))
    return fail();
  return s;
}

class BlockedConvKernel final : public Kernel {
 public:
  explicit BlockedConvKernel(const KernelInit& init)
      : attrs_(read_conv_attrs(init.attrs(), init.label())),
        block_(read_block(init.attrs(), init)),
        activation_(read_fused_activation(init)) {
    if (!init.has_input(0) || !init.has_input(1)) init.fail("BlockedConv needs inputs X and W");
    if (init.num_inputs() > 4) init.fail(cat("too many inputs (", init.num_inputs(), ")"));
    const Tensor* w = init.constant_input(1);
    const Tensor* b = init.has_input(2) ? init.constant_input(2) : nullptr;
    if (init.reference() || w == nullptr || w->dtype() != DType::Float ||
        (init.has_input(2) && (b == nullptr || b->dtype() != DType::Float)) ||
        block_ != nchwc::native_block())
      return;
    if (b != nullptr && (b->rank() != 1 || b->dim(0) != w->dim(0))) return;  // run() says so
    shape_ = read_geometry(attrs_, known_dims(w->shape()), init);
    shape_.M = w->dim(0);
    shape_.C = shape_.kind == nchwc::BlockedConvKind::Depthwise ? shape_.M : w->dim(1);
    packed_ =
        nchwc::BlockedConvWeights(shape_, w->data<float>(), b ? b->data<float>() : nullptr, block_);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    const Tensor* b = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    const Tensor* z = ctx.has_input(3) ? &ctx.input(3) : nullptr;
    if (x.dtype() != DType::Float || w.dtype() != DType::Float || (b && b->dtype() != DType::Float))
      ctx.fail(cat("X, W and B must be float; got ", x.describe(), ", ", w.describe(),
                   b ? ", " + b->describe() : ""));
    check_blocked_dims(known_dims(x.shape()), block_, "X", ctx);
    const nchwc::BlockedConvShape g = read_geometry(attrs_, known_dims(w.shape()), ctx);
    const int64_t N = x.dim(0), H = x.dim(2), W = x.dim(3), M = w.dim(0);
    const int64_t C = g.kind == nchwc::BlockedConvKind::Depthwise ? M : w.dim(1);
    if (x.dim(1) != nchwc::padded_channels(C, block_))
      ctx.fail(cat("X must have ", nchwc::padded_channels(C, block_), " channels (", C,
                   " rounded up to the block ", block_, "), got ", x.describe()));
    if (b && (b->rank() != 1 || b->dim(0) != M))
      ctx.fail(cat("B must have shape [", M, "], got ", b->describe()));
    const Shape out = {N, nchwc::padded_channels(M, block_), g.out(H), g.out(W)};
    if (z && (z->dtype() != DType::Float || z->shape() != out))
      ctx.fail(cat("the residual Z must be float of the output's shape ", shape_to_string(out),
                   "; got ", z->describe()));
    if (!packed_.empty()) {
      Tensor& y = ctx.allocate_uninitialized_output(0, DType::Float, out);  // all written
      nchwc::BlockedConvShape s = shape_;
      s.H = H;
      s.W = W;
      const int64_t in_image = x.dim(1) * H * W, out_image = out[1] * out[2] * out[3];
      const kernels::Parallel parallel = parallel_of(ctx.pool());
      for (int64_t n = 0; n < N; ++n)
        nchwc::blocked_conv(s, packed_, x.data<float>() + n * in_image,
                            z ? z->data<float>() + n * out_image : nullptr, activation_,
                            y.data<float>() + n * out_image, parallel);
      return;
    }
    Tensor& y = ctx.allocate_output(0, DType::Float, out);
    run_reference(g, x, w, b, C, M, y);
    apply_fused_epilogue(activation_, z, y);
    zero_padded_channels(M, y);
  }

 private:
  // Y[n, m, oh, ow] = B[m] + the Conv sum over the window, each element read through the
  // blocked index; taps on the padding read zero. Depthwise: channel m alone.
  void run_reference(const nchwc::BlockedConvShape& g, const Tensor& x, const Tensor& w,
                     const Tensor* b, int64_t C, int64_t M, Tensor& y) const {
    const BlockedIndex in{x.dim(1), x.dim(2), x.dim(3), block_};
    const BlockedIndex at{y.dim(1), y.dim(2), y.dim(3), block_};
    const bool depthwise = g.kind == nchwc::BlockedConvKind::Depthwise;
    const int64_t K = g.kernel(), Cg = depthwise ? 1 : C;
    const float* X = x.data<float>();
    const float* Wt = w.data<float>();
    float* Y = y.data<float>();
    for (int64_t n = 0; n < y.dim(0); ++n)
      for (int64_t m = 0; m < M; ++m)
        for (int64_t oh = 0; oh < y.dim(2); ++oh)
          for (int64_t ow = 0; ow < y.dim(3); ++ow) {
            float acc = b ? b->data<float>()[m] : 0.0f;
            for (int64_t c = 0; c < Cg; ++c)
              for (int64_t kh = 0; kh < K; ++kh)
                for (int64_t kw = 0; kw < K; ++kw) {
                  const int64_t ih = oh * g.stride - g.pad() + kh,
                                iw = ow * g.stride - g.pad() + kw;
                  if (ih >= 0 && ih < x.dim(2) && iw >= 0 && iw < x.dim(3))
                    acc +=
                        X[in(n, depthwise ? m : c, ih, iw)] * Wt[((m * Cg + c) * K + kh) * K + kw];
                }
            Y[at(n, m, oh, ow)] = acc;
          }
  }

  // The padded channels hold zero, whatever the epilogue made of them.
  void zero_padded_channels(int64_t M, Tensor& y) const {
    const BlockedIndex at{y.dim(1), y.dim(2), y.dim(3), block_};
    for (int64_t n = 0; n < y.dim(0); ++n)
      for (int64_t m = M; m < y.dim(1); ++m)
        for (int64_t h = 0; h < y.dim(2); ++h)
          for (int64_t w = 0; w < y.dim(3); ++w) y.data<float>()[at(n, m, h, w)] = 0.0f;
  }

  ConvAttrs attrs_;
  int64_t block_;
  kernels::ActivationParams activation_;
  nchwc::BlockedConvShape shape_;     // channels and geometry, when packed_ is set
  nchwc::BlockedConvWeights packed_;  // empty: the reference loop runs
};

void infer_blocked_conv(InferContext& ctx) {
  const Attrs attrs(ctx.node(), ctx.label());
  const ConvAttrs a = read_conv_attrs(attrs, ctx.label());
  const int64_t block = read_block(attrs, ctx);
  const TypeInfo& x = ctx.input(0);
  const TypeInfo& w = ctx.input(1);
  if (!x.has_shape() || !w.has_shape()) return ctx.set_output(0, TypeInfo::tensor(DType::Float));
  check_blocked_dims(*x.shape, block, "X", ctx);
  const nchwc::BlockedConvShape g = read_geometry(a, *w.shape, ctx);
  const std::vector<Dim>& xd = *x.shape;
  const Dim& M = (*w.shape)[0];
  auto out_dim = [&](const Dim& in) { return in.is_known() ? Dim::known(g.out(in.value)) : Dim{}; };
  ctx.set_output(
      0, TypeInfo::tensor(
             DType::Float,
             std::vector<Dim>{
                 xd[0], M.is_known() ? Dim::known(nchwc::padded_channels(M.value, block)) : Dim{},
                 out_dim(xd[2]), out_dim(xd[3])}));
}

}  // namespace

void register_blocked_conv(Registry& registry) {
  const std::vector<DType> f32 = {DType::Float};
  registry.add(KernelDef{fused::kDomain,
                         fused::kToBlocked,
                         fused::kVersion,
                         kOpsetOpen,
                         f32,
                         0,
                         make_kernel<ReorderKernel<true>>(),
                         [](InferContext& ctx) { infer_reorder(ctx, true); },
                         {{fused::kBlock, AttrType::Int}}});
  registry.add(KernelDef{fused::kDomain,
                         fused::kFromBlocked,
                         fused::kVersion,
                         kOpsetOpen,
                         f32,
                         0,
                         make_kernel<ReorderKernel<false>>(),
                         [](InferContext& ctx) { infer_reorder(ctx, false); },
                         {{fused::kBlock, AttrType::Int}, {"channels", AttrType::Int}}});
  std::map<std::string, AttrType> attrs = with_fused_attrs({{"auto_pad", AttrType::String},
                                                            {"dilations", AttrType::Ints},
                                                            {"group", AttrType::Int},
                                                            {"kernel_shape", AttrType::Ints},
                                                            {"pads", AttrType::Ints},
                                                            {"strides", AttrType::Ints}});
  attrs[fused::kBlock] = AttrType::Int;
  registry.add(KernelDef{fused::kDomain, fused::kBlockedConv, fused::kVersion, kOpsetOpen, f32, 0,
                         make_kernel<BlockedConvKernel>(), infer_blocked_conv, attrs});
}

}  // namespace onyx
