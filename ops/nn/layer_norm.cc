// LayerNormalization (opset 17): X is split at `axis` into outer dims X.shape[:axis] and
// the normalized dims X.shape[axis:]; each outer index normalizes its inner elements.
//
//   Mean      = mean of the inner elements                    shape X.shape[:axis] + [1..]
//   InvStdDev = 1 / sqrt(population variance + epsilon)      same shape as Mean
//   Y         = (X - Mean) * InvStdDev * Scale + B            Scale and B broadcast
//                                                             (numpy-style) to the inner dims
//
// The statistics are computed in stash_type (float or bfloat16 per the spec; here in
// double, rounded to it), which is also the dtype of Mean and InvStdDev.
//
// RMSNormalization (opset 23) is the same without centring: Mean is taken as 0, so
//
//   Y = X * (1 / sqrt(mean of X^2 over the inner elements + epsilon)) * Scale
//
// with no B and Y its only output.
//
// AddLayerNormalization (domain ai.onyx, onyx/fused_ops.h) takes the residual sum first:
// inputs (A, B, Scale, B?), outputs (Y, S) with S = A + B (one shape, no broadcasting)
// and Y the LayerNormalization of S; no Mean or InvStdDev.
//
// Fast path: float X with stash_type float and Scale (and B) holding one value per
// normalized element, by kernels::layer_norm_rows; other broadcasts take the reference loop.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "common/shape_utils.h"
#include "kernels/simd/elementwise.h"
#include "kernels/simd/normalize.h"
#include "nn/nn.h"
#include "nn/nn_util.h"
#include "onyx/fused_ops.h"

namespace onyx {
namespace {

class LayerNormKernel : public Kernel {
 public:
  explicit LayerNormKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;

 private:
  // False, having done nothing, where Scale or B broadcast within the normalized dims.
  bool run_fast(KernelContext& ctx, const Tensor& x, const Tensor& scale, const Tensor* bias,
                int axis) const;

  // How many of Y, Mean and InvStdDev the node has (Y alone for the fused forms).
  int stats_outputs(const KernelContext& ctx) const { return add_inputs_ ? 1 : ctx.num_outputs(); }
  // S = A + B into output 1 (AddLayerNormalization); fails unless A and B match.
  const Tensor& sum_inputs(KernelContext& ctx) const;

