// LinearAttention (opset 27): attention as a recurrence over a fixed-size state per KV
// head, instead of a softmax over every past key.
//
//   query [B, T, Hq * dk]   key [B, T, Hkv * dk]   value [B, T, Hkv * dv]
//   past_state [B, Hkv, dk, dv] (zeros when omitted)
//   decay [B, T, Hkv] or [B, T, Hkv * dk]           (log-space gate; gated rules only)
//   beta [B, T, Hkv] or [B, T, 1]                   (write strength; delta rules only)
//   erase_gate [B, T, Hkv * dk]                     (delta rules only)
//
// For each token t and KV head g, with S the [dk, dv] state of (b, g):
//   gated, gated_delta:  S = exp(decay_t) ⊙ S           (per row i of S, or one scalar)
//   delta, gated_delta:  v_t = beta_t * (v_t - Sᵀ (erase_t ⊙ k_t))   (erase_t = 1 if omitted)
//   every rule:          S = S + k_t v_tᵀ
//   query head h reads KV head h / (Hq / Hkv):  y_t,h = scale * q_t,hᵀ S
//
// output [B, T, Hq * dv] has query's dtype; present_state (S after the last token) has
// past_state's dtype, or query's without it. scale 0 (the default) means 1 / sqrt(dk);
// update_rule defaults to gated_delta; chunk_size is a tuning hint that changes nothing.
// Where the text is unclear, ONNX's reference (onnx/reference/ops/op_linear_attention.py)
// decides: all arithmetic runs in float, whatever the storage types.
#include <cmath>
#include <string>
#include <vector>

#include "common/shape_utils.h"
#include "nn/nn.h"
#include "nn/nn_util.h"

namespace onyx {
namespace {

enum Input { kQuery, kKey, kValue, kPastState, kDecay, kBeta, kEraseGate };

// Writes float values into a float16/bfloat16/float/double tensor.
void store(Tensor& t, const std::vector<float>& values) {
  dispatch<FloatTypes>(t.dtype(), "LinearAttention", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = t.data<T>();
    for (size_t i = 0; i < values.size(); ++i) p[i] = from_acc<T>(values[i]);
  });
}

class LinearAttentionKernel final : public Kernel {
 public:
  explicit LinearAttentionKernel(const KernelInit& init)
      : q_heads_(init.attrs().get_int("q_num_heads", 0)),
        kv_heads_(init.attrs().get_int("kv_num_heads", 0)),
        scale_(init.attrs().get_float("scale", 0.0f)) {
    const std::string rule = init.attrs().get_string("update_rule", "gated_delta");
    if (rule != "linear" && rule != "gated" && rule != "delta" && rule != "gated_delta")
      init.fail(cat("update_rule must be linear, gated, delta or gated_delta, got '", rule, "'"));
    gated_ = rule == "gated" || rule == "gated_delta";
    delta_ = rule == "delta" || rule == "gated_delta";
    if (!init.attrs().has("q_num_heads") || !init.attrs().has("kv_num_heads"))
      init.fail("the q_num_heads and kv_num_heads attributes are required");
    if (q_heads_ <= 0 || kv_heads_ <= 0 || q_heads_ % kv_heads_ != 0)
      init.fail(cat("q_num_heads (", q_heads_, ") must be a positive multiple of kv_num_heads (",
                    kv_heads_, ")"));
    if (init.attrs().get_int("chunk_size", 64) <= 0)
      init.fail(cat("chunk_size must be positive, got ", init.attrs().get_int("chunk_size", 64)));
    if (!std::isfinite(scale_)) init.fail(cat("scale must be finite, got ", scale_));
    // Each rule names the gate inputs it reads; any other one is an error, not ignored.
    if (gated_ != init.has_input(kDecay))
      init.fail(cat("update_rule '", rule, "' ", gated_ ? "requires" : "forbids", " decay"));
    if (delta_ != init.has_input(kBeta))
      init.fail(cat("update_rule '", rule, "' ", delta_ ? "requires" : "forbids", " beta"));
    if (!delta_ && init.has_input(kEraseGate))
      init.fail(cat("update_rule '", rule, "' forbids erase_gate"));
    // present_state may be left off; then it is computed but not allocated.
    wants_state_ = init.num_outputs() > 1 && init.node().outputs[1] != kNoValue;
  }

