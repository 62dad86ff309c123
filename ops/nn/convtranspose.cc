// ConvTranspose: the transpose (gradient) of Conv, N-D with groups, strides, dilations,
// padding, output_padding and output_shape.
//
//   X: (N, C, D1..Dn)   W: (C, M / group, k1..kn)   B: (M), optional
// Every input pixel scatters itself times the kernel into the output:
//   Y[n, g * M/group + m, i * stride - pad_begin + k * dilation] += X[n, c, i] * W[c, m, k]
// for c in group g. Per axis, with e = (kernel - 1) * dilation + 1, the full output is
//   full = stride * (in - 1) + output_padding + e
// and the output is full - pad_begin - pad_end. With output_shape (or auto_pad SAME_*,
// which asks for in * stride) the total padding full - out is split: SAME_UPPER puts the
// odd unit at the end, otherwise at the beginning (per the spec's pseudo-code).
//
// Fast path (float, constant W, 1-D and 2-D): GEMM over the weights packed once, then
// col2im (ops/kernels/conv/conv_transpose.h).
#include <algorithm>
#include <string>
#include <vector>

#include "common/dtype_lists.h"
#include "common/parallel.h"
#include "common/shape_utils.h"
#include "common/spatial.h"
#include "kernels/conv/conv_transpose.h"
#include "nn/nn.h"
#include "nn/nn_util.h"

namespace onyx {
namespace {

struct ConvTransposeAttrs {
  WindowAttrs window;  // auto_pad, kernel_shape, strides, dilations, pads
  int64_t group = 1;
  std::vector<int64_t> output_padding;
  std::vector<int64_t> output_shape;
};

ConvTransposeAttrs read_attrs(const Attrs& attrs, const std::string& label) {
  ConvTransposeAttrs a;
  a.window = read_window_attrs(attrs, label);
  if (a.window.ceil_mode) fail(label, ": ConvTranspose has no ceil_mode");
  a.group = attrs.get_int("group", 1);
  if (a.group < 1) fail(label, ": group must be at least 1, got ", a.group);
  a.output_padding = attrs.get_ints("output_padding");
  a.output_shape = attrs.get_ints("output_shape");
  for (int64_t v : a.output_padding)
    if (v < 0) fail(label, ": output_padding values must be non-negative, got ", v);
  for (int64_t v : a.output_shape)
    if (v < 0) fail(label, ": output_shape values must be non-negative, got ", v);
  return a;
}

// One resolved spatial axis: the output size and the begin padding.
struct TAxis {
  int64_t in = 0, kernel = 0, stride = 1, dilation = 1, pad_begin = 0, out = 0;
};

// Resolves every axis for known input sizes and kernel; fails naming `label`.
std::vector<TAxis> resolve_axes(const ConvTransposeAttrs& a, const Shape& in,
                                const std::vector<int64_t>& kernel, const std::string& label) {
  const size_t rank = in.size();
  auto check_len = [&](const std::vector<int64_t>& v, size_t want, const char* name) {
    if (!v.empty() && v.size() != want)
      fail(label, ": ", name, " has ", v.size(), " values, expected ", want);
  };
  check_len(a.window.kernel_shape, rank, "kernel_shape");
  check_len(a.window.strides, rank, "strides");
  check_len(a.window.dilations, rank, "dilations");
  check_len(a.window.pads, 2 * rank, "pads");
  check_len(a.output_padding, rank, "output_padding");
  const bool shape_with_batch = a.output_shape.size() == rank + 2;
  if (!a.output_shape.empty() && !shape_with_batch) check_len(a.output_shape, rank, "output_shape");
  std::vector<TAxis> axes(rank);
  for (size_t i = 0; i < rank; ++i) {
    TAxis& ax = axes[i];
    ax.in = in[i];
    ax.kernel = kernel[i];
    if (ax.kernel < 1) fail(label, ": kernel dim ", i, " must be positive, got ", ax.kernel);
    ax.stride = a.window.strides.empty() ? 1 : a.window.strides[i];
    ax.dilation = a.window.dilations.empty() ? 1 : a.window.dilations[i];
    const int64_t out_pad = a.output_padding.empty() ? 0 : a.output_padding[i];
    if (out_pad >= ax.stride && out_pad >= ax.dilation)
      fail(label, ": output_padding[", i, "] = ", out_pad, " must be less than stride or dilation");
    const int64_t full = ax.stride * (ax.in - 1) + out_pad + (ax.kernel - 1) * ax.dilation + 1;
    int64_t want = -1;  // the requested output size, when it decides the padding
    if (!a.output_shape.empty())
      want = a.output_shape[shape_with_batch ? i + 2 : i];
    else if (a.window.auto_pad == AutoPad::SameUpper || a.window.auto_pad == AutoPad::SameLower)
      want = ax.in * ax.stride;
    if (want >= 0) {
      const int64_t total = full - want;
      // The spec's pseudo-code halves with floor division (a negative total, which leaves
      // positions past the scatter range at the bias, gives begin 0 for -1).
      const int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
      ax.pad_begin = a.window.auto_pad == AutoPad::SameUpper ? half : total - half;
      ax.out = want;
    } else {
      const int64_t begin = a.window.pads.empty() ? 0 : a.window.pads[i];
      const int64_t end = a.window.pads.empty() ? 0 : a.window.pads[i + rank];
      ax.pad_begin = begin;
      ax.out = full - begin - end;
    }
    if (ax.out < 0) fail(label, ": output dim ", i, " would be negative (", ax.out, ")");
  }
  return axes;
}

// Checks X (N, C, ...) against W (C, M/group, ...) for the dims known.
void check_dims(const ConvTransposeAttrs& a, const std::vector<Dim>& x, const std::vector<Dim>& w,
                const std::string& label) {
  if (x.size() < 3) fail(label, ": X must have rank 3 or more (N, C, D1..), got rank ", x.size());
  if (w.size() != x.size()) fail(label, ": W has rank ", w.size(), " but X has rank ", x.size());
  if (x[1].is_known() && w[0].is_known() && x[1].value != w[0].value)
    fail(label, ": X has ", x[1].value, " channels but W has ", w[0].value, " input channels");
  if (x[1].is_known() && x[1].value % a.group != 0)
    fail(label, ": X has ", x[1].value, " channels, not a multiple of group ", a.group);
  check_kernel_shape(a.window.kernel_shape, w, label);
}

class ConvTransposeKernel : public Kernel {
 public:
  explicit ConvTransposeKernel(const KernelInit& init)
      : label_(init.label()), attrs_(read_attrs(init.attrs(), init.label())) {
    if (!init.has_input(0) || !init.has_input(1)) init.fail("ConvTranspose needs inputs X and W");
    const TypeInfo& x = init.input_type(0);
    const TypeInfo& w = init.input_type(1);
    if (x.has_shape() && w.has_shape()) check_dims(attrs_, *x.shape, *w.shape, label_);
    prepare_fast(init);
  }
  void run(KernelContext& ctx) const override;

