// Dropout: the identity at inference; in training, zeroes random elements.
//
//   inference:  output = data, mask = all true (all ones in opsets 7-9, typed like data)
//   training:   mask ~ Bernoulli(1 - ratio) per element, output = data * mask / (1 - ratio)
//
// Opsets 1-11 carry `ratio` (and, in 1 and 6, `is_test`) as attributes; a runtime never
// trains, so they always run in inference mode. From opset 12 ratio and training_mode are
// optional inputs read at run time, and `seed` makes the training mask reproducible:
// with a seed every run draws the same mask, without one each run draws a fresh mask.
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "common/dtype_lists.h"
#include "nn/nn.h"
#include "nn/nn_util.h"
#include "onyx/narrow_tensor.h"

namespace onyx {
namespace {

class DropoutKernel : public Kernel {
 public:
  explicit DropoutKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;
  std::vector<OutputReuse> output_reuse() const override { return view_of_input0(); }

 private:
  std::string label_;
  bool inputs_control_ = false;  // opset 12+: ratio and training_mode are inputs
  bool bool_mask_ = true;        // opset 10+: mask is bool, before it has data's dtype
  bool has_seed_ = false;
  int64_t seed_ = 0;
};

void infer_dropout(InferContext& ctx);

}  // namespace

// ---- registration ----

void register_dropout(Registry& registry) {
  const std::vector<DType> floats = float_dtypes();
  const std::vector<DType> with_bf16 = float_dtypes_bf16();
  const std::vector<DType> with_float8 = with_dtypes(
      with_bf16,
      {DType::Float8E4M3FN, DType::Float8E4M3FNUZ, DType::Float8E5M2, DType::Float8E5M2FNUZ});
  // 1: consumed_inputs, is_test, ratio; 6: drops consumed_inputs; 7: drops is_test;
  // 10: bool mask; 12: ratio and training_mode inputs, seed; 13: bfloat16; 22: the four
  // float8 types (data and ratio).
  for (auto [since, until] : {std::pair{1, 5}, std::pair{6, 6}, std::pair{7, 9}, std::pair{10, 11},
                              std::pair{12, 12}, std::pair{13, 21}, std::pair{22, kOpsetOpen}}) {
    KernelDef def;
    def.op_type = "Dropout";
    def.since_version = since;
    def.until_version = until;
    def.dtypes = since >= 22 ? with_float8 : since >= 13 ? with_bf16 : floats;
    def.create = make_kernel<DropoutKernel>();
    def.infer = infer_dropout;
    if (since < 12) def.attr_types["ratio"] = AttrType::Float;
    if (since < 7) def.attr_types["is_test"] = AttrType::Int;
    if (since < 6) def.attr_types["consumed_inputs"] = AttrType::Ints;
    if (since >= 12) def.attr_types["seed"] = AttrType::Int;
    registry.add(std::move(def));
  }
}

namespace {

// Dropout-22's float8 types have no arithmetic of their own: they are read through their
// wide type (float). Returns t itself, or its widened copy kept in `holder`.
const Tensor& readable(const Tensor& t, Tensor& holder) {
  if (!dtype_is_narrow(t.dtype())) return t;
  holder = widen(t);
  return holder;
}

}  // namespace

// ---- construction ----

DropoutKernel::DropoutKernel(const KernelInit& init) : label_(init.label()) {
  inputs_control_ = init.opset() >= 12;
  bool_mask_ = init.opset() >= 10;
  if (init.num_outputs() > 2) init.fail("Dropout has at most 2 outputs (output, mask)");
  if (!inputs_control_) {
    const float ratio = init.attrs().get_float("ratio", 0.5f);
    if (!(ratio >= 0 && ratio <= 1)) init.fail(cat("ratio must be in [0, 1], got ", ratio));
    if (init.num_inputs() > 1) init.fail(cat("Dropout-", init.opset(), " takes one input"));
    return;
  }
  has_seed_ = init.attrs().has("seed");
  seed_ = init.attrs().get_int("seed", 0);
  if (const Tensor* ratio = init.has_input(1) ? init.constant_input(1) : nullptr) {
    if (ratio->numel() != 1) init.fail(cat("ratio must be a scalar, got ", ratio->describe()));
    Tensor wide;
    const double r = float_values<double>(readable(*ratio, wide), "Dropout ratio")[0];
    if (!(r >= 0 && r < 1)) init.fail(cat("ratio must be in [0, 1), got ", r));
  }
}

// ---- shape rule ----

namespace {

void infer_dropout(InferContext& ctx) {
  const TypeInfo& x = ctx.input(0);
  ctx.set_output(0, x);
  if (ctx.num_outputs() > 1)
    ctx.set_output(1, TypeInfo::tensor(ctx.opset() >= 10 ? DType::Bool : x.elem, x.shape));
}

}  // namespace

// ---- compute ----

void DropoutKernel::run(KernelContext& ctx) const {
  const Tensor& x = ctx.input(0);
  const bool want_mask = ctx.num_outputs() > 1;
  double ratio = 0.5;
  bool training = false;
  if (inputs_control_ && ctx.has_input(1)) {
    const Tensor& r = ctx.input(1);
    if (r.numel() != 1) ctx.fail(cat("ratio must be a scalar, got ", r.describe()));
    Tensor wide;
    ratio = float_values<double>(readable(r, wide), "Dropout ratio")[0];
  }
  if (inputs_control_ && ctx.has_input(2)) {
    const Tensor& t = ctx.input(2);
    if (t.dtype() != DType::Bool || t.numel() != 1)
      ctx.fail(cat("training_mode must be a bool scalar, got ", t.describe()));
    training = t.data<bool>()[0];
  }
  if (training && !(ratio >= 0 && ratio < 1))
    ctx.fail(cat("ratio must be in [0, 1) in training mode, got ", ratio));

  if (!training || ratio == 0) {
    ctx.set_output(0, x);  // the identity: share data's buffer
    if (!want_mask) return;
    if (bool_mask_) {
      Tensor& mask = ctx.allocate_output(1, DType::Bool, x.shape());
      std::fill_n(mask.data<bool>(), mask.numel(), true);
    } else {
      Tensor& mask = ctx.allocate_output(1, x.dtype(), x.shape());
      dispatch<FloatTypes>(x.dtype(), "Dropout", [&](auto tag) {
        using T = typename decltype(tag)::type;
        std::fill_n(mask.data<T>(), mask.numel(), from_acc<T>(1.0f));
      });
    }
    return;
  }

  // Training: the mask is drawn serially from one generator so that a seed fixes it.
  std::mt19937_64 rng(has_seed_ ? static_cast<uint64_t>(seed_) : std::random_device{}());
  std::bernoulli_distribution keep(1.0 - ratio);
  std::vector<bool> kept(static_cast<size_t>(x.numel()));
  for (size_t i = 0; i < kept.size(); ++i) kept[i] = keep(rng);
  Tensor& y = ctx.allocate_output(0, x.dtype(), x.shape());
  // float8 data is scaled in float and rounded once into y (saturating, as Cast's default).
  Tensor wide_x;
  const Tensor& xs = readable(x, wide_x);
  Tensor wide_y = &xs == &x ? Tensor() : Tensor(xs.dtype(), x.shape());
  Tensor& ys = &xs == &x ? y : wide_y;
  dispatch<FloatTypes>(xs.dtype(), "Dropout", [&](auto tag) {
    using T = typename decltype(tag)::type;
    using A = acc_t<T>;
    const A scale = static_cast<A>(1.0 / (1.0 - ratio));
    const T* px = xs.data<T>();
    T* py = ys.data<T>();
    for (size_t i = 0; i < kept.size(); ++i)
      py[i] = kept[i] ? from_acc<T>(static_cast<A>(px[i]) * scale) : from_acc<T>(A(0));
  });
  if (&ys != &y) narrow_into(wide_y, y);
  if (want_mask) {
    bool* mask = ctx.allocate_output(1, DType::Bool, x.shape()).data<bool>();
    for (size_t i = 0; i < kept.size(); ++i) mask[i] = kept[i];
  }
}

}  // namespace onyx
