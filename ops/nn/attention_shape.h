// Attention (opsets 23, 24): attributes, the validated dims of one call, and the shape
// rule, kept apart from attention.cc's compute so that both stay short.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "onyx/kernel.h"
#include "onyx/shape_inference.h"

namespace onyx {

// Attention-23/24's attributes and their types.
extern const std::map<std::string, AttrType> kAttentionAttrs;

// The node's attributes, read and checked once at construction.
struct AttentionOptions {
  bool causal = false;
  int64_t q_heads = 0, kv_heads = 0;  // 0: absent (4-D inputs carry their heads)
  std::optional<double> scale;        // absent: 1 / sqrt(head size)
  double softcap = 0;                 // 0: none
  int64_t qk_mode = 0;                // qk_matmul_output_mode, 0..3
};
AttentionOptions read_attention_options(const KernelInit& init);

// Element strides of an operand seen as [batch, head, seq, width] with width contiguous:
// 4-D operands are stored that way, 3-D ones as [batch, seq, head * width].
struct Layout {
  int64_t b = 0, h = 0, s = 0;
  int64_t at(int64_t bi, int64_t hi, int64_t si) const { return bi * b + hi * h + si * s; }
};

struct AttentionDims {
  bool three_d = false;
  int64_t batch = 0, q_heads = 0, kv_heads = 0;
  int64_t q_len = 0, kv_len = 0, past = 0, total = 0;  // total = past + kv_len
  int64_t head = 0, v_head = 0;                        // D of Q and K, Dv of V

  Layout layout(int64_t heads, int64_t seq, int64_t width) const {
    return three_d ? Layout{seq * heads * width, width, heads * width}
                   : Layout{heads * seq * width, seq * width, width};
  }
  Layout q_layout() const { return layout(q_heads, q_len, head); }
  Layout y_layout() const { return layout(q_heads, q_len, v_head); }
  Layout kv_layout(int64_t width) const { return layout(kv_heads, kv_len, width); }
};

// attn_mask read as [B, Hq, Sq, len] (stride 0 on broadcast dims); keys j >= len are masked.
struct MaskView {
  int64_t stride[4] = {0, 0, 0, 0};
  int64_t len = 0;
};

// The inputs of one call, checked against each other before any is indexed.
struct AttentionInputs {
  AttentionDims dims;
  const Tensor *q = nullptr, *k = nullptr, *v = nullptr;
  const Tensor *mask = nullptr, *past_k = nullptr, *past_v = nullptr, *nonpad = nullptr;
  MaskView mask_view;
  std::vector<int64_t> nonpad_len;  // per batch, when nonpad is given
};
AttentionInputs read_attention_inputs(KernelContext& ctx, const AttentionOptions& opts);

void infer_attention_op(InferContext& ctx);

}  // namespace onyx
