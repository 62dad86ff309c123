// Normalizations over groups of elements, each in one pass for the statistics and one
// for the output (statistics in double, outputs converted back to X's type):
//
//   InstanceNormalization      per (n, c) over the spatial dims of X (N, C, D1..Dn):
//                              Y = scale[c] * (X - mean) / sqrt(var + epsilon) + B[c]
//   MeanVarianceNormalization  per group of elements sharing the coordinates outside
//                              `axes` (default [0, 2, 3]):
//                              Y = (X - mean) / (sqrt(mean(X^2) - mean^2) + 1e-9)
//   LRN                        across channels of X (N, C, ..):
//                              Y = X / (bias + alpha / size * sum(X[c']^2))^beta, with c'
//                              from c - floor((size-1)/2) to c + ceil((size-1)/2), in range
//
// var is the population variance (divided by the count).
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "common/dtype_lists.h"
#include "common/shape_utils.h"
#include "nn/nn.h"
#include "nn/nn_util.h"

namespace onyx {
namespace {

enum class NormOp { Instance, MeanVariance, Lrn };

class NormKernel : public Kernel {
 public:
  explicit NormKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;

 private:
  void run_instance(KernelContext& ctx) const;
  void run_mvn(KernelContext& ctx) const;
  void run_lrn(KernelContext& ctx) const;

  NormOp op_ = NormOp::Instance;
  std::string name_;
  float epsilon_ = 1e-5f;
  std::vector<int64_t> axes_;  // MeanVarianceNormalization
  float alpha_ = 1e-4f, beta_ = 0.75f, bias_ = 1.0f;
  int64_t size_ = 1;  // LRN
};

void infer_norm(InferContext& ctx) {
  const TypeInfo& x = ctx.input(0);
  const std::string& op = ctx.node().op_type;
  if (x.has_shape() && op != "MeanVarianceNormalization" && x.shape->size() < 2)
    ctx.fail(cat("X must have rank 2 or more (N, C, ..), got rank ", x.shape->size()));
  ctx.set_output(0, x);
}

}  // namespace

// ---- registration ----

void register_normalization(Registry& registry) {
  const std::vector<DType> f = {DType::Float16, DType::Float, DType::Double};
  std::vector<DType> f_bf16 = f;
  f_bf16.push_back(DType::BFloat16);
  const AttrType F = AttrType::Float;
  auto create = make_kernel<NormKernel>();
  // Opset 1 also carries the legacy `consumed_inputs` hint, which is ignored.
  add_op_versions(registry, "InstanceNormalization",
                  {{1, 5, f, {{"epsilon", F}, {"consumed_inputs", AttrType::Ints}}},
                   {6, 21, f, {{"epsilon", F}}},
                   {22, kOpsetOpen, f_bf16, {{"epsilon", F}}}},
                  create, infer_norm);
  add_op_versions(registry, "MeanVarianceNormalization",
                  {{9, 12, f, {{"axes", AttrType::Ints}}},
                   {13, kOpsetOpen, f_bf16, {{"axes", AttrType::Ints}}}},
                  create, infer_norm);
  const std::map<std::string, AttrType> lrn = {
      {"alpha", F}, {"beta", F}, {"bias", F}, {"size", AttrType::Int}};
  add_op_versions(registry, "LRN", {{1, 12, f, lrn}, {13, kOpsetOpen, f_bf16, lrn}}, create,
                  infer_norm);
}

// ---- construction ----

NormKernel::NormKernel(const KernelInit& init) : name_(init.node().op_type) {
  const Attrs& attrs = init.attrs();
  const TypeInfo& x = init.input_type(0);
  if (name_ == "InstanceNormalization") {
    op_ = NormOp::Instance;
    epsilon_ = attrs.get_float("epsilon", 1e-5f);
    if (!(epsilon_ >= 0.0f)) init.fail(cat("epsilon must be non-negative, got ", epsilon_));
    if (!init.has_input(1) || !init.has_input(2))
      init.fail("InstanceNormalization needs inputs input, scale and B");
  } else if (name_ == "MeanVarianceNormalization") {
    op_ = NormOp::MeanVariance;
    axes_ = attrs.get_ints("axes", {0, 2, 3});
    if (x.has_shape()) {
      const int rank = static_cast<int>(x.shape->size());
      for (int64_t a : axes_)
        if (a < -rank || a >= rank) init.fail(cat("axis ", a, " is out of range for rank ", rank));
    }
  } else {
    op_ = NormOp::Lrn;
    alpha_ = attrs.get_float("alpha", 1e-4f);
    beta_ = attrs.get_float("beta", 0.75f);
    bias_ = attrs.get_float("bias", 1.0f);
    size_ = attrs.required_int("size");
    if (size_ < 1) init.fail(cat("size must be positive, got ", size_));
  }
  if (op_ != NormOp::MeanVariance && x.has_shape() && x.shape->size() < 2)
    init.fail(cat("X must have rank 2 or more (N, C, ..), got rank ", x.shape->size()));
}

// ---- compute ----

void NormKernel::run(KernelContext& ctx) const {
  switch (op_) {
    case NormOp::Instance:
      return run_instance(ctx);
    case NormOp::MeanVariance:
      return run_mvn(ctx);
    case NormOp::Lrn:
      return run_lrn(ctx);
  }
}

void NormKernel::run_instance(KernelContext& ctx) const {
  const Tensor& x = ctx.input(0);
  if (x.rank() < 2) ctx.fail(cat("X must have rank 2 or more (N, C, ..), got ", x.describe()));
  const int64_t N = x.dim(0), C = x.dim(1);
  const int64_t S = checked_numel(Shape(x.shape().begin() + 2, x.shape().end()));
  const std::vector<double> scale = float_values<double>(ctx.input(1), "InstanceNormalization");
  const std::vector<double> bias = float_values<double>(ctx.input(2), "InstanceNormalization");
  if (static_cast<int64_t>(scale.size()) != C || static_cast<int64_t>(bias.size()) != C)
    ctx.fail(cat("scale ", ctx.input(1).describe(), " and B ", ctx.input(2).describe(),
                 " must have C = ", C, " elements"));
  Tensor& y = ctx.allocate_output(0, x.dtype(), x.shape());
  dispatch<FloatTypes>(x.dtype(), "InstanceNormalization", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* px = x.data<T>();
    T* py = y.data<T>();
    for (int64_t nc = 0; nc < N * C; ++nc) {
      const T* in = px + nc * S;
      double mean = 0, var = 0;
      for (int64_t s = 0; s < S; ++s) mean += static_cast<double>(static_cast<acc_t<T>>(in[s]));
      mean /= static_cast<double>(S);
      for (int64_t s = 0; s < S; ++s) {
        const double d = static_cast<double>(static_cast<acc_t<T>>(in[s])) - mean;
        var += d * d;
      }
      var /= static_cast<double>(S);
      const int64_t c = nc % C;
      const double k = scale[c] / std::sqrt(var + static_cast<double>(epsilon_));
      for (int64_t s = 0; s < S; ++s) {
        const double v = static_cast<double>(static_cast<acc_t<T>>(in[s]));
        py[nc * S + s] = from_acc<T>(static_cast<acc_t<T>>((v - mean) * k + bias[c]));
      }
    }
  });
}

