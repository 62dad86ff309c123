// Attention (opsets 23 and 24): scaled dot-product attention with grouped-query heads,
// a KV cache, causal and explicit masks and an optional score output.
//
//   Q [B, Hq, Sq, D]    K [B, Hkv, Skv, D]    V [B, Hkv, Skv, Dv]     (4-D), or
//   Q [B, Sq, Hq * D]   K [B, Skv, Hkv * D]   V [B, Skv, Hkv * Dv]    (3-D, q_num_heads and
//                                                                      kv_num_heads given)
//   present_key   = concat(past_key, K) on the sequence axis   [B, Hkv, P + Skv, D]
//   present_value = concat(past_value, V)                      [B, Hkv, P + Skv, Dv]
//   query head h reads KV head h / (Hq / Hkv)
//   qk   = softcap(scale * q kᵀ)        softcap(x) = c * tanh(x / c) when c > 0
//   s    = qk + bias                    bias: attn_mask, causal frontier, nonpad padding
//   p    = softmax(s), 0 on a row where every key is masked (no NaN)
//   Y    = p v                          3-D Q gives Y [B, Sq, Hq * Dv]
//
// The details follow ONNX's reference (onnx/reference/ops/op_attention.py):
// - attn_mask broadcasts to [B, Hq, Sq, T]; a last dim shorter than T is padded with
//   masked keys (it is never broadcast). A bool mask keeps keys where true; a float mask
//   is added.
// - is_causal lets query i see key j iff j <= i + offset, offset = P with past_key, else
//   nonpad_kv_seqlen[b] - Sq with nonpad_kv_seqlen (an external cache), else 0.
// - nonpad_kv_seqlen (opset 24) masks keys j >= nonpad_kv_seqlen[b].
// - softcap comes before the bias, so -inf stays -inf.
// - qk_matmul_output is qk for modes 0 and 1, s for mode 2 and p for mode 3.
// - scale defaults to 1 / sqrt(D). Scores and softmax run in double, at least the
//   precision any softmax_precision asks for; float16 and bfloat16 are stored as given.
//
// That is the reference kernel below, one query row at a time. The fast path takes the
// common float case to kernels::attention (key tiles, online softmax, GEMM through
// strides): see run_fast for when.
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "common/parallel.h"
#include "common/shape_utils.h"
#include "kernels/attention/attention.h"
#include "kernels/gemm/gemm.h"
#include "nn/attention_shape.h"
#include "nn/nn.h"
#include "nn/nn_util.h"

namespace onyx {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

class AttentionOpKernel final : public Kernel {
 public:
  explicit AttentionOpKernel(const KernelInit& init)
      : fast_(!init.reference()), opts_(read_attention_options(init)) {
    // An output left empty in the file is listed but must not be allocated.
    for (int i = 1; i < init.num_outputs(); ++i) wants_[i] = init.node().outputs[i] != kNoValue;
  }

  void run(KernelContext& ctx) const override {
    const AttentionInputs in = read_attention_inputs(ctx, opts_);
    const AttentionDims& d = in.dims;
    const DType dt = in.q->dtype();
    Tensor& y =
        ctx.allocate_uninitialized_output(0, dt,
                                          d.three_d ? Shape{d.batch, d.q_len, d.q_heads * d.v_head}
                                                    : Shape{d.batch, d.q_heads, d.q_len, d.v_head});
    const Shape pk_shape = {d.batch, d.kv_heads, d.total, d.head};
    const Shape pv_shape = {d.batch, d.kv_heads, d.total, d.v_head};
    Tensor present_k = wants_[1] ? ctx.allocate_uninitialized_output(1, dt, pk_shape)
                                 : Tensor::uninitialized(dt, pk_shape);
    Tensor present_v = wants_[2] ? ctx.allocate_uninitialized_output(2, dt, pv_shape)
                                 : Tensor::uninitialized(dt, pv_shape);
    Tensor* qk_out = wants_[3] ? &ctx.allocate_uninitialized_output(
                                     3, dt, {d.batch, d.q_heads, d.q_len, d.total})
                               : nullptr;
    dispatch<FloatTypes>(dt, "Attention", [&](auto tag) {
      using T = typename decltype(tag)::type;
      concat_cache<T>(in.past_k, *in.k, d.head, d, present_k.data<T>());
      concat_cache<T>(in.past_v, *in.v, d.v_head, d, present_v.data<T>());
      if constexpr (std::is_same_v<T, float>)
        if (run_fast(ctx, in, present_k.data<float>(), present_v.data<float>(), y.data<float>()))
          return;
      attend<T>(ctx, in, present_k.data<T>(), present_v.data<T>(), y.data<T>(),
                qk_out ? qk_out->data<T>() : nullptr);
    });
  }

