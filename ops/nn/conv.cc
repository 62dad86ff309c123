// Conv: N-D convolution with groups, strides, dilations and padding.
//
//   X: (N, C, D1..Dn)   W: (M, C / group, k1..kn)   B: (M), optional
//   Y[n, m, o] = B[m] + sum over c < C/group and kernel taps k of
//                X[n, g * C/group + c, o * stride - pad_begin + k * dilation] * W[m, c, k]
// where g = m / (M / group) is the group of output channel m and taps on the padding
// read zero. The window geometry comes from common/spatial.h.
#include <map>
#include <string>
#include <vector>

#include "common/shape_utils.h"
#include "common/spatial.h"
#include "nn/nn.h"
#include "nn/nn_util.h"

namespace onyx {
namespace {

class ConvKernel : public Kernel {
 public:
  explicit ConvKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;

 private:
  std::string label_;
  ConvAttrs attrs_;
};

void infer_conv(InferContext& ctx);

}  // namespace

// ---- registration ----

void register_conv(Registry& registry) {
  // Conv-11 only relaxed the kernel_shape/pads wording; both versions compute the same.
  const std::vector<DType> dtypes = {DType::Float, DType::Double, DType::Float16};
  const std::map<std::string, AttrType> attrs = {
      {"auto_pad", AttrType::String},   {"dilations", AttrType::Ints}, {"group", AttrType::Int},
      {"kernel_shape", AttrType::Ints}, {"pads", AttrType::Ints},      {"strides", AttrType::Ints}};
  add_op_versions(registry, "Conv", {{1, 10, dtypes, attrs}, {11, kOpsetOpen, dtypes, attrs}},
                  make_kernel<ConvKernel>(), infer_conv);
}

// ---- construction ----

ConvKernel::ConvKernel(const KernelInit& init)
    : label_(init.label()), attrs_(read_conv_attrs(init.attrs(), init.label())) {
  if (!init.has_input(0) || !init.has_input(1)) init.fail("Conv needs inputs X and W");
  const TypeInfo& x = init.input_type(0);
  const TypeInfo& w = init.input_type(1);
  if (x.has_shape() && w.has_shape()) check_conv_dims(attrs_, *x.shape, *w.shape, label_);
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
  const Tensor& w = ctx.input(1);
  const Tensor* b = ctx.has_input(2) ? &ctx.input(2) : nullptr;
  if (w.dtype() != x.dtype() || (b && b->dtype() != x.dtype()))
    ctx.fail(cat("X, W and B must share one dtype; got ", x.describe(), ", ", w.describe(),
                 b ? ", " + b->describe() : ""));
  check_conv_dims(attrs_, known_dims(x.shape()), known_dims(w.shape()), label_);
  const int64_t N = x.dim(0), C = x.dim(1), M = w.dim(0), Cg = w.dim(1);
  if (b && (b->rank() != 1 || b->dim(0) != M))
    ctx.fail(cat("B must have shape [", M, "], got ", b->describe()));
  const Shape x_spatial(x.shape().begin() + 2, x.shape().end());
  const std::vector<int64_t> kernel(w.shape().begin() + 2, w.shape().end());
  const Window win = resolve_window(attrs_.window, x_spatial, kernel, label_);

  Shape out_shape = {N, M};
  for (int64_t d : win.output_dims()) out_shape.push_back(d);
  Tensor& y = ctx.allocate_output(0, x.dtype(), out_shape);
  const int64_t P = win.output_size(), Q = win.taps(), S = win.input_size();
  const int64_t Mg = M / attrs_.group;  // output channels per group

  dispatch<FloatTypes>(x.dtype(), "Conv", [&](auto tag) {
    using T = typename decltype(tag)::type;
    using A = acc_t<T>;
    const T* X = x.data<T>();
    const T* W = w.data<T>();
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
}

}  // namespace onyx