  bool centered_ = true;     // false: RMSNormalization
  bool add_inputs_ = false;  // AddLayerNormalization: X is the sum of inputs 0 and 1
  int scale_input_ = 1;      // Scale's input slot, B's is the next
  int64_t axis_ = -1;
  float epsilon_ = 1e-5f;
  DType stash_ = DType::Float;
  bool fast_ = false;  // float with stash_type float runs through kernels::layer_norm_rows
};

// stash_type is a TensorProto data type code: 1 float, 16 bfloat16.
DType read_stash_type(const Attrs& attrs, const std::string& label) {
  const int64_t code = attrs.get_int("stash_type", 1);
  if (code == 1) return DType::Float;
  if (code == 16) return DType::BFloat16;
  fail(label, ": stash_type must be 1 (float) or 16 (bfloat16), got ", code);
}

void infer_layer_norm(InferContext& ctx) {
  const Attrs attrs(ctx.node(), ctx.label());
  const TypeInfo& x = ctx.input(0);
  const DType stash = read_stash_type(attrs, ctx.label());
  ctx.set_output(0, x);
  std::optional<std::vector<Dim>> stat_shape;
  if (x.has_shape()) {
    const int rank = static_cast<int>(x.shape->size());
    const int axis = normalize_axis(attrs.get_int("axis", -1), rank, "LayerNormalization axis");
    stat_shape = std::vector<Dim>(x.shape->begin(), x.shape->begin() + axis);
    stat_shape->resize(rank, Dim::known(1));
  }
  for (int i = 1; i < ctx.num_outputs() && i <= 2; ++i)
    ctx.set_output(i, TypeInfo::tensor(stash, stat_shape));
}

void infer_add_layer_norm(InferContext& ctx) {
  ctx.set_output(0, ctx.input(0));
  if (ctx.num_outputs() > 1) ctx.set_output(1, ctx.input(0));
}

// The strides of a tensor of shape `param` broadcast to `inner` (right-aligned, dims 1 or
// equal; 0 on broadcast dims); fails naming `what` when not broadcastable.
std::vector<int64_t> broadcast_strides(const Shape& param, const Shape& inner, const char* what,
                                       KernelContext& ctx) {
  const size_t r = inner.size();
  if (param.size() > r)
    ctx.fail(cat(what, " has rank ", param.size(), ", more than the ", r, " normalized dims"));
  std::vector<int64_t> stride(r, 0);  // 0 on broadcast dims
  int64_t s = 1;
  for (size_t k = 0; k < param.size(); ++k) {
    const size_t pd = param.size() - 1 - k, id = r - 1 - k;
    if (param[pd] != 1 && param[pd] != inner[id])
      ctx.fail(cat(what, " dim ", param[pd], " does not broadcast to normalized dim ", inner[id]));
    stride[id] = param[pd] == 1 ? 0 : s;
    s *= param[pd];
  }
  return stride;
}

// Offsets into a tensor of shape `param` broadcast to `inner`, one per row-major inner
// index; fails naming `what` when not broadcastable.
std::vector<int64_t> broadcast_offsets(const Shape& param, const Shape& inner, const char* what,
                                       KernelContext& ctx) {
  const size_t r = inner.size();
  const std::vector<int64_t> stride = broadcast_strides(param, inner, what, ctx);
  const int64_t count = checked_numel(inner);
  std::vector<int64_t> out(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    int64_t rest = i, off = 0;
    for (size_t d = r; d-- > 0;) {
      off += (rest % inner[d]) * stride[d];
      rest /= inner[d];
    }
    out[i] = off;
  }
  return out;
}

}  // namespace

// ---- registration ----

void register_layer_norm(Registry& registry) {
  const std::vector<DType> dtypes = {DType::Float16, DType::Float, DType::Double, DType::BFloat16};
  const std::map<std::string, AttrType> attrs = {
      {"axis", AttrType::Int}, {"epsilon", AttrType::Float}, {"stash_type", AttrType::Int}};
  add_op_versions(registry, "LayerNormalization", {{17, kOpsetOpen, dtypes, attrs}},
                  make_kernel<LayerNormKernel>(), infer_layer_norm);
  // The optimizer's fused LayerNormalization, for models of opsets before 17.
  registry.add(KernelDef{fused::kDomain, fused::kLayerNorm, fused::kVersion, kOpsetOpen, dtypes, 0,
                         make_kernel<LayerNormKernel>(), infer_layer_norm, attrs});
  add_op_versions(registry, "RMSNormalization", {{23, kOpsetOpen, dtypes, attrs}},
                  make_kernel<LayerNormKernel>(), infer_layer_norm);
  registry.add(KernelDef{fused::kDomain, fused::kAddLayerNorm, fused::kVersion, kOpsetOpen, dtypes,
                         0, make_kernel<LayerNormKernel>(), infer_add_layer_norm, attrs});
  // The optimizer's fused RMSNormalization, for models of opsets before 23.
  registry.add(KernelDef{fused::kDomain, fused::kRmsNorm, fused::kVersion, kOpsetOpen, dtypes, 0,
                         make_kernel<LayerNormKernel>(), infer_layer_norm, attrs});
}

// ---- construction ----

LayerNormKernel::LayerNormKernel(const KernelInit& init)
    : centered_(init.node().op_type != fused::kRmsNorm),
      add_inputs_(init.node().op_type == fused::kAddLayerNorm),
      scale_input_(add_inputs_ ? 2 : 1),
      axis_(init.attrs().get_int("axis", -1)),
      epsilon_(init.attrs().get_float("epsilon", 1e-5f)),
      stash_(read_stash_type(init.attrs(), init.label())),
      fast_(!init.reference() && stash_ == DType::Float) {
  if (!(epsilon_ >= 0.0f)) init.fail(cat("epsilon must be non-negative, got ", epsilon_));
  const std::string& op = init.node().op_type;
  if (!init.has_input(scale_input_)) init.fail(op + " needs input Scale");
  if (add_inputs_ && (!init.has_input(1) || init.num_outputs() != 2))
    init.fail("AddLayerNormalization has inputs A, B, Scale and B? and outputs Y and S");
  if (!centered_ && (init.num_inputs() > 2 || init.num_outputs() > 1))
    init.fail("RMSNormalization has inputs X and Scale and one output");
  if (init.num_outputs() > 3) init.fail("LayerNormalization has at most 3 outputs");
  const TypeInfo& x = init.input_type(0);
  if (x.has_shape()) normalize_axis(axis_, static_cast<int>(x.shape->size()), init.label());
}

// ---- compute ----

const Tensor& LayerNormKernel::sum_inputs(KernelContext& ctx) const {
  const Tensor &a = ctx.input(0), &b = ctx.input(1);
  if (a.dtype() != b.dtype() || a.shape() != b.shape())
    ctx.fail(
        cat("A and B must have one dtype and shape, got ", a.describe(), " and ", b.describe()));
  Tensor& sum = ctx.allocate_uninitialized_output(1, a.dtype(), a.shape());
  dispatch<FloatTypes>(a.dtype(), "AddLayerNormalization", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T *pa = a.data<T>(), *pb = b.data<T>();
    T* ps = sum.data<T>();
    ctx.pool().parallel_for(a.numel(), kernels::kElementwiseGrain, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i)  // as Add computes it
        ps[i] = from_acc<T>(static_cast<acc_t<T>>(pa[i]) + static_cast<acc_t<T>>(pb[i]));
    });
  });
  return sum;
}