  void run(KernelContext& ctx) const override {
    auto given = [&](int i) { return ctx.num_inputs() > i && ctx.has_input(i); };
    const Tensor &q = ctx.input(kQuery), &k = ctx.input(kKey), &v = ctx.input(kValue);
    for (const Tensor* t : {&q, &k, &v})
      if (t->rank() != 3)
        ctx.fail(cat("query, key and value must be [B, T, H * D], got ", t->describe()));
    for (const Tensor* t : {&k, &v})
      if (t->dtype() != q.dtype() || t->dim(0) != q.dim(0) || t->dim(1) != q.dim(1))
        ctx.fail(cat("key and value must share query's dtype, batch and length ", q.describe(),
                     ", got ", t->describe()));
    if (q.dim(2) % q_heads_ != 0 || v.dim(2) % kv_heads_ != 0)
      ctx.fail(cat("query's last dim ", q.dim(2), " must divide into q_num_heads ", q_heads_,
                   " and value's ", v.dim(2), " into kv_num_heads ", kv_heads_));
    const int64_t batch = q.dim(0), len = q.dim(1), dk = q.dim(2) / q_heads_,
                  dv = v.dim(2) / kv_heads_, hkv = kv_heads_, hq = q_heads_;
    if (k.dim(2) != hkv * dk)
      ctx.fail(cat("key's last dim must be kv_num_heads * head size = ", hkv * dk, ", got ",
                   k.describe()));
    const Shape state_shape = {batch, hkv, dk, dv};
    (void)checked_numel(state_shape);  // throws before any buffer of that size
    const Tensor* past = given(kPastState) ? &ctx.input(kPastState) : nullptr;
    if (past && past->shape() != state_shape)
      ctx.fail(cat("past_state must be [", batch, ", ", hkv, ", ", dk, ", ", dv, "], got ",
                   past->describe()));
    // A gate input [B, T, W] with W one of `widths`; nullptr when omitted.
    auto gate = [&](Input i, const char* name, std::vector<int64_t> widths) -> const Tensor* {
      if (!given(i)) return nullptr;
      const Tensor& g = ctx.input(i);
      bool ok = g.rank() == 3 && g.dim(0) == batch && g.dim(1) == len;
      bool width_ok = false;
      for (int64_t w : widths) width_ok = width_ok || (ok && g.dim(2) == w);
      if (!width_ok)
        ctx.fail(cat(name, " must be [", batch, ", ", len, ", W] with W in {", widths[0], ", ",
                     widths.back(), "}, got ", g.describe()));
      return &g;
    };
    const Tensor* decay = gated_ ? gate(kDecay, "decay", {hkv, hkv * dk}) : nullptr;
    const Tensor* beta = delta_ ? gate(kBeta, "beta", {hkv, 1}) : nullptr;
    const Tensor* erase = delta_ ? gate(kEraseGate, "erase_gate", {hkv * dk}) : nullptr;

    const std::vector<float> qv = float_values<float>(q, "LinearAttention query"),
                             kv = float_values<float>(k, "LinearAttention key"),
                             vv = float_values<float>(v, "LinearAttention value");
    std::vector<float> state = past
                                   ? float_values<float>(*past, "LinearAttention past_state")
                                   : std::vector<float>(static_cast<size_t>(batch * hkv * dk * dv));
    std::vector<float> dec, bet, era;
    if (decay) dec = float_values<float>(*decay, "LinearAttention decay");
    if (beta) bet = float_values<float>(*beta, "LinearAttention beta");
    if (erase) era = float_values<float>(*erase, "LinearAttention erase_gate");
    std::vector<float> out(static_cast<size_t>(checked_numel({batch, len, hq * dv})));
    const float scale = scale_ != 0.0f ? scale_ : 1.0f / std::sqrt(static_cast<float>(dk));
    const int64_t group = hq / hkv;

    // Each (batch, KV head) runs its own recurrence over the tokens.
    ctx.pool().parallel_for(batch * hkv, 1, [&](int64_t r0, int64_t r1) {
      std::vector<float> vt(static_cast<size_t>(dv)), ke(static_cast<size_t>(dk));
      for (int64_t r = r0; r < r1; ++r) {
        const int64_t b = r / hkv, g = r % hkv;
        float* s = state.data() + r * dk * dv;  // S[i][m] at s[i * dv + m]
        for (int64_t t = 0; t < len; ++t) {
          const int64_t bt = b * len + t;
          const float* kt = kv.data() + bt * hkv * dk + g * dk;
          const float* vin = vv.data() + bt * hkv * dv + g * dv;
          if (decay) {
            const int64_t w = decay->dim(2);
            for (int64_t i = 0; i < dk; ++i) {
              const float f = std::exp(dec[bt * w + (w == hkv ? g : g * dk + i)]);
              for (int64_t m = 0; m < dv; ++m) s[i * dv + m] *= f;
            }
          }
          for (int64_t m = 0; m < dv; ++m) vt[m] = vin[m];
          if (delta_) {
            // v_t = beta * (v_t - Sᵀ k_erase): write only what the state does not yet hold.
            for (int64_t i = 0; i < dk; ++i)
              ke[i] = erase ? era[bt * hkv * dk + g * dk + i] * kt[i] : kt[i];
            const int64_t w = beta->dim(2);
            const float bt_g = bet[bt * w + (w == 1 ? 0 : g)];
            for (int64_t m = 0; m < dv; ++m) {
              float got = 0;
              for (int64_t i = 0; i < dk; ++i) got += s[i * dv + m] * ke[i];
              vt[m] = bt_g * (vt[m] - got);
            }
          }
          for (int64_t i = 0; i < dk; ++i)
            for (int64_t m = 0; m < dv; ++m) s[i * dv + m] += kt[i] * vt[m];
          for (int64_t h = g * group; h < (g + 1) * group; ++h) {
            const float* qt = qv.data() + bt * hq * dk + h * dk;
            float* y = out.data() + bt * hq * dv + h * dv;
            for (int64_t m = 0; m < dv; ++m) {
              float acc = 0;
              for (int64_t i = 0; i < dk; ++i) acc += qt[i] * s[i * dv + m];
              y[m] = scale * acc;
            }
          }
        }
      }
    });
    store(ctx.allocate_uninitialized_output(0, q.dtype(), {batch, len, hq * dv}), out);
    if (wants_state_)
      store(ctx.allocate_uninitialized_output(1, past ? past->dtype() : q.dtype(), state_shape),
            state);
  }

