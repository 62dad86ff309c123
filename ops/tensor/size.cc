// Size: the input's element count as an int64 scalar. The shape rule records the value
// whenever the input's dims are all known, so shape arithmetic downstream can fold.
// Later versions only widen the input types (19 to 25: the 8-, 4- and 2-bit types).
#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "tensor/tensor_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> size_versions() {
  return {{1, 12, all_dtypes()},
          {13, 18, all_dtypes_13()},
          {19, 20, all_dtypes_ir(9)},            // float8
          {21, 22, all_dtypes_ir(10)},           // int4, uint4
          {23, 23, all_dtypes_ir(11)},           // float4e2m1
          {24, 24, all_dtypes_ir(12)},           // float8e8m0
          {25, kOpsetOpen, all_dtypes_ir(13)}};  // int2, uint2
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