 private:
  // present = concat(past, x) as [B, Hkv, T, width], x read through its layout.
  template <class T>
  static void concat_cache(const Tensor* past, const Tensor& x, int64_t width,
                           const AttentionDims& d, T* out) {
    const Layout lx = d.kv_layout(width);
    for (int64_t b = 0; b < d.batch; ++b)
      for (int64_t g = 0; g < d.kv_heads; ++g) {
        T* dst = out + (b * d.kv_heads + g) * d.total * width;
        if (past) {
          const T* src = past->data<T>() + (b * d.kv_heads + g) * d.past * width;
          std::copy(src, src + d.past * width, dst);
        }
        for (int64_t s = 0; s < d.kv_len; ++s) {
          const T* src = x.data<T>() + lx.at(b, g, s);
          std::copy(src, src + width, dst + (d.past + s) * width);
        }
      }
  }

  // The additive bias of score (b, h, i, j): 0 where the key is kept, -inf where masked.
  template <class T>
  double bias(const AttentionInputs& in, int64_t b, int64_t h, int64_t i, int64_t j) const {
    const AttentionDims& d = in.dims;
    double out = 0;
    if (in.mask) {
      const MaskView& m = in.mask_view;
      if (j >= m.len) return kNegInf;  // padding of a short mask
      const int64_t at = b * m.stride[0] + h * m.stride[1] + i * m.stride[2] + j * m.stride[3];
      if (in.mask->dtype() == DType::Bool) {
        if (!in.mask->data<bool>()[at]) return kNegInf;
      } else {
        out += static_cast<double>(static_cast<acc_t<T>>(in.mask->data<T>()[at]));
      }
    }
    if (opts_.causal) {
      const int64_t offset = in.past_k ? d.past : in.nonpad ? in.nonpad_len[b] - d.q_len : 0;
      if (j > i + offset) return kNegInf;
    }
    if (in.nonpad && j >= in.nonpad_len[b]) return kNegInf;
    return out;
  }

  // One query row at a time: scores, their softmax, the weighted sum of V.
  template <class T>
  void attend(KernelContext& ctx, const AttentionInputs& in, const T* keys, const T* values, T* y,
              T* qk_out) const {
    const AttentionDims& d = in.dims;
    const Layout lq = d.q_layout(), ly = d.y_layout();
    const int64_t group = d.q_heads / d.kv_heads, rows = d.batch * d.q_heads * d.q_len;
    const double scale = opts_.scale ? *opts_.scale : 1.0 / std::sqrt(double(d.head));
    auto value = [](T v) { return static_cast<double>(static_cast<acc_t<T>>(v)); };
    ctx.pool().parallel_for(rows, 1, [&](int64_t r0, int64_t r1) {
      std::vector<double> qk(static_cast<size_t>(d.total)), s(qk.size()), acc(d.v_head);
      for (int64_t r = r0; r < r1; ++r) {
        const int64_t i = r % d.q_len, h = (r / d.q_len) % d.q_heads, b = r / d.q_len / d.q_heads;
        const int64_t g = h / group;
        const T* q = in.q->data<T>() + lq.at(b, h, i);
        const T* k = keys + (b * d.kv_heads + g) * d.total * d.head;
        const T* v = values + (b * d.kv_heads + g) * d.total * d.v_head;
        double max = kNegInf;
        for (int64_t j = 0; j < d.total; ++j) {
          double dot = 0;
          for (int64_t e = 0; e < d.head; ++e) dot += value(q[e]) * value(k[j * d.head + e]);
          qk[j] = scale * dot;
          if (opts_.softcap > 0) qk[j] = opts_.softcap * std::tanh(qk[j] / opts_.softcap);
          s[j] = qk[j] + bias<T>(in, b, h, i, j);
          max = std::max(max, s[j]);
        }
        T* qk_row = qk_out ? qk_out + r * d.total : nullptr;
        for (int64_t j = 0; qk_row && opts_.qk_mode < 3 && j < d.total; ++j)
          qk_row[j] = from_acc<T>(static_cast<acc_t<T>>(opts_.qk_mode == 2 ? s[j] : qk[j]));
        // A fully masked row has max -inf: its weights are all 0, so Y's row is 0.
        double sum = 0;
        for (int64_t j = 0; j < d.total; ++j) {
          s[j] = max == kNegInf ? 0.0 : std::exp(s[j] - max);
          sum += s[j];
        }
        std::fill(acc.begin(), acc.end(), 0.0);
        for (int64_t j = 0; j < d.total; ++j) {
          if (sum > 0) s[j] /= sum;
          if (qk_row && opts_.qk_mode == 3) qk_row[j] = from_acc<T>(static_cast<acc_t<T>>(s[j]));
          for (int64_t e = 0; e < d.v_head; ++e) acc[e] += s[j] * value(v[j * d.v_head + e]);
        }
        T* out = y + ly.at(b, h, i);
        for (int64_t e = 0; e < d.v_head; ++e) out[e] = from_acc<T>(static_cast<acc_t<T>>(acc[e]));
      }
    });
  }

