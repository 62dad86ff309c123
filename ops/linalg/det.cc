// Det: the determinant of each square matrix in the last two dims of a [*, M, M] input,
// giving a [*] output. Computed by LU decomposition with partial pivoting in double: the
// determinant is the product of U's diagonal, negated once per row swap. A matrix whose
// pivot column is all zero is singular and gives 0; NaN entries give NaN.
#include <cmath>
#include <utility>

#include "common/dtype_lists.h"
#include "common/shape_utils.h"
#include "linalg/linalg_ops.h"
#include "onyx/kernel.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> det_versions() {
  return {{11, 21, float_dtypes()}, {22, kOpsetOpen, float_dtypes_bf16()}};  // 22: bfloat16
}

// ---- 2. attributes: none ----

// ---- 3. shape rule ----

void infer_det(InferContext& ctx) {
  const TypeInfo& in = ctx.input(0);
  TypeInfo out = TypeInfo::tensor(in.elem);
  if (in.shape) {
    const std::vector<Dim>& d = *in.shape;
    if (d.size() < 2) ctx.fail(cat("the input must have rank 2 or more, got ", in.to_string()));
    const Dim& rows = d[d.size() - 2];
    const Dim& cols = d[d.size() - 1];
    if (rows.is_known() && cols.is_known() && rows.value != cols.value)
      ctx.fail(cat("the matrices must be square, got ", in.to_string()));
    out.shape = std::vector<Dim>(d.begin(), d.end() - 2);
  }
  ctx.set_output(0, out);
}

// ---- 4. compute ----

// The determinant of the m x m row-major matrix `a`, which it overwrites with its LU factors.
double lu_determinant(std::vector<double>& a, int64_t m) {
  for (double v : a)
    if (std::isnan(v)) return NAN;  // a NaN need not reach a pivot, but poisons the result
  double det = 1.0;
  for (int64_t col = 0; col < m; ++col) {
    int64_t pivot = col;  // the row with the largest entry in this column
    for (int64_t r = col + 1; r < m; ++r)
      if (std::fabs(a[r * m + col]) > std::fabs(a[pivot * m + col])) pivot = r;
    if (a[pivot * m + col] == 0.0) return 0.0;  // singular
    if (pivot != col) {
      for (int64_t c = 0; c < m; ++c) std::swap(a[col * m + c], a[pivot * m + c]);
      det = -det;
    }
    const double p = a[col * m + col];
    det *= p;
    for (int64_t r = col + 1; r < m; ++r) {  // eliminate below the pivot
      const double f = a[r * m + col] / p;
      for (int64_t c = col; c < m; ++c) a[r * m + c] -= f * a[col * m + c];
    }
  }
  return det;
}

class DetKernel final : public Kernel {
 public:
  explicit DetKernel(const KernelInit&) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() < 2) ctx.fail(cat("the input must have rank 2 or more, got ", x.describe()));
    const int64_t m = x.dim(x.rank() - 1);
    if (x.dim(x.rank() - 2) != m) ctx.fail(cat("the matrices must be square, got ", x.describe()));
    Shape batch(x.shape().begin(), x.shape().end() - 2);
    Tensor& out = ctx.allocate_output(0, x.dtype(), batch);
    dispatch<FloatTypes>(x.dtype(), "Det", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* src = x.data<T>();
      T* dst = out.data<T>();
      std::vector<double> a(static_cast<size_t>(m * m));
      for (int64_t b = 0; b < out.numel(); ++b) {
        for (int64_t i = 0; i < m * m; ++i)
          a[static_cast<size_t>(i)] = static_cast<double>(src[b * m * m + i]);
        dst[b] = static_cast<T>(lu_determinant(a, m));  // an empty matrix (m = 0) gives 1
      }
    });
  }
};

}  // namespace

void register_det(Registry& registry) {
  add_op_versions(registry, "Det", det_versions(), make_kernel<DetKernel>(), infer_det);
}

}  // namespace onyx