void LayerNormKernel::run(KernelContext& ctx) const {
  const Tensor& x = add_inputs_ ? sum_inputs(ctx) : ctx.input(0);
  const int rank = x.rank();
  const int axis = normalize_axis(axis_, rank, "LayerNormalization axis");
  const Shape outer_shape(x.shape().begin(), x.shape().begin() + axis);
  const Shape inner_shape(x.shape().begin() + axis, x.shape().end());
  const int64_t outer = checked_numel(outer_shape), inner = checked_numel(inner_shape);
  const Tensor& scale_t = ctx.input(scale_input_);
  const int bias_input = scale_input_ + 1;
  const Tensor* bias_t =
      ctx.num_inputs() > bias_input && ctx.has_input(bias_input) ? &ctx.input(bias_input) : nullptr;
  for (const Tensor* p : {&scale_t, bias_t})
    if (p && p->dtype() != x.dtype())
      ctx.fail(
          cat("Scale and B must have X's dtype ", dtype_name(x.dtype()), ", got ", p->describe()));
  if (fast_ && x.dtype() == DType::Float && run_fast(ctx, x, scale_t, bias_t, axis)) return;
  const std::vector<int64_t> scale_at =
      broadcast_offsets(scale_t.shape(), inner_shape, "Scale", ctx);
  const std::vector<int64_t> bias_at =
      bias_t ? broadcast_offsets(bias_t->shape(), inner_shape, "B", ctx) : std::vector<int64_t>{};

  Tensor& y = ctx.allocate_output(0, x.dtype(), x.shape());
  Shape stat_shape = outer_shape;
  stat_shape.resize(rank, 1);
  Tensor* mean_t = stats_outputs(ctx) > 1 ? &ctx.allocate_output(1, stash_, stat_shape) : nullptr;
  Tensor* inv_t = stats_outputs(ctx) > 2 ? &ctx.allocate_output(2, stash_, stat_shape) : nullptr;

  // Rounds a statistic to the stash type and stores it (when that output is requested).
  auto stash = [&](Tensor* t, int64_t i, double v) -> double {
    if (stash_ == DType::BFloat16) {
      const bfloat16_t b(static_cast<float>(v));
      if (t) t->data<bfloat16_t>()[i] = b;
      return static_cast<double>(static_cast<float>(b));
    }
    const float f = static_cast<float>(v);
    if (t) t->data<float>()[i] = f;
    return static_cast<double>(f);
  };

  dispatch<FloatTypes>(x.dtype(), "LayerNormalization", [&](auto tag) {
    using T = typename decltype(tag)::type;
    auto value = [](T v) { return static_cast<double>(static_cast<acc_t<T>>(v)); };
    const T* px = x.data<T>();
    const T* ps = scale_t.data<T>();
    const T* pb = bias_t ? bias_t->data<T>() : nullptr;
    T* py = y.data<T>();
    for (int64_t o = 0; o < outer; ++o) {
      const T* in = px + o * inner;
      double sum = 0, sq = 0;
      for (int64_t i = 0; i < inner && centered_; ++i) sum += value(in[i]);
      const double mean = stash(mean_t, o, sum / static_cast<double>(inner));  // 0 for RMS
      for (int64_t i = 0; i < inner; ++i) sq += (value(in[i]) - mean) * (value(in[i]) - mean);
      const double var = sq / static_cast<double>(inner);
      const double inv = stash(inv_t, o, 1.0 / std::sqrt(var + static_cast<double>(epsilon_)));
      for (int64_t i = 0; i < inner; ++i) {
        double v = (value(in[i]) - mean) * inv * value(ps[scale_at[i]]);
        if (pb) v += value(pb[bias_at[i]]);
        py[o * inner + i] = from_acc<T>(static_cast<acc_t<T>>(v));
      }
    }
  });
}

