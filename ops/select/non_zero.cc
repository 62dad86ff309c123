// NonZero: the coordinates of the non-zero elements (NaN counts as non-zero, an empty string
// as zero), as an int64 tensor [rank, count] in row-major order of the elements: column j
// holds the index of the j-th non-zero element. Following the spec's [rank(X), Z], a rank-0
// input gives [0, 1] or [0, 0].
#include <algorithm>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "select/select_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> non_zero_versions() {
  return {{9, 12, all_dtypes()}, {13, kOpsetOpen, all_dtypes_13()}};  // bfloat16
}

// ---- 2. attributes: none ----

// ---- 3. shape rule ----

Tensor non_zero(const Tensor& x);

void infer_non_zero(InferContext& ctx) {
  const TypeInfo& in = ctx.input(0);
  TypeInfo out = TypeInfo::tensor(DType::Int64, std::vector<Dim>(2));
  if (in.shape) (*out.shape)[0] = Dim::known(static_cast<int64_t>(in.shape->size()));
  const Tensor* c = ctx.constant(0);
  if (c && c->numel() * std::max(c->rank(), 1) <= kMaxFoldElements)
    return ctx.set_output_constant(0, non_zero(*c));
  ctx.set_output(0, out);
}

// ---- 4. compute ----

Tensor non_zero(const Tensor& x) {
  // First the flat positions of the non-zero elements, then their coordinates.
  std::vector<int64_t> flat;
  dispatch<AllTypes>(x.dtype(), "NonZero", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* src = x.data<T>();
    for (int64_t i = 0; i < x.numel(); ++i)
      if (sel::is_nonzero(src[i])) flat.push_back(i);
  });
  const int64_t count = static_cast<int64_t>(flat.size());
  const int rank = x.rank();
  Tensor out(DType::Int64, {rank, count});
  int64_t* dst = out.data<int64_t>();
  for (int64_t j = 0; j < count; ++j) {
    int64_t rest = flat[static_cast<size_t>(j)];
    for (int d = rank - 1; d >= 0; --d) {  // unravel, innermost dim first
      dst[d * count + j] = rest % x.dim(d);
      rest /= x.dim(d);
    }
  }
  return out;
}

class NonZeroKernel final : public Kernel {
 public:
  explicit NonZeroKernel(const KernelInit&) {}

  void run(KernelContext& ctx) const override { ctx.set_output(0, non_zero(ctx.input(0))); }
};

}  // namespace

void register_non_zero(Registry& registry) {
  add_op_versions(registry, "NonZero", non_zero_versions(), make_kernel<NonZeroKernel>(),
                  infer_non_zero);
}

}  // namespace onyx
