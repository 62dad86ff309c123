#include "kernels/simd/matvec.h"

#include <algorithm>

#include "kernels/cpu.h"

namespace onyx::kernels {

namespace {

ONYX_AVX2_CLONES
void matvec_rows(const float* m, const float* v, int64_t r0, int64_t r1, int64_t cols, float* out) {
  for (int64_t i = r0; i < r1; ++i) {
    const float* row = m + i * cols;
    float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t j = 0;
    for (; j + 8 <= cols; j += 8)
      for (int l = 0; l < 8; ++l) part[l] += row[j + l] * v[j + l];
    float sum =
        ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
    for (; j < cols; ++j) sum += row[j] * v[j];
    out[i] += sum;
  }
}

}  // namespace

void matvec_add(const float* m, const float* v, int64_t rows, int64_t cols, float* out,
                const Parallel& parallel) {
  // About 64K multiply-adds per task: less is not worth a thread's wake-up.
  const int64_t rows_per_task = std::max<int64_t>(1, 65536 / std::max<int64_t>(cols, 1));
  const int64_t tasks = (rows + rows_per_task - 1) / rows_per_task;
  parallel.for_tasks(tasks, [&](int64_t t0, int64_t t1) {
    matvec_rows(m, v, t0 * rows_per_task, std::min(rows, t1 * rows_per_task), cols, out);
  });
}

}  // namespace onyx::kernels
