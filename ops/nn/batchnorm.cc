// BatchNormalization: per-channel normalization of X (N, C, D1..Dn).
//
//   Y = scale * (X - mean) / sqrt(var + epsilon) + B
//
// In inference mode mean and var are the given running statistics. In training mode they
// are the batch's own (population) statistics, and the running statistics come out
// updated: running = input_running * momentum + batch_stat * (1 - momentum).
// Training mode is the training_mode attribute from opset 14; before that it is asked
// for by listing the extra outputs (mean, var, saved_mean, saved_var), and in opsets 1
// and 6 also by is_test = 0.
//
// Opsets 1-7 also have `spatial`: 1 (default) shares statistics per channel; 0 keeps
// them per (channel, D1..Dn) element, so the parameters hold C * D1 * .. * Dn values.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "kernels/simd/elementwise.h"
#include "nn/nn.h"
#include "nn/nn_util.h"

namespace onyx {
namespace {

class BatchNormKernel : public Kernel {
 public:
  explicit BatchNormKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;

 private:
  std::string label_;
  float epsilon_ = 1e-5f;
  float momentum_ = 0.9f;
  bool spatial_ = true;
  bool training_ = false;
  bool fast_ = false;  // float inference runs through kernels::scale_shift
};

void infer_batchnorm(InferContext& ctx);

}  // namespace

// ---- registration ----

void register_batchnorm(Registry& registry) {
  const std::vector<DType> floats = {DType::Float, DType::Double, DType::Float16};
  std::vector<DType> with_bf16 = floats;
  with_bf16.push_back(DType::BFloat16);
  // 1: consumed_inputs, is_test, spatial; 6: drops consumed_inputs; 7: drops is_test;
  // 9: drops spatial; 14: training_mode, two optional outputs; 15: separate parameter
  // dtypes.
  for (auto [since, until] : {std::pair{1, 5}, std::pair{6, 6}, std::pair{7, 8}, std::pair{9, 13},
                              std::pair{14, 14}, std::pair{15, kOpsetOpen}}) {
    KernelDef def;
    def.op_type = "BatchNormalization";
    def.since_version = since;
    def.until_version = until;
    def.dtypes = since >= 14 ? with_bf16 : floats;
    def.create = make_kernel<BatchNormKernel>();
    def.infer = infer_batchnorm;
    def.attr_types = {{"epsilon", AttrType::Float}, {"momentum", AttrType::Float}};
    if (since < 9) def.attr_types["spatial"] = AttrType::Int;
    if (since < 7) def.attr_types["is_test"] = AttrType::Int;
    if (since < 6) def.attr_types["consumed_inputs"] = AttrType::Ints;
    if (since >= 14) def.attr_types["training_mode"] = AttrType::Int;
    registry.add(std::move(def));
  }
}

// ---- construction ----

BatchNormKernel::BatchNormKernel(const KernelInit& init)
    : label_(init.label()), fast_(!init.reference()) {
  const Attrs& attrs = init.attrs();
  epsilon_ = attrs.get_float("epsilon", 1e-5f);
  momentum_ = attrs.get_float("momentum", 0.9f);
  if (!(epsilon_ >= 0)) init.fail(cat("epsilon must be non-negative, got ", epsilon_));
  if (init.opset() < 9) spatial_ = attrs.get_int("spatial", 1) != 0;
  for (int i = 0; i < 5; ++i)
    if (!init.has_input(i)) init.fail("BatchNormalization needs inputs X, scale, B, mean, var");
  const bool extra_outputs = init.num_outputs() > 1;
  if (init.opset() >= 14) {
    training_ = attrs.get_int("training_mode", 0) != 0;
    if (init.num_outputs() > 3) init.fail("from opset 14 there are at most 3 outputs");
    if (extra_outputs && !training_)
      init.fail("outputs running_mean and running_var need training_mode = 1");
  } else {
    const bool is_test = init.opset() < 7 && attrs.get_int("is_test", 0) != 0;
    if (is_test && extra_outputs) init.fail("outputs beyond Y need is_test = 0");
    training_ = extra_outputs;
  }
  const TypeInfo& x = init.input_type(0);
  if (x.has_shape() && x.shape->size() < 2)
    init.fail(cat("X must have rank 2 or more (N, C, ..), got rank ", x.shape->size()));
}

// ---- shape rule ----

namespace {

void infer_batchnorm(InferContext& ctx) {
  const TypeInfo& x = ctx.input(0);
  if (x.has_shape() && x.shape->size() < 2)
    ctx.fail(cat("X must have rank 2 or more (N, C, ..), got rank ", x.shape->size()));
  ctx.set_output(0, x);
  // Running statistics keep the dtype and shape of mean/var; saved ones (before opset 14)
  // have X's dtype.
  const TypeInfo& mean = ctx.input(3);
  for (int i = 1; i < ctx.num_outputs(); ++i)
    ctx.set_output(i, i <= 2 ? mean : TypeInfo::tensor(x.elem, mean.shape));
}

}  // namespace

// ---- compute ----

void BatchNormKernel::run(KernelContext& ctx) const {
  const Tensor& x = ctx.input(0);
  if (x.rank() < 2) ctx.fail(cat("X must have rank 2 or more (N, C, ..), got ", x.describe()));
  const int64_t N = x.dim(0), C = x.dim(1);
  const int64_t S = checked_numel(Shape(x.shape().begin() + 2, x.shape().end()));  // per (n, c)
  // Parameter p of element (n, c, s): c when statistics are per channel, else c * S + s.
  const int64_t P = spatial_ ? C : C * S;
  const char* names[] = {"X", "scale", "B", "mean", "var"};
  for (int i = 1; i < 5; ++i) {
    const Tensor& t = ctx.input(i);
    if (t.numel() != P || (spatial_ && t.rank() != 1))
      ctx.fail(cat(names[i], " must hold ", P, " values (", spatial_ ? "C" : "C x D1 x ..",
                   "), got ", t.describe()));
  }
  Tensor& y = fast_ && spatial_ && x.dtype() == DType::Float
                  ? ctx.allocate_uninitialized_output(0, x.dtype(), x.shape())
                  : ctx.allocate_output(0, x.dtype(), x.shape());

  dispatch<FloatTypes>(x.dtype(), "BatchNormalization", [&](auto tag) {
    using T = typename decltype(tag)::type;
    using A = acc_t<T>;
    const std::vector<A> scale = float_values<A>(ctx.input(1), "BatchNormalization scale");
    const std::vector<A> bias = float_values<A>(ctx.input(2), "BatchNormalization B");
    std::vector<A> mean = float_values<A>(ctx.input(3), "BatchNormalization mean");
    std::vector<A> var = float_values<A>(ctx.input(4), "BatchNormalization var");
    const T* px = x.data<T>();
    T* py = y.data<T>();
    auto param = [&](int64_t c, int64_t s) { return spatial_ ? c : c * S + s; };

    if (training_) {
      // Batch statistics: the mean and population variance over every element of p.
      const int64_t count = spatial_ ? N * S : N;  // elements per statistic
      if (count == 0) ctx.fail("training mode needs a non-empty batch");
      std::vector<A> batch_mean(P, A(0)), batch_var(P, A(0));
      for (int64_t n = 0; n < N; ++n)
        for (int64_t c = 0; c < C; ++c)
          for (int64_t s = 0; s < S; ++s)
            batch_mean[param(c, s)] += static_cast<A>(px[(n * C + c) * S + s]);
      for (A& m : batch_mean) m /= static_cast<A>(count);
      for (int64_t n = 0; n < N; ++n) {
        for (int64_t c = 0; c < C; ++c) {
          for (int64_t s = 0; s < S; ++s) {
            const A d = static_cast<A>(px[(n * C + c) * S + s]) - batch_mean[param(c, s)];
            batch_var[param(c, s)] += d * d;
          }
        }
      }
      for (A& v : batch_var) v /= static_cast<A>(count);
      // Outputs 1 and 2: updated running statistics, in the dtype of the given ones.
      const A keep = static_cast<A>(momentum_);
      for (int i = 1; i <= 2 && i < ctx.num_outputs(); ++i) {
        const std::vector<A>& given = i == 1 ? mean : var;
        const std::vector<A>& batch = i == 1 ? batch_mean : batch_var;
        const Tensor& running = ctx.input(i + 2);
        Tensor& out = ctx.allocate_output(i, running.dtype(), running.shape());
        dispatch<FloatTypes>(out.dtype(), "BatchNormalization", [&](auto out_tag) {
          using U = typename decltype(out_tag)::type;
          for (int64_t p = 0; p < P; ++p)
            out.data<U>()[p] = from_acc<U>(given[p] * keep + batch[p] * (A(1) - keep));
        });
      }
      // Outputs 3 and 4 (before opset 14): the batch statistics themselves.
      for (int i = 3; i <= 4 && i < ctx.num_outputs(); ++i) {
        const std::vector<A>& batch = i == 3 ? batch_mean : batch_var;
        T* out = ctx.allocate_output(i, x.dtype(), ctx.input(3).shape()).data<T>();
        for (int64_t p = 0; p < P; ++p) out[p] = from_acc<T>(batch[p]);
      }
      mean = batch_mean;
      var = batch_var;
    }

    // Y = scale * (X - mean) / sqrt(var + epsilon) + B, folded into X * a + b per p.
    std::vector<A> a(P), b(P);
    for (int64_t p = 0; p < P; ++p) {
      a[p] = scale[p] / std::sqrt(var[p] + static_cast<A>(epsilon_));
      b[p] = bias[p] - mean[p] * a[p];
    }
    if constexpr (std::is_same_v<T, float>) {
      if (fast_ && spatial_) {  // one vector loop per (n, c) plane, planes over threads
        const int64_t grain =
            std::max<int64_t>(1, kernels::kElementwiseGrain / std::max<int64_t>(S, 1));
        return ctx.pool().parallel_for(N * C, grain, [&](int64_t p0, int64_t p1) {
          for (int64_t nc = p0; nc < p1; ++nc)
            kernels::scale_shift(px + nc * S, a[nc % C], b[nc % C], py + nc * S, S);
        });
      }
    }
    for (int64_t n = 0; n < N; ++n)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t s = 0; s < S; ++s) {
          const int64_t i = (n * C + c) * S + s, p = param(c, s);
          py[i] = from_acc<T>(static_cast<A>(px[i]) * a[p] + b[p]);
        }
  });
}

}  // namespace onyx
