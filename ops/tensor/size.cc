// Size: the input's element count as an int64 scalar. The shape rule records the value
// whenever the input's dims are all known, so shape arithmetic downstream can fold.
// (Size-19 and Size-21 only widen the input types to float8/int4, not stored here.)
#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "tensor/tensor_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> size_versions() {
  return {{1, 12, all_dtypes()}, {13, kOpsetOpen, all_dtypes_13()}};
}

// ---- 2. attributes: none ----

// ---- 3. shape rule ----

void infer_size(InferContext& ctx) {
  if (std::optional<Shape> shape = ctx.input(0).concrete_shape())
    return ctx.set_output_constant(0, Tensor::scalar<int64_t>(checked_numel(*shape)));
  ctx.set_output(0, TypeInfo::tensor_of(DType::Int64, {}));
}

// ---- 4. compute ----

class SizeKernel final : public Kernel {
 public:
  explicit SizeKernel(const KernelInit&) {}

  void run(KernelContext& ctx) const override {
    ctx.allocate_output(0, DType::Int64, {}).data<int64_t>()[0] = ctx.input(0).numel();
  }
};

}  // namespace

void register_size(Registry& registry) {
  add_op_versions(registry, "Size", size_versions(), make_kernel<SizeKernel>(), infer_size);
}

}  // namespace onyx
