#include "kernels/image/resize.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "kernels/cpu.h"

namespace onyx::kernels {
namespace {

// Output rows per task: about this many output elements each.
constexpr int64_t kResizeTaskElements = 16384;

// acc = sum of weight[k] * row_k over the taps of one output row, from zero as the
// reference starts (so -0 sums to +0 as there).
ONYX_AVX2_CLONES
void weighted_rows(const float* const* rows, const float* weights, int64_t taps, int64_t n,
                   float* acc) {
  std::fill(acc, acc + n, 0.0f);
  for (int64_t k = 0; k < taps; ++k) {
    const float* row = rows[k];
    const float w = weights[k];
    for (int64_t i = 0; i < n; ++i) acc[i] += w * row[i];
  }
}

// The horizontal taps as dense tables: `taps` per output column (nearest: 1, weight
// unused), int32 indices so that the loop over columns vectorizes into gathers. Columns
// outside the input (tf_crop_and_resize) read column 0 and are overwritten afterwards.
struct ColumnTable {
  int64_t taps = 0;
  std::vector<int32_t> index;
  std::vector<float> weight;
  std::vector<int64_t> outside;
};

// The table, or one with taps == 0 when the columns differ in tap count (antialiased
// edges) or the row is too long for int32 indices; the generic loop serves those.
ColumnTable column_table(const ResizeAxis& cols, bool nearest) {
  ColumnTable t;
  if (cols.in > INT32_MAX) return t;
  for (int64_t q = 0; q < cols.out; ++q) {
    const size_t u = static_cast<size_t>(q);
    if (cols.outside[u]) continue;
    const int64_t n = nearest ? 1 : cols.begin[u + 1] - cols.begin[u];
    if (t.taps != 0 && n != t.taps) return ColumnTable{};
    t.taps = n;
  }
  t.index.assign(static_cast<size_t>(cols.out * t.taps), 0);
  t.weight.assign(t.index.size(), 0.0f);
  for (int64_t q = 0; q < cols.out; ++q) {
    const size_t u = static_cast<size_t>(q);
    if (cols.outside[u]) {
      t.outside.push_back(q);
      continue;
    }
    for (int64_t k = 0; k < t.taps; ++k) {
      const size_t from = static_cast<size_t>(cols.begin[u] + k),
                   to = static_cast<size_t>(q * t.taps + k);
      t.index[to] = static_cast<int32_t>(cols.index[from]);
      t.weight[to] = cols.weight[from];
    }
  }
  return t;
}

ONYX_AVX2_CLONES
void gather_columns(const float* src, float* dst, int64_t n, const int32_t* index) {
  for (int64_t q = 0; q < n; ++q) dst[q] = src[index[q]];
}

ONYX_AVX2_CLONES
void weigh_two_columns(const float* src, float* dst, int64_t n, const int32_t* index,
                       const float* weight) {
  for (int64_t q = 0; q < n; ++q) {
    float acc = 0.0f;
    acc += weight[2 * q] * src[index[2 * q]];
    acc += weight[2 * q + 1] * src[index[2 * q + 1]];
    dst[q] = acc;
  }
}

void weigh_columns(const float* src, float* dst, int64_t n, const ColumnTable& t) {
  if (t.taps == 2) return weigh_two_columns(src, dst, n, t.index.data(), t.weight.data());
  for (int64_t q = 0; q < n; ++q) {
    float acc = 0.0f;
    for (int64_t k = q * t.taps; k < (q + 1) * t.taps; ++k)
      acc += t.weight[static_cast<size_t>(k)] * src[t.index[static_cast<size_t>(k)]];
    dst[q] = acc;
  }
}

// The input row of output row p for nearest, -1 where outside.
int64_t nearest_row(const ResizeAxis& rows, int64_t p) {
  if (rows.identity) return p;
  const size_t u = static_cast<size_t>(p);
  return rows.outside[u] ? -1 : rows.index[static_cast<size_t>(rows.begin[u])];
}

// One output row from one (vertically resized) input row.
void resize_columns(const float* src, float* dst, const ResizeAxis& cols, const ColumnTable& table,
                    bool nearest, float extrapolation) {
  if (cols.identity) {
    std::memcpy(dst, src, static_cast<size_t>(cols.out) * sizeof(float));
    return;
  }
  if (table.taps > 0) {
    if (nearest)
      gather_columns(src, dst, cols.out, table.index.data());
    else
      weigh_columns(src, dst, cols.out, table);
    for (int64_t q : table.outside) dst[q] = extrapolation;
    return;
  }
  for (int64_t q = 0; q < cols.out; ++q) {
    const size_t u = static_cast<size_t>(q);
    float acc = extrapolation;
    if (!cols.outside[u]) {
      acc = 0.0f;
      const int64_t end = nearest ? cols.begin[u] + 1 : cols.begin[u + 1];
      for (int64_t k = cols.begin[u]; k < end; ++k)
        acc = nearest ? src[cols.index[static_cast<size_t>(k)]]
                      : acc + cols.weight[static_cast<size_t>(k)] *
                                  src[cols.index[static_cast<size_t>(k)]];
    }
    dst[q] = acc;
  }
}

}  // namespace

void resize_planes(const float* x, float* y, int64_t planes, const ResizeAxis& rows,
                   const ResizeAxis& cols, bool nearest, float extrapolation,
                   const Parallel& parallel) {
  const int64_t out_rows = planes * rows.out;
  if (out_rows == 0 || cols.out == 0) return;
  const int64_t per_task = std::max<int64_t>(1, kResizeTaskElements / cols.out);
  const int64_t tasks = parallel.threads > 1 ? (out_rows + per_task - 1) / per_task : 1;
  const int64_t chunk = (out_rows + tasks - 1) / tasks;
  const ColumnTable table = column_table(cols, nearest);
  parallel.for_tasks(tasks, [&](int64_t t0, int64_t t1) {
    std::vector<float> row(static_cast<size_t>(cols.in));
    std::vector<const float*> taps;
    const int64_t r_begin = t0 * chunk, r_end = std::min(out_rows, t1 * chunk);
    for (int64_t r = r_begin; r < r_end; ++r) {
      const int64_t plane = r / rows.out, p = r % rows.out;
      const float* in = x + plane * rows.in * cols.in;
      float* out = y + r * cols.out;
      if (nearest) {
        // Upsampling repeats rows: a row with the previous row's source is a copy of it.
        const int64_t source = nearest_row(rows, p);
        if (r > r_begin && p > 0 && source == nearest_row(rows, p - 1)) {
          std::memcpy(out, out - cols.out, static_cast<size_t>(cols.out) * sizeof(float));
          continue;
        }
        if (source < 0) std::fill(row.begin(), row.end(), extrapolation);
        resize_columns(source < 0 ? row.data() : in + source * cols.in, out, cols, table, true,
                       extrapolation);
        continue;
      }
      const float* src = row.data();  // the output row's source row, at input width
      if (rows.identity) {
        src = in + p * cols.in;
      } else if (rows.outside[static_cast<size_t>(p)]) {
        std::fill(row.begin(), row.end(), extrapolation);
      } else {
        const int64_t b = rows.begin[static_cast<size_t>(p)];
        const int64_t e = rows.begin[static_cast<size_t>(p) + 1];
        taps.clear();
        for (int64_t k = b; k < e; ++k)
          taps.push_back(in + rows.index[static_cast<size_t>(k)] * cols.in);
        weighted_rows(taps.data(), rows.weight.data() + b, e - b, cols.in, row.data());
      }
      resize_columns(src, out, cols, table, false, extrapolation);
    }
  });
}

}  // namespace onyx::kernels
