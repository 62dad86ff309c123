// SequenceMap (17): applies `body` to each position of the input sequences.
// Input 0 is a sequence; further inputs are sequences of the same length (their
// element at each position is passed) or tensors (passed whole every time). Each
// body output becomes one output sequence.
#include "common/shape_utils.h"
#include "onyx/subgraph.h"
#include "sequence/sequence_ops.h"

namespace onyx {
namespace {

void infer_sequence_map(InferContext& ctx) {
  const Attribute* body = ctx.node().find_attr("body");
  if (!body || !body->g) return;
  for (int i = 0; i < ctx.num_outputs() && i < static_cast<int>(body->g->outputs.size()); ++i)
    ctx.set_output(i, TypeInfo::sequence_of(body->g->value(body->g->outputs[i]).type));
}

class SequenceMapKernel final : public Kernel {
 public:
  explicit SequenceMapKernel(const KernelInit& init) {
    std::vector<TypeInfo> hints;
    for (int i = 0; i < init.num_inputs(); ++i) {
      const TypeInfo& t = init.input_type(i);
      hints.push_back(t.kind == TypeInfo::Kind::Sequence ? element_type(t) : t);
    }
    body_ = init.subgraph("body", hints);
    if (body_->num_inputs() != init.num_inputs())
      init.fail(
          cat("body takes ", body_->num_inputs(), " inputs; the node has ", init.num_inputs()));
    if (body_->num_outputs() != init.num_outputs())
      init.fail(
          cat("body has ", body_->num_outputs(), " outputs; the node has ", init.num_outputs()));
  }

  void run(KernelContext& ctx) const override {
    const size_t n = ctx.sequence(0).tensors.size();
    for (int i = 1; i < ctx.num_inputs(); ++i)
      if (ctx.value(i).is_sequence() && ctx.sequence(i).tensors.size() != n)
        ctx.fail(
            cat("input ", i, " has ", ctx.sequence(i).tensors.size(), " tensors; input 0 has ", n));
    std::vector<TensorSequence> outputs(static_cast<size_t>(ctx.num_outputs()));
    for (int k = 0; k < ctx.num_outputs(); ++k) outputs[k].elem = body_->output_type(k).elem;
    for (size_t pos = 0; pos < n; ++pos) {
      std::vector<RuntimeValue> ins;
      for (int i = 0; i < ctx.num_inputs(); ++i)
        ins.push_back(ctx.value(i).is_sequence() ? RuntimeValue(ctx.sequence(i).tensors[pos])
                                                 : ctx.value(i));
      std::vector<RuntimeValue> outs = body_->run(ctx, std::move(ins));
      for (int k = 0; k < ctx.num_outputs(); ++k) {
        const Tensor& t = outs[k].tensor("body output " + std::to_string(k));
        if (outputs[k].elem == DType::Undefined) outputs[k].elem = t.dtype();
        outputs[k].tensors.push_back(t);
      }
    }
    for (int k = 0; k < ctx.num_outputs(); ++k) ctx.set_output_value(k, std::move(outputs[k]));
  }

 private:
  std::unique_ptr<Subgraph> body_;
};

}  // namespace

void register_sequence_map(Registry& registry) {
  add_op_versions(registry, "SequenceMap", {{17, kOpsetOpen, {}, {{"body", AttrType::Graph}}}},
                  make_kernel<SequenceMapKernel>(), infer_sequence_map);
}

}  // namespace onyx