  // The common float case through kernels::attention: no softcap, no score output, no
  // nonpad_kv_seqlen, and a bias under which every row keeps a key (a finite float mask
  // over all keys; the causal frontier starts at or after key 0), since the kernel gives
  // NaN where the reference gives a zero row. False, having done nothing, otherwise.
  bool run_fast(KernelContext& ctx, const AttentionInputs& in, const float* keys,
                const float* values, float* y) const {
    const AttentionDims& d = in.dims;
    if (!fast_ || opts_.softcap > 0 || wants_[3] || in.nonpad) return false;
    if (in.mask && (in.mask->dtype() != DType::Float || in.mask_view.len != d.total)) return false;
    const float* mask = in.mask ? in.mask->data<float>() : nullptr;
    for (int64_t i = 0; mask && i < in.mask->numel(); ++i)
      if (!std::isfinite(mask[i])) return false;
    // The additive bias as [B or 1, Hq or 1, Sq, T]: the mask as it is, or with the causal
    // frontier added (materialized once, over the mask's own batch and head extent).
    const MaskView& m = in.mask_view;
    kernels::View4<const float> bias{mask, {m.stride[0], m.stride[1], m.stride[2], 1}};
    std::vector<float> causal;
    if (opts_.causal) {
      const int64_t nb = mask && m.stride[0] ? d.batch : 1,
                    nh = mask && m.stride[1] ? d.q_heads : 1;
      causal.resize(static_cast<size_t>(checked_numel({nb, nh, d.q_len, d.total})));
      for (int64_t b = 0, at = 0; b < nb; ++b)
        for (int64_t h = 0; h < nh; ++h)
          for (int64_t i = 0; i < d.q_len; ++i)
            for (int64_t j = 0; j < d.total; ++j, ++at)
              causal[at] =
                  (j > i + d.past ? -std::numeric_limits<float>::infinity() : 0.0f) +
                  (mask ? mask[b * m.stride[0] + h * m.stride[1] + i * m.stride[2] + j] : 0.0f);
      bias = {causal.data(),
              {nb > 1 ? nh * d.q_len * d.total : 0, nh > 1 ? d.q_len * d.total : 0, d.total, 1}};
    }
    // Per batch, the KV heads are the kernel's batch and the query heads sharing one its
    // heads: K and V have head stride 0, so no KV head is repeated in memory.
    const int64_t group = d.q_heads / d.kv_heads;
    const Layout lq = d.q_layout(), ly = d.y_layout();
    for (int64_t b = 0; b < d.batch; ++b) {
      kernels::AttentionProblem p;
      p.batch = d.kv_heads, p.heads = group, p.q_len = d.q_len, p.kv_len = d.total;
      p.head_dim = d.head, p.v_dim = d.v_head;
      p.scale = static_cast<float>(opts_.scale ? *opts_.scale : 1.0 / std::sqrt(double(d.head)));
      p.q = {in.q->data<float>() + lq.at(b, 0, 0), {group * lq.h, lq.h, lq.s, 1}};
      p.k = {keys + b * d.kv_heads * d.total * d.head, {d.total * d.head, 0, d.head, 1}};
      p.v = {values + b * d.kv_heads * d.total * d.v_head, {d.total * d.v_head, 0, d.v_head, 1}};
      p.out = {y + ly.at(b, 0, 0), {group * ly.h, ly.h, ly.s, 1}};
      if (bias.data)
        p.add_mask = {bias.data + b * bias.stride[0],
                      {group * bias.stride[1], bias.stride[1], bias.stride[2], 1}};
      kernels::attention(kernels::default_microkernel(), p, parallel_of(ctx.pool()));
    }
    return true;
  }

  bool fast_;
  AttentionOptions opts_;
  bool wants_[4] = {true, false, false, false};
};

}  // namespace

void register_attention(Registry& registry) {
  const std::vector<DType> dtypes = {DType::Float, DType::Float16, DType::BFloat16, DType::Double};
  const auto& attrs = kAttentionAttrs;
  add_op_versions(registry, "Attention", {{23, 23, dtypes, attrs}, {24, kOpsetOpen, dtypes, attrs}},
                  make_kernel<AttentionOpKernel>(), infer_attention_op);
}

}  // namespace onyx