void NormKernel::run_mvn(KernelContext& ctx) const {
  const Tensor& x = ctx.input(0);
  const int rank = x.rank();
  std::vector<bool> reduced(rank, false);
  for (int64_t a : axes_) reduced[normalize_axis(a, rank, "MeanVarianceNormalization axes")] = true;
  // Group of each element: its row-major index over the kept dims only.
  const int64_t n = x.numel();
  std::vector<int64_t> group(static_cast<size_t>(n));
  int64_t groups = 1;
  for (int d = 0; d < rank; ++d)
    if (!reduced[d]) groups *= x.dim(d);
  for (int64_t i = 0; i < n; ++i) {
    int64_t rest = i, g = 0, mult = 1;
    for (int d = rank - 1; d >= 0; --d) {
      const int64_t coord = rest % x.dim(d);
      rest /= x.dim(d);
      if (!reduced[d]) {
        g += coord * mult;
        mult *= x.dim(d);
      }
    }
    group[i] = g;
  }
  const int64_t count = groups > 0 ? n / groups : 0;
  Tensor& y = ctx.allocate_output(0, x.dtype(), x.shape());
  dispatch<FloatTypes>(x.dtype(), "MeanVarianceNormalization", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* px = x.data<T>();
    T* py = y.data<T>();
    std::vector<double> sum(static_cast<size_t>(groups), 0.0), sq(static_cast<size_t>(groups), 0.0);
    for (int64_t i = 0; i < n; ++i) {
      const double v = static_cast<double>(static_cast<acc_t<T>>(px[i]));
      sum[group[i]] += v;
      sq[group[i]] += v * v;
    }
    for (int64_t i = 0; i < n; ++i) {
      const double mean = sum[group[i]] / static_cast<double>(count);
      const double var = sq[group[i]] / static_cast<double>(count) - mean * mean;
      const double std = std::sqrt(var > 0 ? var : 0.0);  // rounding may dip below 0
      const double v = static_cast<double>(static_cast<acc_t<T>>(px[i]));
      py[i] = from_acc<T>(static_cast<acc_t<T>>((v - mean) / (std + 1e-9)));
    }
  });
}

void NormKernel::run_lrn(KernelContext& ctx) const {
  const Tensor& x = ctx.input(0);
  if (x.rank() < 2) ctx.fail(cat("X must have rank 2 or more (N, C, ..), got ", x.describe()));
  const int64_t N = x.dim(0), C = x.dim(1);
  const int64_t S = checked_numel(Shape(x.shape().begin() + 2, x.shape().end()));
  const int64_t before = (size_ - 1) / 2, after = size_ - 1 - before;  // floor / ceil
  Tensor& y = ctx.allocate_output(0, x.dtype(), x.shape());
  dispatch<FloatTypes>(x.dtype(), "LRN", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* px = x.data<T>();
    T* py = y.data<T>();
    for (int64_t n = 0; n < N; ++n)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t s = 0; s < S; ++s) {
          double square_sum = 0;
          for (int64_t k = std::max<int64_t>(0, c - before); k <= std::min(C - 1, c + after); ++k) {
            const double v = static_cast<double>(static_cast<acc_t<T>>(px[(n * C + k) * S + s]));
            square_sum += v * v;
          }
          const int64_t i = (n * C + c) * S + s;
          const double denom = std::pow(
              static_cast<double>(bias_) + static_cast<double>(alpha_) / size_ * square_sum,
              static_cast<double>(beta_));
          py[i] = from_acc<T>(
              static_cast<acc_t<T>>(static_cast<double>(static_cast<acc_t<T>>(px[i])) / denom));
        }
  });
}

}  // namespace onyx
