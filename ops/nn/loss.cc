// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss, sharing one loss core.
//
//   input: (N, C, d1..dk) log-probabilities   target: (N, d1..dk) class indices
//   loss[n, d] = -input[n, target[n, d], d] * weight[target[n, d]]  (weight 1 when absent)
// and 0 where target == ignore_index. reduction "none" returns loss (N, d1..dk), "sum"
// its sum, "mean" its sum divided by the total weight of the non-ignored targets (so a
// batch where every target is ignored gives 0 / 0 = NaN, as the spec's function body
// and reference implementation do).
// SoftmaxCrossEntropyLoss first takes log_softmax over the class axis (optionally
// returned as log_prob), then applies the same core.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "common/dtype_lists.h"
#include "nn/nn.h"
#include "nn/nn_util.h"

namespace onyx {
namespace {

enum class Reduction { None, Sum, Mean };

struct LossAttrs {
  Reduction reduction = Reduction::Mean;
  bool has_ignore = false;
  int64_t ignore_index = 0;
};

LossAttrs read_loss_attrs(const Attrs& attrs, const std::string& label) {
  LossAttrs a;
  const std::string r = attrs.get_string("reduction", "mean");
  if (r == "none")
    a.reduction = Reduction::None;
  else if (r == "sum")
    a.reduction = Reduction::Sum;
  else if (r == "mean")
    a.reduction = Reduction::Mean;
  else
    fail(label, ": reduction must be none, sum or mean, got '", r, "'");
  a.has_ignore = attrs.has("ignore_index");
  a.ignore_index = attrs.get_int("ignore_index", 0);
  return a;
}

// The loss core. lp(i) is the log-probability at flat index i of the (N, C, D) input
// (D = d1 * .. * dk); writes the per-element losses (N * D of them) and returns the
// total weight of the non-ignored targets. Fails on a target outside [0, C).
template <class A, class I, class LogProb>
A nll_core(const LogProb& lp, const I* target, const A* weight, int64_t N, int64_t C, int64_t D,
           const LossAttrs& a, std::vector<A>& losses, const KernelContext& ctx) {
  losses.assign(static_cast<size_t>(N * D), A(0));
  A weight_sum = 0;
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t d = 0; d < D; ++d) {
      const int64_t t = static_cast<int64_t>(target[n * D + d]);
      if (a.has_ignore && t == a.ignore_index) continue;  // contributes neither loss nor weight
      if (t < 0 || t >= C)
        ctx.fail(cat("target value ", t, " at index ", n * D + d, " is outside [0, ", C, ")",
                     a.has_ignore ? cat(" and is not ignore_index ", a.ignore_index) : ""));
      const A w = weight ? weight[t] : A(1);
      losses[n * D + d] = -lp((n * C + t) * D + d) * w;
      weight_sum += w;
    }
  }
  return weight_sum;
}

class LossKernel : public Kernel {
 public:
  explicit LossKernel(const KernelInit& init)
      : label_(init.label()),
        softmax_(init.node().op_type == "SoftmaxCrossEntropyLoss"),
        attrs_(read_loss_attrs(init.attrs(), init.label())) {
    if (!init.has_input(0) || !init.has_input(1)) init.fail("needs inputs input and target");
    if (init.num_outputs() > (softmax_ ? 2 : 1))
      init.fail(softmax_ ? "has at most 2 outputs (output, log_prob)" : "has only 1 output");
  }
  void run(KernelContext& ctx) const override;

 private:
  std::string label_;
  bool softmax_;
  LossAttrs attrs_;
};

