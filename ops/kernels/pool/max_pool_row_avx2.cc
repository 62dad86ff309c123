// AVX2 max pooling row, 3 wide, stride 2: eight outputs at a time. Four loads per input
// row (columns b..b+17; b+17, which no output reads, masked off at the row's end) are
// combined down the rows, then split into even and odd columns by permutes: outputs
// k..k+7 take columns b+2i, b+2i+1 and b+2i+2. The last block is moved back to end at the
// row's end (its outputs are computed twice, identically); rows too short for one block
// go element by element. This file alone is compiled with
// -mavx2 -mfma.
#include "kernels/pool/max_pool_row.h"

#if defined(__x86_64__) && defined(__AVX2__)
#include <immintrin.h>

#include <algorithm>

#include "kernels/simd/avx2_parity.h"

namespace onyx::kernels {
namespace {

// max(a, b) as b > a ? b : a reads: _mm256_max_ps(b, a) returns its second operand
// when either is NaN, or when they are equal.
inline __m256 later_wins(__m256 earlier, __m256 later) { return _mm256_max_ps(later, earlier); }

bool max_pool_row_3s2(const float* const* rows, int n_rows, int64_t first, int64_t count,
                      int64_t readable, float* out) {
  // Outputs k..k+7 read columns first + 2k .. first + 2k + 16; the loads below reach one
  // column further (an odd column no output uses), masked off where it is past the row.
  const int64_t last_block =
      count >= 8 && readable >= 17 ? std::min(count - 8, (readable - 17) / 2) : -1;
  const __m256i all_but_last = _mm256_setr_epi32(-1, -1, -1, -1, -1, -1, -1, 0);
  __m256 nan = _mm256_setzero_ps();
  int64_t done = 0;  // outputs [0, done) written
  for (int64_t k = 0; last_block >= 0 && done < count; k += 8) {
    if (k > last_block) {
      if (last_block + 8 <= done) break;  // the rest is past the vector reach
      k = last_block;
    }
    // Columns b..b+7, b+8..b+15, b+2..b+9 and b+10..b+17, each down the rows.
    const bool at_end = 2 * k + 18 > readable;
    auto load_last = [&](const float* at) {
      return at_end ? _mm256_maskload_ps(at, all_but_last) : _mm256_loadu_ps(at);
    };
    const float* p = rows[0] + first + 2 * k;
    __m256 v0 = _mm256_loadu_ps(p), v1 = _mm256_loadu_ps(p + 8);
    __m256 v2 = _mm256_loadu_ps(p + 2), v3 = load_last(p + 10);
    // An unordered compare of two vectors flags a NaN in either: v0, v1 and v3 cover all.
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(v0, v1, _CMP_UNORD_Q));
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(v3, v3, _CMP_UNORD_Q));
    for (int r = 1; r < n_rows; ++r) {
      const float* q = rows[r] + first + 2 * k;
      const __m256 x0 = _mm256_loadu_ps(q), x1 = _mm256_loadu_ps(q + 8);
      const __m256 x2 = _mm256_loadu_ps(q + 2), x3 = load_last(q + 10);
      nan = _mm256_or_ps(nan, _mm256_cmp_ps(x0, x1, _CMP_UNORD_Q));
      nan = _mm256_or_ps(nan, _mm256_cmp_ps(x3, x3, _CMP_UNORD_Q));
      v0 = later_wins(v0, x0);
      v1 = later_wins(v1, x1);
      v2 = later_wins(v2, x2);
      v3 = later_wins(v3, x3);
    }
    __m256 tap0, tap1, tap2, unused;
    split_parity(v0, v1, tap0, tap1);
    split_parity(v2, v3, tap2, unused);
    _mm256_storeu_ps(out + k, later_wins(later_wins(tap0, tap1), tap2));
    done = k + 8;
  }
  if (!_mm256_testz_ps(nan, nan)) return false;
  for (int64_t k = done; k < count; ++k) {  // element by element, in the same order
    float r = 0.0f;
    for (int64_t j = 0; j < 3; ++j) {
      float c = rows[0][first + 2 * k + j];
      if (c != c) return false;
      for (int i = 1; i < n_rows; ++i) {
        const float x = rows[i][first + 2 * k + j];
        if (x != x) return false;
        c = x > c ? x : c;
      }
      r = j == 0 || c > r ? c : r;
    }
    out[k] = r;
  }
  return true;
}

}  // namespace

MaxPoolRow3s2Fn max_pool_row_3s2_avx2() { return max_pool_row_3s2; }

}  // namespace onyx::kernels
#else
namespace onyx::kernels {
MaxPoolRow3s2Fn max_pool_row_3s2_avx2() { return nullptr; }
}  // namespace onyx::kernels
#endif
