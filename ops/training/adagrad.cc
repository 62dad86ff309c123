// Adagrad (ai.onnx.preview.training, opset 1): one ADAGRAD step for each of n tensors.
// Inputs R, T, X1..Xn, G1..Gn, H1..Hn; outputs X1_new..Xn_new, H1_new..Hn_new:
//
//   r = R / (1 + T * decay_factor)                 decayed learning rate
//   G_regularized = norm_coefficient * X + G       gradient of the L2 term added
//   H_new = H + G_regularized^2                    accumulated squared gradient
//   X_new = X - r * G_regularized / (sqrt(H_new) + epsilon)
#include <cmath>

#include "training/optimizer.h"
#include "training/training_ops.h"

namespace onyx {
namespace {

class AdagradKernel : public Kernel {
 public:
  explicit AdagradKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;

 private:
  int64_t n_ = 0;
  float decay_factor_ = 0, epsilon_ = 1e-6f, norm_coefficient_ = 0;
};

void infer_adagrad(InferContext& ctx) { infer_optimizer(ctx, 3); }

}  // namespace

// ---- registration ----

void register_adagrad(Registry& registry) {
  add_optimizer(registry, "Adagrad", make_kernel<AdagradKernel>(), infer_adagrad,
                {{"decay_factor", AttrType::Float},
                 {"epsilon", AttrType::Float},
                 {"norm_coefficient", AttrType::Float}});
}

// ---- construction ----

AdagradKernel::AdagradKernel(const KernelInit& init) : n_(optimized_tensor_count(init, 3)) {
  const Attrs& attrs = init.attrs();
  decay_factor_ = attrs.get_float("decay_factor", 0.0f);
  epsilon_ = attrs.get_float("epsilon", 1e-6f);
  norm_coefficient_ = attrs.get_float("norm_coefficient", 0.0f);
  if (decay_factor_ < 0) init.fail(cat("decay_factor must be >= 0, got ", decay_factor_));
}

// ---- compute ----

void AdagradKernel::run(KernelContext& ctx) const {
  const OptimizerStep step = read_optimizer_step(ctx);
  const double rate = step.rate / (1.0 + static_cast<double>(step.count) * decay_factor_);
  for (int64_t j = 0; j < n_; ++j) {
    const Tensor& x = optimizer_input(ctx, n_, 0, j);
    const Tensor& g = optimizer_input(ctx, n_, 1, j);
    const Tensor& h = optimizer_input(ctx, n_, 2, j);
    Tensor& x_new = ctx.allocate_output(static_cast<int>(j), x.dtype(), x.shape());
    Tensor& h_new = ctx.allocate_output(static_cast<int>(n_ + j), x.dtype(), x.shape());
    dispatch<OptimizerTypes>(x.dtype(), "Adagrad", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T r = static_cast<T>(rate), norm = norm_coefficient_, eps = epsilon_;
      const T *px = x.data<T>(), *pg = g.data<T>(), *ph = h.data<T>();
      T *px_new = x_new.data<T>(), *ph_new = h_new.data<T>();
      for (int64_t i = 0; i < x.numel(); ++i) {
        const T g_reg = norm * px[i] + pg[i];
        ph_new[i] = ph[i] + g_reg * g_reg;
        px_new[i] = px[i] - r * g_reg / (std::sqrt(ph_new[i]) + eps);
      }
    });
  }
}

}  // namespace onyx