void LossKernel::run(KernelContext& ctx) const {
  const Tensor& x = ctx.input(0);
  const Tensor& target = ctx.input(1);
  const Tensor* weight = ctx.has_input(2) ? &ctx.input(2) : nullptr;
  if (x.rank() < 2) ctx.fail(cat("input must have rank 2 or more (N, C, ..), got ", x.describe()));
  const int64_t N = x.dim(0), C = x.dim(1);
  Shape t_shape = {N};
  for (int i = 2; i < x.rank(); ++i) t_shape.push_back(x.dim(i));
  if (target.shape() != t_shape)
    ctx.fail(cat("target must have shape ", shape_to_string(t_shape), ", got ", target.describe()));
  if (weight && (weight->dtype() != x.dtype() || weight->rank() != 1 || weight->dim(0) != C))
    ctx.fail(cat("weight must be a [", C, "] tensor of the input dtype (input ", x.describe(),
                 "), got ", weight->describe()));
  const int64_t D = checked_numel(Shape(t_shape.begin() + 1, t_shape.end()));

  dispatch<FloatTypes>(x.dtype(), label_.c_str(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    using A = acc_t<T>;
    const T* X = x.data<T>();
    std::vector<A> w;
    if (weight) w = float_values<A>(*weight, "weight");
    std::vector<A> logp;  // SoftmaxCrossEntropyLoss: log_softmax over the class axis
    if (softmax_) {
      logp.resize(static_cast<size_t>(N * C * D));
      for (int64_t n = 0; n < N; ++n) {
        for (int64_t d = 0; d < D; ++d) {
          const int64_t base = n * C * D + d;
          A mx = -std::numeric_limits<A>::infinity();
          for (int64_t c = 0; c < C; ++c) mx = std::max(mx, static_cast<A>(X[base + c * D]));
          A sum = 0;
          for (int64_t c = 0; c < C; ++c) sum += std::exp(static_cast<A>(X[base + c * D]) - mx);
          const A log_sum = std::log(sum);
          for (int64_t c = 0; c < C; ++c)
            logp[base + c * D] = static_cast<A>(X[base + c * D]) - mx - log_sum;
        }
      }
      if (ctx.has_output(1)) {
        T* lp_out = ctx.allocate_output(1, x.dtype(), x.shape()).template data<T>();
        for (size_t i = 0; i < logp.size(); ++i) lp_out[i] = from_acc<T>(logp[i]);
      }
    }
    auto lp = [&](int64_t i) { return softmax_ ? logp[i] : static_cast<A>(X[i]); };
    std::vector<A> losses;
    A weight_sum = 0;
    dispatch<type_list<int32_t, int64_t>>(target.dtype(), "target", [&](auto itag) {
      using I = typename decltype(itag)::type;
      weight_sum = nll_core<A>(lp, target.data<I>(), weight ? w.data() : nullptr, N, C, D, attrs_,
                               losses, ctx);
    });
    if (attrs_.reduction == Reduction::None) {
      T* out = ctx.allocate_output(0, x.dtype(), t_shape).template data<T>();
      for (size_t i = 0; i < losses.size(); ++i) out[i] = from_acc<T>(losses[i]);
      return;
    }
    A total = 0;
    for (A v : losses) total += v;
    if (attrs_.reduction == Reduction::Mean) total /= weight_sum;
    *ctx.allocate_output(0, x.dtype(), {}).template data<T>() = from_acc<T>(total);
  });
}

void infer_loss(InferContext& ctx) {
  const LossAttrs a = read_loss_attrs(Attrs(ctx.node(), ctx.label()), ctx.label());
  const TypeInfo& x = ctx.input(0);
  if (a.reduction != Reduction::None) {
    ctx.set_output(0, TypeInfo::tensor(x.elem, std::vector<Dim>{}));
  } else if (x.has_shape()) {
    const std::vector<Dim>& xs = *x.shape;
    if (xs.size() < 2) ctx.fail(cat("input must have rank 2 or more (N, C, ..), got ", xs.size()));
    std::vector<Dim> out = {xs[0]};
    out.insert(out.end(), xs.begin() + 2, xs.end());
    ctx.set_output(0, TypeInfo::tensor(x.elem, out));
  } else {
    ctx.set_output(0, TypeInfo::tensor(x.elem));
  }
  if (ctx.num_outputs() > 1) ctx.set_output(1, x);
}

}  // namespace

void register_loss(Registry& registry) {
  // Version 13 of both only widened the documented target range (negative ignore_index);
  // NegativeLogLikelihoodLoss-22 only added bfloat16.
  for (const std::string op : {"NegativeLogLikelihoodLoss", "SoftmaxCrossEntropyLoss"}) {
    const bool nll = op == "NegativeLogLikelihoodLoss";
    std::vector<std::pair<int, int>> versions = {{12, 12}, {13, nll ? 21 : kOpsetOpen}};
    if (nll) versions.push_back({22, kOpsetOpen});
    for (auto [since, until] : versions) {
      KernelDef def;
      def.op_type = op;
      def.since_version = since;
      def.until_version = until;
      def.dtypes = since >= 22 ? float_dtypes_bf16() : float_dtypes();
      def.create = make_kernel<LossKernel>();
      def.infer = infer_loss;
      def.attr_types = {{"reduction", AttrType::String}, {"ignore_index", AttrType::Int}};
      registry.add(std::move(def));
    }
  }
}

}  // namespace onyx