 private:
  // Packs a constant float W of a 1-D or 2-D layer for run_fast.
  void prepare_fast(const KernelInit& init);
  // The float fast path for resolved 1-D or 2-D axes; false when it does not apply.
  bool run_fast(KernelContext& ctx, const Tensor& x, const Tensor* b,
                const std::vector<TAxis>& axes, const Shape& out_shape) const;

  std::string label_;
  ConvTransposeAttrs attrs_;
  kernels::PackedConvTransposeWeights packed_;  // empty: the reference loop only
};

// A 1-D layer is a 2-D one of height 1.
kernels::Conv2dShape conv2d_shape(int64_t C, int64_t Mg, int64_t group,
                                  const std::vector<int64_t>& kernel) {
  kernels::Conv2dShape s;
  s.C = C;
  s.M = Mg * group;
  s.group = group;
  s.KH = kernel.size() == 2 ? kernel[0] : 1;
  s.KW = kernel.back();
  return s;
}

void ConvTransposeKernel::prepare_fast(const KernelInit& init) {
  const Tensor* w = init.constant_input(1);
  const DType x_dtype = init.input_type(0).elem;
  if (init.reference() || !w || w->dtype() != DType::Float || (w->rank() != 3 && w->rank() != 4) ||
      (x_dtype != DType::Float && x_dtype != DType::Undefined))
    return;
  const int64_t C = w->dim(0), Mg = w->dim(1), G = attrs_.group;
  const std::vector<int64_t> kernel(w->shape().begin() + 2, w->shape().end());
  if (C == 0 || C % G != 0 || Mg == 0 || w->numel() == 0) return;  // run() reports or serves
  packed_ = kernels::PackedConvTransposeWeights(conv2d_shape(C, Mg, G, kernel), w->data<float>(),
                                                kernels::default_microkernel());
}

bool ConvTransposeKernel::run_fast(KernelContext& ctx, const Tensor& x, const Tensor* b,
                                   const std::vector<TAxis>& axes, const Shape& out_shape) const {
  if (packed_.empty() || x.dtype() != DType::Float || axes.empty() || axes.size() > 2) return false;
  const std::vector<int64_t> kernel(ctx.input(1).shape().begin() + 2, ctx.input(1).shape().end());
  kernels::Conv2dShape s =
      conv2d_shape(x.dim(1), out_shape[1] / attrs_.group, attrs_.group, kernel);
  if (!packed_.fits(s)) return false;
  const TAxis none{1, 1, 1, 1, 0, 1};  // the height axis of a 1-D layer
  s.set_axes(axes.size() == 2 ? axes[0] : none, axes.back());
  Tensor& y = ctx.allocate_uninitialized_output(0, DType::Float, out_shape);
  if (y.numel() == 0) return true;
  const kernels::Parallel parallel = parallel_of(ctx.pool());
  const float* X = x.data<float>();
  const float* B = b ? b->data<float>() : nullptr;
  float* Y = y.data<float>();
  const int64_t N = x.dim(0), x_image = s.C * s.H * s.W, y_image = s.M * s.OH * s.OW;
  auto image = [&](int64_t n, const kernels::Parallel& par) {
    kernels::conv_transpose2d(s, packed_, X + n * x_image, B, Y + n * y_image, par);
  };
  if (N > 1 && N >= parallel.threads) {  // a batch: whole images per thread
    parallel.for_tasks(N, [&](int64_t n0, int64_t n1) {
      for (int64_t n = n0; n < n1; ++n) image(n, kernels::serial());
    });
  } else {
    for (int64_t n = 0; n < N; ++n) image(n, parallel);
  }
  return true;
}

void infer_convtranspose(InferContext& ctx) {
  const ConvTransposeAttrs a = read_attrs(Attrs(ctx.node(), ctx.label()), ctx.label());
  const TypeInfo& x = ctx.input(0);
  const TypeInfo& w = ctx.input(1);
  if (!x.has_shape()) {
    ctx.set_output(0, TypeInfo::tensor(x.elem));
    return;
  }
  const std::vector<Dim>& xs = *x.shape;
  if (xs.size() < 3) ctx.fail(cat("X must have rank 3 or more (N, C, D1..), got rank ", xs.size()));
  std::vector<Dim> out = {xs[0], Dim{}};
  std::vector<int64_t> kernel = a.window.kernel_shape;
  if (w.has_shape()) {
    check_dims(a, xs, *w.shape, ctx.label());
    if ((*w.shape)[1].is_known()) out[1] = Dim::known((*w.shape)[1].value * a.group);
    if (kernel.empty()) {
      for (size_t i = 2; i < w.shape->size(); ++i) {
        if (!(*w.shape)[i].is_known()) {
          kernel.clear();
          break;
        }
        kernel.push_back((*w.shape)[i].value);
      }
    }
  }
  Shape in;
  for (size_t i = 2; i < xs.size(); ++i) in.push_back(xs[i].is_known() ? xs[i].value : -1);
  const bool all_known = std::all_of(in.begin(), in.end(), [](int64_t v) { return v >= 0; });
  if (kernel.size() == in.size() && all_known) {
    for (const TAxis& ax : resolve_axes(a, in, kernel, ctx.label()))
      out.push_back(Dim::known(ax.out));
  } else {
    out.resize(xs.size());  // spatial dims unknown until the sizes are
  }
  ctx.set_output(0, TypeInfo::tensor(x.elem, out));
}

void ConvTransposeKernel::run(KernelContext& ctx) const {
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  const Tensor* b = ctx.has_input(2) ? &ctx.input(2) : nullptr;
  if (w.dtype() != x.dtype() || (b && b->dtype() != x.dtype()))
    ctx.fail(cat("X, W and B must share one dtype; got ", x.describe(), ", ", w.describe(),
                 b ? ", " + b->describe() : ""));
  check_dims(attrs_, known_dims(x.shape()), known_dims(w.shape()), label_);
  const int64_t G = attrs_.group;
  const int64_t N = x.dim(0), C = x.dim(1), Mg = w.dim(1), M = Mg * G, Cg = C / G;
  if (b && (b->rank() != 1 || b->dim(0) != M))
    ctx.fail(cat("B must have shape [", M, "], got ", b->describe()));
  const Shape in(x.shape().begin() + 2, x.shape().end());
  const std::vector<int64_t> kernel(w.shape().begin() + 2, w.shape().end());
  const std::vector<TAxis> axes = resolve_axes(attrs_, in, kernel, label_);
  const int rank = static_cast<int>(axes.size());

  Shape out_shape = {N, M};
  for (const TAxis& ax : axes) out_shape.push_back(ax.out);
  checked_numel(out_shape);
  if (run_fast(ctx, x, b, axes, out_shape)) return;
  Tensor& y = ctx.allocate_output(0, x.dtype(), out_shape);
  const int64_t S = checked_numel(in), Q = checked_numel(kernel);
  const int64_t P = checked_numel(Shape(out_shape.begin() + 2, out_shape.end()));

  // For input position p, the output offset each kernel tap q lands on (-1: outside).
  auto landing = [&](int64_t p, std::vector<int64_t>& offs) {
    offs.assign(static_cast<size_t>(Q), 0);
    std::vector<int64_t> idx(rank);
    for (int a = rank - 1; a >= 0; --a) {
      idx[a] = p % axes[a].in;
      p /= axes[a].in;
    }
    for (int64_t q = 0; q < Q; ++q) {
      int64_t rem = q, off = 0, scale = 1;
      for (int a = rank - 1; a >= 0 && off >= 0; --a) {
        const TAxis& ax = axes[a];
        const int64_t k = rem % ax.kernel;
        rem /= ax.kernel;
        const int64_t o = idx[a] * ax.stride - ax.pad_begin + k * ax.dilation;
        if (o < 0 || o >= ax.out)
          off = -1;
        else
          off += o * scale;
        scale *= ax.out;
      }
      offs[q] = off;
    }
  };

  dispatch<FloatTypes>(x.dtype(), "ConvTranspose", [&](auto tag) {
    using T = typename decltype(tag)::type;
    using A = acc_t<T>;
    const T* X = x.data<T>();
    const T* W = w.data<T>();
    const T* B = b ? b->data<T>() : nullptr;
    T* Y = y.data<T>();
    // Each (n, output channel) plane is written by one task only.
    ctx.pool().parallel_for(N * M, 1, [&](int64_t j0, int64_t j1) {
      std::vector<A> acc(static_cast<size_t>(P));
      std::vector<int64_t> offs;
      for (int64_t j = j0; j < j1; ++j) {
        const int64_t n = j / M, mo = j % M, g = mo / Mg, m = mo % Mg;
        std::fill(acc.begin(), acc.end(), B ? static_cast<A>(B[mo]) : A(0));
        for (int64_t p = 0; p < S; ++p) {
          landing(p, offs);
          for (int64_t c = g * Cg; c < (g + 1) * Cg; ++c) {
            const A xv = static_cast<A>(X[(n * C + c) * S + p]);
            const T* wk = W + (c * Mg + m) * Q;
            for (int64_t q = 0; q < Q; ++q)
              if (offs[q] >= 0) acc[offs[q]] += xv * static_cast<A>(wk[q]);
          }
        }
        T* yp = Y + j * P;
        for (int64_t i = 0; i < P; ++i) yp[i] = from_acc<T>(acc[i]);
      }
    });
  });
}

}  // namespace

void register_convtranspose(Registry& registry) {
  // ConvTranspose-11 only clarified the output_shape / auto_pad wording; 22 added bfloat16.
  const std::vector<DType> dtypes = float_dtypes();
  const std::map<std::string, AttrType> attrs = {
      {"auto_pad", AttrType::String},     {"dilations", AttrType::Ints},
      {"group", AttrType::Int},           {"kernel_shape", AttrType::Ints},
      {"output_padding", AttrType::Ints}, {"output_shape", AttrType::Ints},
      {"pads", AttrType::Ints},           {"strides", AttrType::Ints}};
  add_op_versions(registry, "ConvTranspose",
                  {{1, 10, dtypes, attrs},
                   {11, 21, dtypes, attrs},
                   {22, kOpsetOpen, float_dtypes_bf16(), attrs}},
                  make_kernel<ConvTransposeKernel>(), infer_convtranspose);
}

}  // namespace onyx
