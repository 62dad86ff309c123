#include "kernels/simd/normalize.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/cpu.h"
#include "kernels/simd/elementwise.h"
#include "kernels/simd/vmath_inline.h"

namespace onyx::kernels {

namespace {

using vmath_detail::exp_one;

constexpr float kMinusInf = -std::numeric_limits<float>::infinity();

// The lanes of a partial sum added pairwise, as kernels::sum does.
template <class T>
inline T add_lanes(const T (&lanes)[8]) {
  return ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) +
         ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
}

// y = (x - max) - log_sum, in the order LogSoftmax's definition rounds it.
ONYX_AVX2_CLONES
void log_softmax_out(const float* x, float max, float log_sum, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - max) - log_sum;
}

// One block of at most kColumns columns; the per-column state lives in registers or L1.
constexpr int64_t kColumns = 256;

ONYX_AVX2_CLONES
void softmax_column_block(const float* x, float* y, int64_t length, int64_t inner, int64_t w,
                          bool log) {
  float max[kColumns], sum[kColumns];
  for (int64_t j = 0; j < w; ++j) max[j] = kMinusInf;
  for (int64_t l = 0; l < length; ++l) {
    const float* row = x + l * inner;
    for (int64_t j = 0; j < w; ++j) max[j] = max[j] < row[j] ? row[j] : max[j];
  }
  for (int64_t j = 0; j < w; ++j) sum[j] = 0;
  for (int64_t l = 0; l < length; ++l) {
    const float* row = x + l * inner;
    float* out = y + l * inner;
    for (int64_t j = 0; j < w; ++j) {
      const float e = exp_one(row[j] - max[j]);
      out[j] = e;
      sum[j] += e;
    }
  }
  if (log) {
    for (int64_t j = 0; j < w; ++j) sum[j] = std::log(sum[j]);
    for (int64_t l = 0; l < length; ++l) {
      const float* row = x + l * inner;
      float* out = y + l * inner;
      for (int64_t j = 0; j < w; ++j) out[j] = (row[j] - max[j]) - sum[j];
    }
  } else {
    for (int64_t j = 0; j < w; ++j) sum[j] = 1.0f / sum[j];
    for (int64_t l = 0; l < length; ++l) {
      float* out = y + l * inner;
      for (int64_t j = 0; j < w; ++j) out[j] *= sum[j];
    }
  }
}

// The sum of n floats in double, in 8 partial sums.
ONYX_AVX2_CLONES
double sum_in_double(const float* x, int64_t n) {
  double lanes[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) lanes[j] += static_cast<double>(x[i + j]);
  double rest = 0;
  for (; i < n; ++i) rest += static_cast<double>(x[i]);
  return add_lanes(lanes) + rest;
}

// The sum of (x - mean)^2 in double, in 8 partial sums.
ONYX_AVX2_CLONES
double squared_deviations(const float* x, double mean, int64_t n) {
  double lanes[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) {
      const double d = static_cast<double>(x[i + j]) - mean;
      lanes[j] += d * d;
    }
  double rest = 0;
  for (; i < n; ++i) {
    const double d = static_cast<double>(x[i]) - mean;
    rest += d * d;
  }
  return add_lanes(lanes) + rest;
}

ONYX_AVX2_CLONES
void normalize_row(const float* x, float mean, float inv, const float* scale, const float* bias,
                   float* y, int64_t n) {
  if (bias) {
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - mean) * inv * scale[i] + bias[i];
  } else {
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - mean) * inv * scale[i];
  }
}

}  // namespace

// The largest element, -inf for none. A NaN may be skipped: the caller's sum of
// exp(x - max) turns NaN through it anyway. 32 lanes: GCC vectorizes this elementwise
// loop (four vectors), not the 8-lane form of the sums.
ONYX_AVX2_CLONES
float row_max(const float* x, int64_t n) {
  constexpr int kLanes = 32;
  float lanes[kLanes];
  for (int j = 0; j < kLanes; ++j) lanes[j] = kMinusInf;
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) lanes[j] = lanes[j] < x[i + j] ? x[i + j] : lanes[j];
  float m = kMinusInf;
  for (; i < n; ++i) m = m < x[i] ? x[i] : m;
  for (int j = 0; j < kLanes; ++j) m = m < lanes[j] ? lanes[j] : m;
  return m;
}

// y = exp(x - shift). Summed in a pass of its own: GCC keeps the fused sum's lanes in
// memory, and exp then sum measured 20% faster on 128-element rows.
ONYX_AVX2_CLONES
void exp_shifted(const float* x, float shift, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = exp_one(x[i] - shift);
}

ONYX_AVX2_CLONES
void scale_in_place(float* y, float a, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] *= a;
}

void softmax_rows(const float* x, float* y, int64_t rows, int64_t length, bool log) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* in = x + r * length;
    float* out = y + r * length;
    const float max = row_max(in, length);
    // LogSoftmax needs only the sum; the terms go to y, which is overwritten next.
    exp_shifted(in, max, out, length);
    const float sum = kernels::sum(out, length);
    if (log)
      log_softmax_out(in, max, std::log(sum), out, length);
    else
      scale_in_place(out, 1.0f / sum, length);
  }
}

void softmax_columns(const float* x, float* y, int64_t length, int64_t inner, int64_t begin,
                     int64_t end, bool log) {
  for (int64_t j = begin; j < end; j += kColumns)
    softmax_column_block(x + j, y + j, length, inner, std::min(kColumns, end - j), log);
}

void layer_norm_rows(const float* x, const float* scale, const float* bias, float epsilon, float* y,
                     float* mean, float* inv_std_dev, int64_t rows, int64_t length, bool centered) {
  const double n = static_cast<double>(length);
  for (int64_t r = 0; r < rows; ++r) {
    const float* in = x + r * length;
    // Rounded to float before use, as the statistics are stored (stash_type float).
    const float m = centered ? static_cast<float>(sum_in_double(in, length) / n) : 0.0f;
    const double variance = squared_deviations(in, m, length) / n;
    const float inv = static_cast<float>(1.0 / std::sqrt(variance + epsilon));
    if (mean) mean[r] = m;
    if (inv_std_dev) inv_std_dev[r] = inv;
    normalize_row(in, m, inv, scale, bias, y + r * length, length);
  }
}

}  // namespace onyx::kernels
