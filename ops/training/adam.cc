// Adam (ai.onnx.preview.training, opset 1): one Adam step for each of n tensors.
// Inputs R, T, X1..Xn, G1..Gn, V1..Vn, H1..Hn; outputs X_new.., V_new.., H_new..:
//
//   G_regularized = norm_coefficient * X + G
//   V_new = alpha * V + (1 - alpha) * G_regularized          averaged gradient
//   H_new = beta * H + (1 - beta) * G_regularized^2          averaged squared gradient
//   R_adjusted = R * sqrt(1 - beta^T) / (1 - alpha^T) if T > 0, else R   (bias correction)
//   X_new = (1 - norm_coefficient_post) * (X - R_adjusted * V_new / (sqrt(H_new) + epsilon))
#include <cmath>

#include "training/optimizer.h"
#include "training/training_ops.h"

namespace onyx {
namespace {

class AdamKernel : public Kernel {
 public:
  explicit AdamKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;

 private:
  int64_t n_ = 0;
  float alpha_ = 0.9f, beta_ = 0.999f, epsilon_ = 1e-6f;
  float norm_coefficient_ = 0, norm_coefficient_post_ = 0;
};

void infer_adam(InferContext& ctx) { infer_optimizer(ctx, 4); }

}  // namespace

// ---- registration ----

void register_adam(Registry& registry) {
  add_optimizer(registry, "Adam", make_kernel<AdamKernel>(), infer_adam,
                {{"alpha", AttrType::Float},
                 {"beta", AttrType::Float},
                 {"epsilon", AttrType::Float},
                 {"norm_coefficient", AttrType::Float},
                 {"norm_coefficient_post", AttrType::Float}});
}

// ---- construction ----

AdamKernel::AdamKernel(const KernelInit& init) : n_(optimized_tensor_count(init, 4)) {
  const Attrs& attrs = init.attrs();
  alpha_ = attrs.get_float("alpha", 0.9f);
  beta_ = attrs.get_float("beta", 0.999f);
  epsilon_ = attrs.get_float("epsilon", 1e-6f);
  norm_coefficient_ = attrs.get_float("norm_coefficient", 0.0f);
  norm_coefficient_post_ = attrs.get_float("norm_coefficient_post", 0.0f);
}

// ---- compute ----

void AdamKernel::run(KernelContext& ctx) const {
  const OptimizerStep step = read_optimizer_step(ctx);
  double rate = step.rate;
  if (step.count > 0) {
    const double t = static_cast<double>(step.count);
    rate *= std::sqrt(1.0 - std::pow(double{beta_}, t)) / (1.0 - std::pow(double{alpha_}, t));
  }
  for (int64_t j = 0; j < n_; ++j) {
    const Tensor& x = optimizer_input(ctx, n_, 0, j);
    const Tensor& g = optimizer_input(ctx, n_, 1, j);
    const Tensor& v = optimizer_input(ctx, n_, 2, j);
    const Tensor& h = optimizer_input(ctx, n_, 3, j);
    Tensor& x_new = ctx.allocate_output(static_cast<int>(j), x.dtype(), x.shape());
    Tensor& v_new = ctx.allocate_output(static_cast<int>(n_ + j), x.dtype(), x.shape());
    Tensor& h_new = ctx.allocate_output(static_cast<int>(2 * n_ + j), x.dtype(), x.shape());
    dispatch<OptimizerTypes>(x.dtype(), "Adam", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T r = static_cast<T>(rate), alpha = alpha_, beta = beta_, eps = epsilon_;
      const T norm = norm_coefficient_, keep = T(1) - T(norm_coefficient_post_);
      const T *px = x.data<T>(), *pg = g.data<T>(), *pv = v.data<T>(), *ph = h.data<T>();
      T *px_new = x_new.data<T>(), *pv_new = v_new.data<T>(), *ph_new = h_new.data<T>();
      for (int64_t i = 0; i < x.numel(); ++i) {
        const T g_reg = norm * px[i] + pg[i];
        pv_new[i] = alpha * pv[i] + (T(1) - alpha) * g_reg;
        ph_new[i] = beta * ph[i] + (T(1) - beta) * g_reg * g_reg;
        px_new[i] = keep * (px[i] - r * pv_new[i] / (std::sqrt(ph_new[i]) + eps));
      }
    });
  }
}

}  // namespace onyx
