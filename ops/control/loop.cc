// Loop: runs `body` while the trip count and the condition allow, threading the
// loop-carried values through each pass and stacking each scan output's per-pass
// values along a new first axis.
//
//   inputs:  M (optional trip count), cond (optional), v_initial...
//   body:    (iteration_num, cond_in, carried...) -> (cond_out, carried..., scan...)
//   outputs: final carried values..., stacked scan outputs...
//
// Without M the trip count is unbounded; without cond the body's condition output
// is ignored; without both the loop runs until RuntimeLimits::max_loop_iterations.
#include <limits>

#include "common/pieces.h"
#include "common/shape_utils.h"
#include "control/control_ops.h"
#include "onyx/subgraph.h"

namespace onyx {
namespace {

// ---- 1. registration: later versions widen the carried types only ----

std::vector<OpVersion> loop_versions() {
  const std::map<std::string, AttrType> attrs = {{"body", AttrType::Graph}};
  return {{1, 10, {}, attrs},  {11, 12, {}, attrs}, {13, 15, {}, attrs},
          {16, 18, {}, attrs}, {19, 20, {}, attrs}, {21, 22, {}, attrs},
          {23, 23, {}, attrs}, {24, 24, {}, attrs}, {25, kOpsetOpen, {}, attrs}};
}

// ---- 3. shape rule: carried values keep their dtype (shapes may change per pass);
//         scan outputs gain a leading dim of unknown length ----

void infer_loop(InferContext& ctx) {
  const Attribute* body = ctx.node().find_attr("body");
  if (!body || !body->g) return;
  const int carried = ctx.num_inputs() - 2;
  for (int i = 0; i < ctx.num_outputs(); ++i) {
    TypeInfo declared = declared_output_type(*body->g, 1 + i);
    if (i < carried) {
      if (declared.kind == TypeInfo::Kind::Unknown && ctx.has_input(2 + i))
        declared = without_shape(ctx.input(2 + i));
      ctx.set_output(i, declared);
    } else {
      ctx.set_output(i, with_dim_at(declared, 0, Dim{}));
    }
  }
}

// ---- 2 and 4. construction and compute ----

class LoopKernel final : public Kernel {
 public:
  explicit LoopKernel(const KernelInit& init) {
    carried_ = init.num_inputs() - 2;
    if (carried_ < 0) init.fail("Loop takes at least the inputs M and cond (either may be empty)");
    check_carried_dtypes(init);
    // The body's iteration number and condition are scalars; carried values keep
    // their dtype but may change shape from pass to pass.
    std::vector<TypeInfo> hints = {TypeInfo::tensor(DType::Int64, std::vector<Dim>{}),
                                   TypeInfo::tensor(DType::Bool, std::vector<Dim>{})};
    for (int i = 0; i < carried_; ++i) hints.push_back(without_shape(init.input_type(2 + i)));
    body_ = init.subgraph("body", hints);
    if (body_->num_inputs() != 2 + carried_)
      init.fail(cat("body takes ", body_->num_inputs(), " inputs; with ", carried_,
                    " loop-carried values it must take ", 2 + carried_));
    scans_ = body_->num_outputs() - 1 - carried_;
    if (scans_ < 0)
      init.fail(cat("body has ", body_->num_outputs(),
                    " outputs; it must return the condition and ", carried_,
                    " loop-carried values"));
    if (init.num_outputs() > carried_ + scans_)
      init.fail(cat("the node has ", init.num_outputs(), " outputs; the body yields ", carried_,
                    " carried and ", scans_, " scan outputs"));
  }

  void run(KernelContext& ctx) const override {
    int64_t trip_count = std::numeric_limits<int64_t>::max();
    if (ctx.has_input(0)) trip_count = scalar<int64_t>(ctx, 0, DType::Int64, "M");
    const bool use_cond = ctx.has_input(1);
    bool cond = use_cond ? scalar<bool>(ctx, 1, DType::Bool, "cond") : true;

    std::vector<RuntimeValue> carried;
    for (int i = 0; i < carried_; ++i) carried.push_back(ctx.value(2 + i));
    std::vector<std::vector<Tensor>> scanned(static_cast<size_t>(scans_));
    const int64_t cap = ctx.limits().max_loop_iterations;
    for (int64_t i = 0; i < trip_count && cond; ++i) {
      if (i >= cap)
        ctx.fail(
            ErrorKind::limit_exceeded,
            cat("Loop ran ", cap, " iterations, the limit (RuntimeLimits::max_loop_iterations)"));
      std::vector<RuntimeValue> ins = {Tensor::scalar<int64_t>(i), Tensor::scalar<bool>(cond)};
      for (RuntimeValue& v : carried) ins.push_back(std::move(v));
      std::vector<RuntimeValue> outs = body_->run(ctx, std::move(ins));
      if (use_cond) {
        const Tensor& c = outs[0].tensor("the body's condition output");
        if (c.dtype() != DType::Bool || c.numel() != 1)
          ctx.fail("the body's condition output must be one bool, got " + c.describe());
        cond = c.data<bool>()[0];
      }
      carried.assign(outs.begin() + 1, outs.begin() + 1 + carried_);
      for (int k = 0; k < scans_; ++k)
        scanned[k].push_back(outs[1 + carried_ + k].tensor("scan output " + std::to_string(k)));
    }
    for (int i = 0; i < ctx.num_outputs(); ++i) {
      if (i < carried_) {
        ctx.set_output_value(i, std::move(carried[i]));
      } else {
        const int k = i - carried_;
        ctx.set_output(i, stack_tensors(scanned[k], 0, body_->output_type(1 + carried_ + k), ctx));
      }
    }
  }

 private:
  template <class T>
  static T scalar(const KernelContext& ctx, int i, DType dtype, const char* what) {
    const Tensor& t = ctx.input(i);
    if (t.dtype() != dtype || t.numel() != 1)
      ctx.fail(
          cat(what, " must be a one-element ", dtype_name(dtype), " tensor, got ", t.describe()));
    return t.data<T>()[0];
  }

  int carried_ = 0;
  int scans_ = 0;
  std::unique_ptr<Subgraph> body_;
};

}  // namespace

void register_loop(Registry& registry) {
  add_op_versions(registry, "Loop", loop_versions(), make_kernel<LoopKernel>(), infer_loop);
}

}  // namespace onyx
