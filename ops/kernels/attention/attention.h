// Scaled dot-product attention over strided 4-D views, tiled over keys:
//
//   S[b,h,i,j] = scale * sum_d Q[b,h,i,d] * K[b,h,j,d]   then the mask:
//                + add[b,h,i,j]                          (an additive mask), or
//                keep[b,h,i,j] ? S : fill                (a boolean mask)
//   O[b,h,i,:] = sum_j softmax_j(S[b,h,i,:]) * V[b,h,j,:]
//
// Every operand is a view with its own four strides (b, h, row, column; 0 broadcasts), so
// the head split and merge transposes around attention are read in place, never copied.
// A task takes a block of query rows of one head and walks the keys in blocks: the scores
// of one block are computed by the packed GEMM, folded into a running row max and sum
// (the online softmax), and their product with V added to an accumulator. No more than
// one block of scores ever exists.
//
// NaN behaves as Softmax's does: a row whose scores hold NaN or +inf, or are all -inf,
// is NaN.
#pragma once

#include <cstdint>

#include "kernels/gemm/microkernel_api.h"
#include "kernels/parallel.h"

namespace onyx::kernels {

// Query rows and keys per tile: the scores tile (kAttentionRows x kAttentionKeys floats,
// 32 KiB) stays in L2 beside the Q, K and V panels.
constexpr int64_t kAttentionRows = 32;
constexpr int64_t kAttentionKeys = 256;

template <class T>
struct View4 {
  T* data = nullptr;
  int64_t stride[4] = {0, 0, 0, 0};  // elements, per logical dim (b, h, row, column)
  T* at(int64_t b, int64_t h, int64_t r, int64_t c) const {
    return data + b * stride[0] + h * stride[1] + r * stride[2] + c * stride[3];
  }
};

struct AttentionProblem {
  int64_t batch = 1, heads = 1, q_len = 0, kv_len = 0, head_dim = 0, v_dim = 0;
  View4<const float> q;  // [batch, heads, q_len, head_dim]
  View4<const float> k;  // [batch, heads, kv_len, head_dim]
  View4<const float> v;  // [batch, heads, kv_len, v_dim]
  View4<float> out;      // [batch, heads, q_len, v_dim]
  float scale = 1.0f;
  View4<const float> add_mask;  // [batch, heads, q_len, kv_len] when data is set
  View4<const bool> keep_mask;  // the same, when data is set
  float fill = 0.0f;            // the score where keep_mask is false
};

void attention(const MicroKernel& uk, const AttentionProblem& p, const Parallel& parallel);

}  // namespace onyx::kernels