bool LayerNormKernel::run_fast(KernelContext& ctx, const Tensor& x, const Tensor& scale,
                               const Tensor* bias, int axis) const {
  const int rank = x.rank();
  const Shape outer_shape(x.shape().begin(), x.shape().begin() + axis);
  const Shape inner_shape(x.shape().begin() + axis, x.shape().end());
  const int64_t outer = checked_numel(outer_shape), inner = checked_numel(inner_shape);
  // A broadcastable parameter with as many elements as the normalized dims has every dim
  // equal to theirs: its elements are read in order.
  for (const Tensor* p : {&scale, bias}) {
    if (!p) continue;
    broadcast_strides(p->shape(), inner_shape, p == &scale ? "Scale" : "B", ctx);
    if (p->numel() != inner) return false;
  }
  Tensor& y = ctx.allocate_uninitialized_output(0, x.dtype(), x.shape());
  Shape stat_shape = outer_shape;
  stat_shape.resize(rank, 1);
  float* mean = stats_outputs(ctx) > 1
                    ? ctx.allocate_uninitialized_output(1, stash_, stat_shape).data<float>()
                    : nullptr;
  float* inv = stats_outputs(ctx) > 2
                   ? ctx.allocate_uninitialized_output(2, stash_, stat_shape).data<float>()
                   : nullptr;
  const float* px = x.data<float>();
  const float* ps = scale.data<float>();
  const float* pb = bias ? bias->data<float>() : nullptr;
  float* py = y.data<float>();
  const int64_t rows_per_task =
      std::max<int64_t>(1, kernels::kNormalizeGrain / std::max<int64_t>(inner, 1));
  ctx.pool().parallel_for(outer, rows_per_task, [&](int64_t r0, int64_t r1) {
    kernels::layer_norm_rows(px + r0 * inner, ps, pb, epsilon_, py + r0 * inner,
                             mean ? mean + r0 : nullptr, inv ? inv + r0 : nullptr, r1 - r0, inner,
                             centered_);
  });
  return true;
}

}  // namespace onyx
