#include "kernels/attention/attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/cpu.h"
#include "kernels/gemm/gemm.h"
#include "kernels/simd/elementwise.h"
#include "kernels/simd/normalize.h"
#include "kernels/simd/vmath_inline.h"

namespace onyx::kernels {

namespace {

using vmath_detail::exp_one;

constexpr float kMinusInf = -std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// acc = acc * factor + x
ONYX_AVX2_CLONES
void rescale_add(float* acc, float factor, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) acc[i] = acc[i] * factor + x[i];
}

// The running softmax state of one query row.
struct RowState {
  float max = kMinusInf;  // of the scores seen so far
  float sum = 0.0f;       // of exp(score - max)
  bool nan = false;       // a NaN or +inf score was seen
  float factor = 1.0f;    // what the accumulator is rescaled by for the current tile
};

// Query rows [i0, i0 + rows) of head (b, h), with scratch for one scores tile and, when
// the keys take several blocks, an accumulator.
class RowBlock {
 public:
  RowBlock(const MicroKernel& uk, const AttentionProblem& p, std::vector<float>& scores,
           std::vector<float>& acc, std::vector<float>& product)
      : uk_(uk), p_(p), scores_(scores), acc_(acc), product_(product) {}

  void run(int64_t b, int64_t h, int64_t i0, int64_t rows) {
    const int64_t kv = p_.kv_len, dv = p_.v_dim;
    if (kv <= kAttentionKeys) return single_block(b, h, i0, rows);
    std::fill(acc_.begin(), acc_.begin() + rows * dv, 0.0f);
    RowState state[kAttentionRows];
    for (int64_t j0 = 0; j0 < kv; j0 += kAttentionKeys) {
      const int64_t keys = std::min(kAttentionKeys, kv - j0);
      float* s = scores_.data();
      compute_scores(b, h, i0, rows, j0, keys, s);
      for (int64_t r = 0; r < rows; ++r) {
        float* row = s + r * keys;
        RowState& st = state[r];
        const float new_max = std::max(st.max, row_max(row, keys));
        st.factor = 1.0f;
        if (new_max == kMinusInf) {  // every score so far -inf: nothing to add yet
          std::fill(row, row + keys, 0.0f);
          continue;
        }
        exp_shifted(row, new_max, row, keys);
        const float block_sum = sum(row, keys);
        st.factor = st.max == kMinusInf ? 0.0f : exp_one(st.max - new_max);
        st.sum = st.sum * st.factor + block_sum;
        st.max = new_max;
        st.nan = st.nan || std::isnan(block_sum);
      }
      // acc = acc * factor + P * V[j0 : j0 + keys], one pass over acc
      const StridedSource a(s, keys, 1), v(p_.v.at(b, h, j0, 0), p_.v.stride[3], p_.v.stride[2]);
      gemm(uk_, rows, dv, keys, a, v, product_.data(), dv);
      for (int64_t r = 0; r < rows; ++r)
        rescale_add(acc_.data() + r * dv, state[r].factor, product_.data() + r * dv, dv);
    }
    for (int64_t r = 0; r < rows; ++r) {
      const RowState& st = state[r];
      const bool nan = st.nan || st.max == kMinusInf;
      const float inv = 1.0f / st.sum;
      const float* a = acc_.data() + r * dv;
      float* o = p_.out.at(b, h, i0 + r, 0);
      for (int64_t e = 0; e < dv; ++e) o[e * p_.out.stride[3]] = nan ? kNaN : a[e] * inv;
    }
  }

 private:
  // S[rows x keys] = scale * Q[i0 : i0 + rows] * K[j0 : j0 + keys]^T, then the mask.
  void compute_scores(int64_t b, int64_t h, int64_t i0, int64_t rows, int64_t j0, int64_t keys,
                      float* s) const {
    const StridedSource q(p_.q.at(b, h, i0, 0), p_.q.stride[2], p_.q.stride[3]);
    const StridedSource k(p_.k.at(b, h, j0, 0), p_.k.stride[2], p_.k.stride[3]);
    GemmEpilogue ep;
    ep.alpha = p_.scale;
    if (p_.add_mask.data) {
      ep.addend = p_.add_mask.at(b, h, i0, j0);
      ep.addend_rs = p_.add_mask.stride[2];
      ep.addend_cs = p_.add_mask.stride[3];
    }
    gemm(uk_, rows, keys, p_.head_dim, q, k, s, keys, ep);
    if (p_.keep_mask.data)
      for (int64_t r = 0; r < rows; ++r) {
        const bool* keep = p_.keep_mask.at(b, h, i0 + r, j0);
        for (int64_t j = 0; j < keys; ++j)
          if (!keep[j * p_.keep_mask.stride[3]]) s[r * keys + j] = p_.fill;
      }
  }

  // Every key in one block: the softmax of each row as Softmax computes it, then P * V
  // straight into the output.
  void single_block(int64_t b, int64_t h, int64_t i0, int64_t rows) {
    const int64_t kv = p_.kv_len, dv = p_.v_dim;
    float* s = scores_.data();
    compute_scores(b, h, i0, rows, 0, kv, s);
    for (int64_t r = 0; r < rows; ++r) {
      float* row = s + r * kv;
      const float max = row_max(row, kv);
      exp_shifted(row, max, row, kv);
      scale_in_place(row, 1.0f / sum(row, kv), kv);
    }
    const StridedSource a(s, kv, 1), v(p_.v.at(b, h, 0, 0), p_.v.stride[3], p_.v.stride[2]);
    if (p_.out.stride[3] == 1) {
      gemm(uk_, rows, dv, kv, a, v, p_.out.at(b, h, i0, 0), p_.out.stride[2]);
      return;
    }
    gemm(uk_, rows, dv, kv, a, v, product_.data(), dv);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t e = 0; e < dv; ++e) *p_.out.at(b, h, i0 + r, e) = product_[r * dv + e];
  }

  const MicroKernel& uk_;
  const AttentionProblem& p_;
  std::vector<float>& scores_;
  std::vector<float>& acc_;
  std::vector<float>& product_;
};

}  // namespace

void attention(const MicroKernel& uk, const AttentionProblem& p, const Parallel& parallel) {
  if (p.batch <= 0 || p.heads <= 0 || p.q_len <= 0 || p.v_dim <= 0) return;
  const int64_t blocks = (p.q_len + kAttentionRows - 1) / kAttentionRows;
  const int64_t keys = std::min(std::max<int64_t>(p.kv_len, 1), kAttentionKeys);
  parallel.for_tasks(p.batch * p.heads * blocks, [&](int64_t t0, int64_t t1) {
    std::vector<float> scores(static_cast<size_t>(kAttentionRows * keys));
    std::vector<float> acc, product(static_cast<size_t>(kAttentionRows * p.v_dim));
    if (p.kv_len > kAttentionKeys) acc.resize(static_cast<size_t>(kAttentionRows * p.v_dim));
    RowBlock block(uk, p, scores, acc, product);
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t head = t / blocks, i0 = (t % blocks) * kAttentionRows;
      block.run(head / p.heads, head % p.heads, i0, std::min(kAttentionRows, p.q_len - i0));
    }
  });
}

}  // namespace onyx::kernels
