// If: runs then_branch or else_branch, chosen by a one-element bool tensor, and
// returns that branch's outputs. Versions 11-25 only widen the output types
// (sequences from 13, optionals from 16, the 8-, 4- and 2-bit types from 19 to 25): one
// kernel serves all.
#include "common/shape_utils.h"
#include "control/control_ops.h"
#include "onyx/subgraph.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> if_versions() {
  const std::map<std::string, AttrType> attrs = {{"then_branch", AttrType::Graph},
                                                 {"else_branch", AttrType::Graph}};
  return {{1, 10, {DType::Bool}, attrs},         {11, 12, {DType::Bool}, attrs},
          {13, 15, {DType::Bool}, attrs},        {16, 18, {DType::Bool}, attrs},
          {19, 20, {DType::Bool}, attrs},        {21, 22, {DType::Bool}, attrs},
          {23, 23, {DType::Bool}, attrs},        {24, 24, {DType::Bool}, attrs},
          {25, kOpsetOpen, {DType::Bool}, attrs}};
}

// ---- 3. shape rule: what both branches declare ----

void infer_if(InferContext& ctx) {
  const Attribute* then_attr = ctx.node().find_attr("then_branch");
  const Attribute* else_attr = ctx.node().find_attr("else_branch");
  if (!then_attr || !then_attr->g || !else_attr || !else_attr->g) return;
  for (int i = 0; i < ctx.num_outputs(); ++i)
    ctx.set_output(i, merge_branch_types(declared_output_type(*then_attr->g, i),
                                         declared_output_type(*else_attr->g, i)));
}

// ---- 2 and 4. construction and compute ----

class IfKernel final : public Kernel {
 public:
  explicit IfKernel(const KernelInit& init)
      : then_(init.subgraph("then_branch")), else_(init.subgraph("else_branch")) {
    check_carried_dtypes(init);
    for (const auto* branch : {then_.get(), else_.get()})
      if (branch->num_outputs() != init.num_outputs())
        init.fail(cat("the node has ", init.num_outputs(), " outputs but a branch has ",
                      branch->num_outputs()));
    for (const auto* branch : {then_.get(), else_.get()})
      if (branch->num_inputs() != 0) init.fail("If branches take no inputs");
  }

  void run(KernelContext& ctx) const override {
    const Tensor& cond = ctx.input(0);
    if (cond.dtype() != DType::Bool || cond.numel() != 1)
      ctx.fail("cond must be a one-element bool tensor, got " + cond.describe());
    const Subgraph& branch = cond.data<bool>()[0] ? *then_ : *else_;
    std::vector<RuntimeValue> outputs = branch.run(ctx, {});
    for (int i = 0; i < ctx.num_outputs(); ++i) ctx.set_output_value(i, std::move(outputs[i]));
  }

 private:
  std::unique_ptr<Subgraph> then_;
  std::unique_ptr<Subgraph> else_;
};

}  // namespace

void register_if(Registry& registry) {
  add_op_versions(registry, "If", if_versions(), make_kernel<IfKernel>(), infer_if);
}

}  // namespace onyx
