// And, Or, Xor: C = A op B elementwise over bool tensors, broadcast numpy style (before
// opset 7 with the legacy B-to-A rule of math/elementwise.h). Not: Y = !X.
#include "logic/logic.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> logical_versions() {
  return {{1, 6, {DType::Bool}, legacy_broadcast_attrs()}, {7, kOpsetOpen, {DType::Bool}}};
}

// ---- 2. attributes: the legacy broadcast's, read by LegacyBroadcast ----

// ---- 3. shape rule: infer_bool_binary; Not's (below) keeps X's type and folds constants ----

// ---- 4. compute ----

struct AndFn {
  static constexpr const char* name = "And";
  using Types = type_list<bool>;
  static bool apply(bool a, bool b) { return a && b; }
};

struct OrFn {
  static constexpr const char* name = "Or";
  using Types = type_list<bool>;
  static bool apply(bool a, bool b) { return a || b; }
};

struct XorFn {
  static constexpr const char* name = "Xor";
  using Types = type_list<bool>;
  static bool apply(bool a, bool b) { return a != b; }
};

void compute_not(const Tensor& x, Tensor& y) {
  const bool* in = x.data<bool>();
  bool* out = y.data<bool>();
  for (int64_t i = 0; i < x.numel(); ++i) out[i] = !in[i];
}

void infer_not(InferContext& ctx) {
  if (ctx.input(0).elem != DType::Undefined && ctx.input(0).elem != DType::Bool)
    ctx.fail(cat("input must be bool, got ", dtype_name(ctx.input(0).elem)));
  ctx.set_output(0, TypeInfo::tensor(DType::Bool, ctx.input(0).shape));
  const Tensor* c = ctx.constant(0);
  if (!c || c->dtype() != DType::Bool || !foldable(c->shape())) return;
  Tensor out(DType::Bool, c->shape());
  compute_not(*c, out);
  ctx.set_output_constant(0, std::move(out));
}

class NotKernel final : public Kernel {
 public:
  explicit NotKernel(const KernelInit&) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::Bool) ctx.fail(cat("input must be bool, got ", x.describe()));
    compute_not(x, ctx.allocate_output(0, DType::Bool, x.shape()));
  }
};

}  // namespace

void register_logical(Registry& registry) {
  add_bool_binary<AndFn>(registry, logical_versions());
  add_bool_binary<OrFn>(registry, logical_versions());
  add_bool_binary<XorFn>(registry, logical_versions());
  add_op_versions(registry, "Not", {{1, kOpsetOpen, {DType::Bool}}}, make_kernel<NotKernel>(),
                  infer_not);
}

}  // namespace onyx
