// GroupNormalization: the C channels of X (N, C, D1..Dn) split into num_groups groups of
// C / num_groups consecutive channels; each (n, group) is normalized over its channels and
// spatial elements together:
//
//   Y = (X - mean) / sqrt(var + epsilon) * scale + bias      var: population variance
//
// Opset 18 takes scale and bias per group (shape [num_groups]); opset 21 redefined them
// per channel (shape [C]) and added stash_type, the type the statistics are computed in
// (float or bfloat16; here in double, rounded to it as LayerNormalization does).
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "common/shape_utils.h"
#include "nn/nn.h"
#include "nn/nn_util.h"

namespace onyx {
namespace {

class GroupNormKernel : public Kernel {
 public:
  explicit GroupNormKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;

 private:
  int64_t groups_ = 1;
  float epsilon_ = 1e-5f;
  bool per_channel_ = true;  // opset 21: scale and bias have C elements, else num_groups
  DType stash_ = DType::Float;
};

void infer_group_norm(InferContext& ctx) {
  const TypeInfo& x = ctx.input(0);
  if (x.has_shape() && x.shape->size() < 2)
    ctx.fail(cat("X must have rank 2 or more (N, C, ..), got rank ", x.shape->size()));
  ctx.set_output(0, x);
}

// Rounds a statistic computed in double to the stash type, as the spec computes it there.
double round_to(DType stash, double v) {
  if (stash == DType::BFloat16)
    return static_cast<double>(static_cast<float>(bfloat16_t(static_cast<float>(v))));
  return static_cast<double>(static_cast<float>(v));
}

}  // namespace

// ---- registration ----

void register_group_norm(Registry& registry) {
  const std::vector<DType> f = {DType::Float16, DType::Float, DType::Double, DType::BFloat16};
  const std::map<std::string, AttrType> v18 = {{"epsilon", AttrType::Float},
                                               {"num_groups", AttrType::Int}};
  std::map<std::string, AttrType> v21 = v18;
  v21["stash_type"] = AttrType::Int;
  add_op_versions(registry, "GroupNormalization", {{18, 20, f, v18}, {21, kOpsetOpen, f, v21}},
                  make_kernel<GroupNormKernel>(), infer_group_norm);
}

// ---- construction ----

GroupNormKernel::GroupNormKernel(const KernelInit& init)
    : groups_(init.attrs().required_int("num_groups")),
      epsilon_(init.attrs().get_float("epsilon", 1e-5f)),
      per_channel_(init.opset() >= 21) {
  if (groups_ < 1) init.fail(cat("num_groups must be positive, got ", groups_));
  if (!(epsilon_ >= 0.0f)) init.fail(cat("epsilon must be non-negative, got ", epsilon_));
  const int64_t stash = init.attrs().get_int("stash_type", 1);
  if (stash == 16)
    stash_ = DType::BFloat16;
  else if (stash != 1)
    init.fail(cat("stash_type must be 1 (float) or 16 (bfloat16), got ", stash));
  if (!init.has_input(1) || !init.has_input(2))
    init.fail("GroupNormalization needs inputs X, scale and bias");
  const TypeInfo& x = init.input_type(0);
  if (x.has_shape()) {
    if (x.shape->size() < 2)
      init.fail(cat("X must have rank 2 or more (N, C, ..), got rank ", x.shape->size()));
    const Dim& c = (*x.shape)[1];
    if (c.is_known() && c.value % groups_ != 0)
      init.fail(cat("num_groups ", groups_, " does not divide the ", c.value, " channels"));
  }
}

// ---- compute ----

void GroupNormKernel::run(KernelContext& ctx) const {
  const Tensor& x = ctx.input(0);
  if (x.rank() < 2) ctx.fail(cat("X must have rank 2 or more (N, C, ..), got ", x.describe()));
  const int64_t N = x.dim(0), C = x.dim(1);
  if (C % groups_ != 0)
    ctx.fail(
        cat("num_groups ", groups_, " does not divide the ", C, " channels of ", x.describe()));
  const int64_t S = checked_numel(Shape(x.shape().begin() + 2, x.shape().end()));
  const int64_t per_group = C / groups_;  // channels in one group
  const std::vector<double> scale = float_values<double>(ctx.input(1), "GroupNormalization");
  const std::vector<double> bias = float_values<double>(ctx.input(2), "GroupNormalization");
  const int64_t want = per_channel_ ? C : groups_;
  if (static_cast<int64_t>(scale.size()) != want || static_cast<int64_t>(bias.size()) != want)
    ctx.fail(cat("scale ", ctx.input(1).describe(), " and bias ", ctx.input(2).describe(),
                 " must have ", want, per_channel_ ? " (C)" : " (num_groups)", " elements"));
  Tensor& y = ctx.allocate_output(0, x.dtype(), x.shape());
  const int64_t count = per_group * S;  // elements of one (n, group), contiguous in X

  dispatch<FloatTypes>(x.dtype(), "GroupNormalization", [&](auto tag) {
    using T = typename decltype(tag)::type;
    auto value = [](T v) { return static_cast<double>(static_cast<acc_t<T>>(v)); };
    const T* px = x.data<T>();
    T* py = y.data<T>();
    ctx.pool().parallel_for(N * groups_, 1, [&](int64_t g0, int64_t g1) {
      for (int64_t ng = g0; ng < g1; ++ng) {
        const T* in = px + ng * count;
        double sum = 0, sq = 0;
        for (int64_t i = 0; i < count; ++i) sum += value(in[i]);
        const double mean = round_to(stash_, count ? sum / static_cast<double>(count) : 0.0);
        for (int64_t i = 0; i < count; ++i) sq += (value(in[i]) - mean) * (value(in[i]) - mean);
        const double var = count ? sq / static_cast<double>(count) : 0.0;
        const double inv = round_to(stash_, 1.0 / std::sqrt(var + static_cast<double>(epsilon_)));
        const int64_t g = ng % groups_;
        for (int64_t k = 0; k < per_group; ++k) {
          const int64_t c = g * per_group + k;
          const double s = scale[per_channel_ ? c : g], b = bias[per_channel_ ? c : g];
          for (int64_t i = k * S; i < (k + 1) * S; ++i)
            py[ng * count + i] =
                from_acc<T>(static_cast<acc_t<T>>((value(in[i]) - mean) * inv * s + b));
        }
      }
    });
  });
}

}  // namespace onyx