 private:
  int64_t q_heads_, kv_heads_;
  float scale_;
  bool gated_ = false, delta_ = false, wants_state_ = false;
};

// output [B, T, Hq * dv] in query's type; present_state [B, Hkv, dk, dv] in past_state's.
void infer_linear_attention(InferContext& ctx) {
  const Attrs attrs(ctx.node(), ctx.label());
  const int64_t hq = attrs.get_int("q_num_heads", 0), hkv = attrs.get_int("kv_num_heads", 0);
  const TypeInfo &q = ctx.input(kQuery), &v = ctx.input(kValue);
  auto per_head = [](const TypeInfo& t, int64_t heads) {
    return heads > 0 && t.has_shape() && t.shape->size() == 3 && (*t.shape)[2].is_known() &&
                   (*t.shape)[2].value % heads == 0
               ? Dim::known((*t.shape)[2].value / heads)
               : Dim{};
  };
  const Dim dk = per_head(q, hq), dv = per_head(v, hkv);
  std::optional<std::vector<Dim>> y, state;
  if (q.has_shape() && q.shape->size() == 3) {
    const std::vector<Dim>& qs = *q.shape;
    y = {qs[0], qs[1], dv.is_known() ? Dim::known(hq * dv.value) : Dim{}};
    state = {qs[0], hkv > 0 ? Dim::known(hkv) : Dim{}, dk, dv};
  }
  const bool past = ctx.num_inputs() > kPastState && ctx.has_input(kPastState);
  ctx.set_output(0, TypeInfo::tensor(q.elem, y));
  ctx.set_output(1, TypeInfo::tensor(past ? ctx.input(kPastState).elem : q.elem, state));
}

}  // namespace

void register_linear_attention(Registry& registry) {
  const std::vector<DType> dtypes = {DType::Float, DType::Float16, DType::BFloat16};
  const std::map<std::string, AttrType> attrs = {{"chunk_size", AttrType::Int},
                                                 {"kv_num_heads", AttrType::Int},
                                                 {"q_num_heads", AttrType::Int},
                                                 {"scale", AttrType::Float},
                                                 {"update_rule", AttrType::String}};
  add_op_versions(registry, "LinearAttention", {{27, kOpsetOpen, dtypes, attrs}},
                  make_kernel<LinearAttentionKernel>(), infer_linear_attention);
}

}  // namespace onyx
