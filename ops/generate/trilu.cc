// Trilu: keeps the upper (upper=1, default) or lower triangle of each matrix in the last two
// dims and zeroes the rest. Element [i, j] is kept when j - i >= k (upper) or j - i <= k
// (lower); the optional int64 scalar input k (default 0) shifts the diagonal and may lie
// beyond the matrix, which keeps everything or nothing.
#include "common/shape_utils.h"
#include "generate/generate_ops.h"
#include "onyx/kernel.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> trilu_versions() {
  return {{14, kOpsetOpen, dtypes_of(AllTypes{}), {{"upper", AttrType::Int}}}};
}

// ---- 2. attributes ----

template <class Ctx>
bool read_upper(const Attrs& attrs, Ctx& ctx) {
  int64_t upper = attrs.get_int("upper", 1);
  if (upper != 0 && upper != 1) ctx.fail(cat("attribute 'upper' must be 0 or 1, got ", upper));
  return upper == 1;
}

// ---- 3. shape rule: the input's type ----

void infer_trilu(InferContext& ctx) {
  read_upper(Attrs(ctx.node(), ctx.label()), ctx);
  const TypeInfo& in = ctx.input(0);
  if (in.shape && in.shape->size() < 2)
    ctx.fail(cat("the input must have rank 2 or more, got ", in.to_string()));
  infer_same_as_input(ctx);
}

// ---- 4. compute ----

class TriluKernel final : public Kernel {
 public:
  explicit TriluKernel(const KernelInit& init) : upper_(read_upper(init.attrs(), init)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() < 2) ctx.fail(cat("the input must have rank 2 or more, got ", x.describe()));
    int64_t k = 0;
    if (ctx.has_input(1)) {
      const Tensor& kt = ctx.input(1);
      if (kt.dtype() != DType::Int64 || kt.numel() != 1 || kt.rank() > 1)
        ctx.fail(cat("'k' must be an int64 scalar, got ", kt.describe()));
      k = kt.data<int64_t>()[0];
    }
    const int64_t rows = x.dim(x.rank() - 2), cols = x.dim(x.rank() - 1);
    const int64_t matrices = rows * cols == 0 ? 0 : x.numel() / (rows * cols);
    Tensor& out = ctx.allocate_output(0, x.dtype(), x.shape());  // zero-filled
    dispatch_by_size(x.dtype(), "Trilu", [&](auto tag) {
      using U = typename decltype(tag)::type;
      const U* src = static_cast<const U*>(x.raw());
      U* dst = static_cast<U*>(out.raw());
      for (int64_t m = 0; m < matrices; ++m)
        for (int64_t i = 0; i < rows; ++i)
          for (int64_t j = 0; j < cols; ++j) {
            // j - i cannot overflow (both are dims); k may be any int64.
            bool keep = upper_ ? j - i >= k : j - i <= k;
            int64_t at = (m * rows + i) * cols + j;
            if (keep) dst[at] = src[at];
          }
    });
  }

 private:
  bool upper_;
};

}  // namespace

void register_trilu(Registry& registry) {
  add_op_versions(registry, "Trilu", trilu_versions(), make_kernel<TriluKernel>(), infer_trilu);
}

}  // namespace onyx
