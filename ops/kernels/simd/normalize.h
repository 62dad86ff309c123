// Row normalizations of float data: Softmax and LogSoftmax over contiguous rows or down
// the columns of a [length, inner] slab, and LayerNormalization and RMSNormalization over
// contiguous rows.
// Compiled for AVX2 and the baseline (ONYX_AVX2_CLONES); exp is vmath's (<= 3 ulp).
//
// NaN and infinities behave as the straightforward loops do: a NaN anywhere in a slice,
// or +inf in it (inf - inf), makes the whole slice NaN; -inf elements give 0 (Softmax;
// vexp's within 2^-148) or -inf (LogSoftmax) unless the slice is all -inf: NaN.
#pragma once

#include <cstdint>

namespace onyx::kernels {

// Elements per task when these loops are split over threads: below this a thread's
// wake-up costs more than the work.
constexpr int64_t kNormalizeGrain = 16384;

// The pieces of a softmax row, shared with the attention kernel:
// the largest element (-inf for none; a NaN may be skipped, its exp is NaN anyway);
float row_max(const float* x, int64_t n);
// y = exp(x - shift) (y may be x);
void exp_shifted(const float* x, float shift, float* y, int64_t n);
// y *= a.
void scale_in_place(float* y, float a, int64_t n);

// Softmax (LogSoftmax with `log`) of each of `rows` contiguous rows of `length` floats:
// y = exp(x - max) / sum, or (x - max) - log(sum), where sum = sum of exp(x - max).
void softmax_rows(const float* x, float* y, int64_t rows, int64_t length, bool log);

// The same over the columns [begin, end) of a row-major [length, inner] slab: column j
// (elements j, j + inner, ...) is one slice. Vectorized across columns, no gathering.
void softmax_columns(const float* x, float* y, int64_t length, int64_t inner, int64_t begin,
                     int64_t end, bool log);

// LayerNormalization of `rows` contiguous rows of `length` floats, each with its own
// statistics: mean, then the population variance around that mean (both summed in
// double), inv_std_dev = 1 / sqrt(variance + epsilon), each rounded to float; then
// y = (x - mean) * inv_std_dev * scale + bias, with scale and bias (optional, may be
// null) of `length` elements. `mean` and `inv_std_dev`, when not null, receive one
// value per row. Not `centered` (RMSNormalization), the mean is taken as 0: the
// variance is the mean of x^2.
void layer_norm_rows(const float* x, const float* scale, const float* bias, float epsilon, float* y,
                     float* mean, float* inv_std_dev, int64_t rows, int64_t length,
                     bool centered = true);

}  // namespace onyx::kernels
