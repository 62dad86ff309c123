// Identity: the output is the input, shared (no copy). Later versions only widen the
// accepted types (14 sequences, 16 optionals, 19 to 25 the 8-, 4- and 2-bit types), so
// one kernel serves every version.
#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "tensor/tensor_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> identity_versions() {
  return {{1, 12, all_dtypes()},
          {13, 13, all_dtypes_13()},
          {14, 15, all_dtypes_13()},  // sequences
          {16, 18, all_dtypes_13()},  // optionals
          {19, 20, all_dtypes_ir(9)},
          {21, 22, all_dtypes_ir(10)},
          {23, 23, all_dtypes_ir(11)},
          {24, 24, all_dtypes_ir(12)},
          {25, kOpsetOpen, all_dtypes_ir(13)}};
}

// ---- 2. attributes: none ----

// ---- 3. shape rule: the input's type, and its value when that is a constant ----

void infer_identity(InferContext& ctx) {
  if (const Tensor* c = ctx.constant(0)) return ctx.set_output_constant(0, *c);
  ctx.set_output(0, ctx.input(0));
}

// ---- 4. compute ----

class IdentityKernel final : public Kernel {
 public:
  explicit IdentityKernel(const KernelInit&) {}
  void run(KernelContext& ctx) const override {
    // Sequences and optionals (even empty ones) pass through as they are.
    if (!ctx.value(0).is_set()) ctx.fail("input 0 is required but was not given");
    ctx.set_output_value(0, ctx.value(0));
  }
  std::vector<OutputReuse> output_reuse() const override { return view_of_input0(); }
};

}  // namespace

void register_identity(Registry& registry) {
  add_op_versions(registry, "Identity", identity_versions(), make_kernel<IdentityKernel>(),
                  infer_identity);
}

}  // namespace onyx
