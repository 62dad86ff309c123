// Momentum (ai.onnx.preview.training, opset 1): one step of stochastic gradient descent
// with momentum for each of n tensors. Inputs R, T, X1..Xn, G1..Gn, V1..Vn; outputs
// X1_new..Xn_new, V1_new..Vn_new:
//
//   G_regularized = norm_coefficient * X + G
//   V_new = alpha * V + beta_adjusted * G_regularized, beta_adjusted = T > 0 ? beta : 1
//   mode "standard": X_new = X - R * V_new
//   mode "nesterov": X_new = X - R * (G_regularized + alpha * V_new)
//
// alpha, beta, mode and norm_coefficient have no defaults: all four are required.
#include "training/optimizer.h"
#include "training/training_ops.h"

namespace onyx {
namespace {

class MomentumKernel : public Kernel {
 public:
  explicit MomentumKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;

 private:
  int64_t n_ = 0;
  float alpha_ = 0, beta_ = 0, norm_coefficient_ = 0;
  bool nesterov_ = false;
};

void infer_momentum(InferContext& ctx) { infer_optimizer(ctx, 3); }

}  // namespace

// ---- registration ----

void register_momentum(Registry& registry) {
  add_optimizer(registry, "Momentum", make_kernel<MomentumKernel>(), infer_momentum,
                {{"alpha", AttrType::Float},
                 {"beta", AttrType::Float},
                 {"mode", AttrType::String},
                 {"norm_coefficient", AttrType::Float}});
}

// ---- construction ----

MomentumKernel::MomentumKernel(const KernelInit& init) : n_(optimized_tensor_count(init, 3)) {
  const Attrs& attrs = init.attrs();
  for (const char* name : {"alpha", "beta", "mode", "norm_coefficient"})
    if (!attrs.has(name)) init.fail(cat("required attribute '", name, "' is missing"));
  alpha_ = attrs.get_float("alpha", 0.0f);
  beta_ = attrs.get_float("beta", 0.0f);
  norm_coefficient_ = attrs.get_float("norm_coefficient", 0.0f);
  const std::string mode = attrs.get_string("mode", "");
  if (mode != "standard" && mode != "nesterov")
    init.fail("mode must be 'standard' or 'nesterov', got '" + mode + "'");
  nesterov_ = mode == "nesterov";
}

// ---- compute ----

void MomentumKernel::run(KernelContext& ctx) const {
  const OptimizerStep step = read_optimizer_step(ctx);
  const float beta_adjusted = step.count > 0 ? beta_ : 1.0f;  // the first step takes all of G
  for (int64_t j = 0; j < n_; ++j) {
    const Tensor& x = optimizer_input(ctx, n_, 0, j);
    const Tensor& g = optimizer_input(ctx, n_, 1, j);
    const Tensor& v = optimizer_input(ctx, n_, 2, j);
    Tensor& x_new = ctx.allocate_output(static_cast<int>(j), x.dtype(), x.shape());
    Tensor& v_new = ctx.allocate_output(static_cast<int>(n_ + j), x.dtype(), x.shape());
    dispatch<OptimizerTypes>(x.dtype(), "Momentum", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T r = static_cast<T>(step.rate), alpha = alpha_, beta = beta_adjusted;
      const T norm = norm_coefficient_;
      const T *px = x.data<T>(), *pg = g.data<T>(), *pv = v.data<T>();
      T *px_new = x_new.data<T>(), *pv_new = v_new.data<T>();
      for (int64_t i = 0; i < x.numel(); ++i) {
        const T g_reg = norm * px[i] + pg[i];
        pv_new[i] = alpha * pv[i] + beta * g_reg;
        px_new[i] = px[i] - r * (nesterov_ ? g_reg + alpha * pv_new[i] : pv_new[i]);
      }
    });
  }
}

}  // namespace onyx
