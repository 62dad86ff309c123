// CausalConvWithState (opset 27): a depthwise causal 1-D convolution that carries the
// last k - 1 inputs of each channel from one call to the next.
//
//   input [B, C, L]   weight [C, 1, k]   bias [C]   past_state [B, C, k - 1] (zeros if omitted)
//
//   padded[b, c]  = concat(past_state[b, c], input[b, c])          length L + k - 1
//   y[b, c, t]    = bias[c] + sum_j weight[c, 0, j] * padded[b, c, t + j]
//   output        = y, or silu(y) = y * sigmoid(y) when activation is silu (alias swish)
//   present_state = the last k - 1 entries of padded                [B, C, k - 1]
//
// float16 and bfloat16 compute in float. As ONNX's reference
// (onnx/reference/ops/op_causal_conv_with_state.py) does, the convolution's sum is
// rounded to the storage type before the activation reads it.
#include <cmath>
#include <string>
#include <vector>

#include "common/shape_utils.h"
#include "nn/nn.h"
#include "nn/nn_util.h"

namespace onyx {
namespace {

enum Input { kInput, kWeight, kBias, kPastState };

class CausalConvWithStateKernel final : public Kernel {
 public:
  explicit CausalConvWithStateKernel(const KernelInit& init) {
    const std::string act = init.attrs().get_string("activation", "none");
    if (act != "none" && act != "silu" && act != "swish")
      init.fail(cat("activation must be none, silu or swish, got '", act, "'"));
    silu_ = act != "none";
    wants_state_ = init.num_outputs() > 1 && init.node().outputs[1] != kNoValue;
  }

  void run(KernelContext& ctx) const override {
    auto given = [&](int i) { return ctx.num_inputs() > i && ctx.has_input(i); };
    const Tensor &x = ctx.input(kInput), &w = ctx.input(kWeight);
    if (x.rank() != 3) ctx.fail(cat("input must be [batch, channels, length], got ", x.describe()));
    const int64_t batch = x.dim(0), channels = x.dim(1), len = x.dim(2);
    if (w.rank() != 3 || w.dim(0) != channels || w.dim(1) != 1 || w.dim(2) < 1)
      ctx.fail(cat("weight must be [", channels, ", 1, k] with k >= 1, got ", w.describe()));
    const int64_t k = w.dim(2), keep = k - 1;
    const Tensor* bias = given(kBias) ? &ctx.input(kBias) : nullptr;
    if (bias && bias->shape() != Shape{channels})
      ctx.fail(cat("bias must be [", channels, "], got ", bias->describe()));
    const Shape state_shape = {batch, channels, keep};
    const Tensor* past = given(kPastState) ? &ctx.input(kPastState) : nullptr;
    if (past && past->shape() != state_shape)
      ctx.fail(cat("past_state must be [", batch, ", ", channels, ", ", keep, "], got ",
                   past->describe()));
    for (const Tensor* t : {&w, bias, past})
      if (t && t->dtype() != x.dtype())
        ctx.fail(cat("weight, bias and past_state must have input's dtype ", x.describe(), ", got ",
                     t->describe()));
    const int64_t padded_len = len + keep;  // both bounded by existing tensors
    Tensor& y = ctx.allocate_uninitialized_output(0, x.dtype(), x.shape());
    Tensor* state =
        wants_state_ ? &ctx.allocate_uninitialized_output(1, x.dtype(), state_shape) : nullptr;
    dispatch<FloatTypes>(x.dtype(), "CausalConvWithState", [&](auto tag) {
      using T = typename decltype(tag)::type;
      conv<T>(ctx, x, w, bias, past, padded_len, y.data<T>(), state ? state->data<T>() : nullptr);
    });
  }

 private:
  // One (batch, channel) row at a time: build the padded row, convolve, keep its tail.
  template <class T>
  void conv(KernelContext& ctx, const Tensor& x, const Tensor& w, const Tensor* bias,
            const Tensor* past, int64_t padded_len, T* y, T* state) const {
    const int64_t channels = x.dim(1), len = x.dim(2), k = w.dim(2), keep = k - 1;
    auto value = [](T v) { return static_cast<float>(static_cast<acc_t<T>>(v)); };
    ctx.pool().parallel_for(x.dim(0) * channels, 1, [&](int64_t r0, int64_t r1) {
      std::vector<float> padded(static_cast<size_t>(padded_len));
      for (int64_t r = r0; r < r1; ++r) {
        const int64_t c = r % channels;
        const T* in = x.data<T>() + r * len;
        for (int64_t j = 0; j < keep; ++j)
          padded[j] = past ? value(past->data<T>()[r * keep + j]) : 0.0f;
        for (int64_t t = 0; t < len; ++t) padded[keep + t] = value(in[t]);
        const T* wc = w.data<T>() + c * k;
        const float b = bias ? value(bias->data<T>()[c]) : 0.0f;
        for (int64_t t = 0; t < len; ++t) {
          float acc = b;
          for (int64_t j = 0; j < k; ++j) acc += value(wc[j]) * padded[t + j];
          float out = value(from_acc<T>(acc));
          if (silu_) out = out / (1.0f + std::exp(-out));
          y[r * len + t] = from_acc<T>(out);
        }
        // The tail of padded holds floats read from T, so storing them back is exact.
        for (int64_t j = 0; state && j < keep; ++j)
          state[r * keep + j] = from_acc<T>(padded[len + j]);
      }
    });
  }

  bool silu_ = false, wants_state_ = false;
};

// output has input's type and shape; present_state is [B, C, k - 1].
void infer_causal_conv_with_state(InferContext& ctx) {
  const TypeInfo &x = ctx.input(kInput), &w = ctx.input(kWeight);
  std::optional<std::vector<Dim>> state;
  if (x.has_shape() && x.shape->size() == 3) {
    const bool known = w.has_shape() && w.shape->size() == 3 && (*w.shape)[2].is_known();
    state = {(*x.shape)[0], (*x.shape)[1], known ? Dim::known((*w.shape)[2].value - 1) : Dim{}};
  }
  ctx.set_output(0, x);
  ctx.set_output(1, TypeInfo::tensor(x.elem, state));
}

}  // namespace

void register_causal_conv_with_state(Registry& registry) {
  const std::vector<DType> dtypes = {DType::Float, DType::Float16, DType::BFloat16};
  add_op_versions(registry, "CausalConvWithState",
                  {{27, kOpsetOpen, dtypes, {{"activation", AttrType::String}}}},
                  make_kernel<CausalConvWithStateKernel>(), infer_causal_conv_with_state);
}

}  // namespace onyx
