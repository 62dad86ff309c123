// Attention (opsets 23, 24): attribute checks, input checks and the shape rule.
#include "nn/attention_shape.h"

#include <string>

#include "common/shape_utils.h"
#include "nn/nn_util.h"

namespace onyx {

const std::map<std::string, AttrType> kAttentionAttrs = {
    {"is_causal", AttrType::Int},        {"q_num_heads", AttrType::Int},
    {"kv_num_heads", AttrType::Int},     {"scale", AttrType::Float},
    {"softcap", AttrType::Float},        {"qk_matmul_output_mode", AttrType::Int},
    {"softmax_precision", AttrType::Int}};

AttentionOptions read_attention_options(const KernelInit& init) {
  const Attrs& a = init.attrs();
  // Construction errors name Q's dtype as well as the node, op and opset.
  auto fail = [&](const std::string& message) {
    init.fail(cat(message, " (Q dtype ", dtype_name(init.input_dtype(0)), ")"));
  };
  // Later opsets may add attributes (a sliding window); an unknown one is refused rather
  // than ignored, so such a model fails clearly instead of computing something else.
  for (const Attribute& attr : init.node().attributes)
    if (!kAttentionAttrs.count(attr.name))
      fail(cat("attribute '", attr.name, "' is not one of Attention-23/24's"));
  AttentionOptions o;
  const int64_t causal = a.get_int("is_causal", 0);
  if (causal != 0 && causal != 1) fail(cat("is_causal must be 0 or 1, got ", causal));
  o.causal = causal == 1;
  o.q_heads = a.get_int("q_num_heads", 0);
  o.kv_heads = a.get_int("kv_num_heads", 0);
  if (o.q_heads < 0 || o.kv_heads < 0)
    fail(cat("q_num_heads ", o.q_heads, " and kv_num_heads ", o.kv_heads, " must be positive"));
  if (o.q_heads > 0 && o.kv_heads > 0 && o.q_heads % o.kv_heads != 0)
    fail(cat("q_num_heads ", o.q_heads, " is not a multiple of kv_num_heads ", o.kv_heads));
  if (a.has("scale")) o.scale = a.get_float("scale", 1.0f);
  o.softcap = a.get_float("softcap", 0.0f);
  if (!(o.softcap >= 0)) fail(cat("softcap must be non-negative, got ", o.softcap));
  o.qk_mode = a.get_int("qk_matmul_output_mode", 0);
  if (o.qk_mode < 0 || o.qk_mode > 3)
    fail(cat("qk_matmul_output_mode must be 0, 1, 2 or 3, got ", o.qk_mode));
  // TensorProto codes float, float16, double, bfloat16; the softmax runs in double anyway.
  const int64_t precision = a.get_int("softmax_precision", 1);
  if (precision != 1 && precision != 10 && precision != 11 && precision != 16)
    fail(cat("softmax_precision must be a float type (1, 10, 11 or 16), got ", precision));
  if (!init.has_input(0) || !init.has_input(1) || !init.has_input(2))
    fail("Attention needs inputs Q, K and V");
  if (init.opset() < 24 && init.num_inputs() > 6)
    fail("nonpad_kv_seqlen (input 6) exists from opset 24");
  if (init.num_inputs() > 7 || init.num_outputs() > 4)
    fail("Attention has at most 7 inputs and 4 outputs");
  if (init.has_input(4) != init.has_input(5)) fail("past_key and past_value come together");
  return o;
}

namespace {

// Reads attn_mask as [B, Hq, Sq, len]; fails unless it broadcasts so.
MaskView mask_view(const Tensor& m, const AttentionDims& d, KernelContext& ctx) {
  if (m.rank() < 1 || m.rank() > 4)
    ctx.fail(cat("attn_mask must have rank 1 to 4, got ", m.describe()));
  const int64_t target[4] = {d.batch, d.q_heads, d.q_len, d.total};
  int64_t dims[4] = {1, 1, 1, 1};
  for (int i = 0; i < m.rank(); ++i) dims[4 - m.rank() + i] = m.dim(i);
  MaskView view;
  view.len = dims[3];
  if (view.len > d.total)
    ctx.fail(cat("attn_mask ", m.describe(), " has more keys than the ", d.total, " in all"));
  int64_t stride = 1;
  for (int a = 3; a >= 0; --a) {
    if (a < 3 && dims[a] != target[a] && dims[a] != 1)
      ctx.fail(cat("attn_mask ", m.describe(), " does not broadcast to [", d.batch, ", ", d.q_heads,
                   ", ", d.q_len, ", ", d.total, "]"));
    view.stride[a] = a < 3 && dims[a] == 1 ? 0 : stride;
    stride *= dims[a];
  }
  return view;
}

}  // namespace

AttentionInputs read_attention_inputs(KernelContext& ctx, const AttentionOptions& o) {
  AttentionInputs in;
  auto optional = [&](int i) {
    return ctx.num_inputs() > i && ctx.has_input(i) ? &ctx.input(i) : nullptr;
  };
  in.q = &ctx.input(0), in.k = &ctx.input(1), in.v = &ctx.input(2);
  in.mask = optional(3), in.past_k = optional(4), in.past_v = optional(5);
  in.nonpad = optional(6);
  const Tensor &q = *in.q, &k = *in.k, &v = *in.v;
  auto fail = [&](const std::string& message) {
    ctx.fail(cat(message, " (Q ", q.describe(), ", K ", k.describe(), ", V ", v.describe(), ")"));
  };
  if (k.dtype() != q.dtype() || v.dtype() != q.dtype()) fail("Q, K and V must share one dtype");
  AttentionDims& d = in.dims;
  if (q.rank() == 3 && k.rank() == 3 && v.rank() == 3) {
    if (o.q_heads <= 0 || o.kv_heads <= 0)
      fail("3-D Q, K and V need the q_num_heads and kv_num_heads attributes");
    d.three_d = true;
    d.batch = q.dim(0), d.q_len = q.dim(1), d.kv_len = k.dim(1);
    d.q_heads = o.q_heads, d.kv_heads = o.kv_heads;
    if (q.dim(2) % d.q_heads != 0)
      fail(cat("Q's hidden size ", q.dim(2), " is not a multiple of q_num_heads ", d.q_heads));
    if (k.dim(2) % d.kv_heads != 0 || v.dim(2) % d.kv_heads != 0)
      fail(cat("K's and V's hidden sizes are not multiples of kv_num_heads ", d.kv_heads));
    d.head = q.dim(2) / d.q_heads, d.v_head = v.dim(2) / d.kv_heads;
    if (k.dim(0) != d.batch || v.dim(0) != d.batch || v.dim(1) != d.kv_len ||
        k.dim(2) / d.kv_heads != d.head)
      fail("K and V must be [B, Skv, Hkv * D] and [B, Skv, Hkv * Dv] with Q [B, Sq, Hq * D]");
  } else if (q.rank() == 4 && k.rank() == 4 && v.rank() == 4) {
    d.batch = q.dim(0), d.q_heads = q.dim(1), d.q_len = q.dim(2), d.head = q.dim(3);
    d.kv_heads = k.dim(1), d.kv_len = k.dim(2), d.v_head = v.dim(3);
    if (k.dim(0) != d.batch || v.dim(0) != d.batch || v.dim(1) != d.kv_heads ||
        v.dim(2) != d.kv_len || k.dim(3) != d.head)
      fail("K and V must be [B, Hkv, Skv, D] and [B, Hkv, Skv, Dv] with Q [B, Hq, Sq, D]");
  } else {
    fail("Q, K and V must be all 3-D or all 4-D");
  }
  if (d.kv_heads <= 0 || d.q_heads % d.kv_heads != 0)
    fail(cat("the ", d.q_heads, " query heads are not a multiple of the ", d.kv_heads,
             " key/value heads"));
  if (d.head <= 0) fail("the head size must be positive");
  if ((in.past_k == nullptr) != (in.past_v == nullptr))
    fail("past_key and past_value come together");
  if (in.past_k) {
    const Tensor &pk = *in.past_k, &pv = *in.past_v;
    if (pk.dtype() != q.dtype() || pv.dtype() != q.dtype() || pk.rank() != 4 || pv.rank() != 4 ||
        pk.dim(0) != d.batch || pv.dim(0) != d.batch || pk.dim(1) != d.kv_heads ||
        pv.dim(1) != d.kv_heads || pv.dim(2) != pk.dim(2) || pk.dim(3) != d.head ||
        pv.dim(3) != d.v_head)
      fail(cat("past_key ", pk.describe(), " and past_value ", pv.describe(),
               " must be [B, Hkv, P, D] and [B, Hkv, P, Dv]"));
    d.past = pk.dim(2);
  }
  d.total = d.past + d.kv_len;
  if (in.mask) {
    if (in.mask->dtype() != DType::Bool && in.mask->dtype() != q.dtype())
      fail(cat("attn_mask must be bool or Q's dtype, got ", in.mask->describe()));
    in.mask_view = mask_view(*in.mask, d, ctx);
  }
  if (in.nonpad) {
    if (in.nonpad->shape() != Shape{d.batch})
      fail(cat("nonpad_kv_seqlen must be [", d.batch, "], got ", in.nonpad->describe()));
    in.nonpad_len = tensor_to_ints(*in.nonpad, "nonpad_kv_seqlen", ctx);
  }
  return in;
}

void infer_attention_op(InferContext& ctx) {
  const Attrs attrs(ctx.node(), ctx.label());
  const TypeInfo &q = ctx.input(0), &k = ctx.input(1), &v = ctx.input(2);
  std::optional<std::vector<Dim>> y, pk, pv, qk;
  if (q.has_shape() && k.has_shape() && v.has_shape()) {
    const std::vector<Dim>&qs = *q.shape, &ks = *k.shape, &vs = *v.shape;
    const bool four = qs.size() == 4 && ks.size() == 4 && vs.size() == 4;
    const bool three = qs.size() == 3 && ks.size() == 3 && vs.size() == 3;
    const int64_t qh = attrs.get_int("q_num_heads", 0), kvh = attrs.get_int("kv_num_heads", 0);
    // A width divided into `heads` heads, when both are known and divide.
    auto per_head = [](const Dim& width, int64_t heads) {
      return heads > 0 && width.is_known() && width.value % heads == 0
                 ? Dim::known(width.value / heads)
                 : Dim{};
    };
    const TypeInfo* past = ctx.num_inputs() > 4 && ctx.has_input(4) ? &ctx.input(4) : nullptr;
    const Dim kv_len = four ? ks[2] : three ? ks[1] : Dim{};
    Dim total = kv_len;
    if (past) {
      const bool known = past->has_shape() && past->shape->size() == 4 &&
                         (*past->shape)[2].is_known() && kv_len.is_known();
      total = known ? Dim::known((*past->shape)[2].value + kv_len.value) : Dim{};
    }
    if (four) {
      y = {qs[0], qs[1], qs[2], vs[3]};
      pk = {qs[0], ks[1], total, ks[3]}, pv = {qs[0], vs[1], total, vs[3]};
      qk = {qs[0], qs[1], qs[2], total};
    } else if (three) {
      const Dim v_head = per_head(vs[2], kvh);
      y = {qs[0], qs[1], v_head.is_known() && qh > 0 ? Dim::known(qh * v_head.value) : Dim{}};
      const Dim q_heads = qh > 0 ? Dim::known(qh) : Dim{},
                kv_heads = kvh > 0 ? Dim::known(kvh) : Dim{};
      pk = {qs[0], kv_heads, total, per_head(ks[2], kvh)};
      pv = {qs[0], kv_heads, total, v_head};
      qk = {qs[0], q_heads, qs[1], total};
    }
  }
  ctx.set_output(0, TypeInfo::tensor(q.elem, y));
  ctx.set_output(1, TypeInfo::tensor(q.elem, pk));
  ctx.set_output(2, TypeInfo::tensor(q.elem, pv));
  ctx.set_output(3, TypeInfo::tensor(q.elem, qk));
}

}  // namespace onyx
