// SplitToSequence and ConcatFromSequence (opset 11, unchanged up to 21): the
// sequence counterparts of Split and Concat.
//
// SplitToSequence(input, split?) cuts `input` along `axis`: with a scalar split into
// chunks of that size (the last may be shorter), with a 1-D split into those lengths
// (summing to the axis), without split into pieces of 1, squeezed unless keepdims.
// ConcatFromSequence(seq) joins the tensors along `axis`, or stacks them along a new
// axis when new_axis=1 (axis may then be rank, i.e. after the last).
#include "common/dtype_lists.h"
#include "common/pieces.h"
#include "common/shape_utils.h"
#include "sequence/sequence_ops.h"

namespace onyx {
namespace {

// ---- SplitToSequence ----

class SplitToSequenceKernel final : public Kernel {
 public:
  explicit SplitToSequenceKernel(const KernelInit& init)
      : axis_(init.attrs().get_int("axis", 0)), keepdims_(init.attrs().get_int("keepdims", 1)) {
    if (keepdims_ != 0 && keepdims_ != 1)
      init.fail(cat("keepdims must be 0 or 1, got ", keepdims_));
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int axis = normalize_axis(axis_, x.rank(), "axis");
    const int64_t len = x.dim(axis);
    TensorSequence seq{x.dtype(), {}};
    if (!ctx.has_input(1)) {
      check_sequence_length(ctx, static_cast<size_t>(len));
      for (int64_t i = 0; i < len; ++i)
        seq.tensors.push_back(keepdims_ ? narrow(x, axis, i, 1) : slice_along(x, axis, i));
      return ctx.set_output_value(0, std::move(seq));
    }
    const Tensor& split = ctx.input(1);
    std::vector<int64_t> lengths = tensor_to_ints(split, "split", ctx);
    if (split.rank() == 0) {
      const int64_t chunk = lengths[0];
      if (chunk <= 0) ctx.fail(cat("split must be positive, got ", chunk));
      lengths.assign(static_cast<size_t>(len / chunk), chunk);
      if (len % chunk) lengths.push_back(len % chunk);
    }
    int64_t total = 0;
    for (int64_t n : lengths) {
      if (n < 0) ctx.fail(cat("split lengths must not be negative, got ", n));
      total += n;
    }
    if (total != len) ctx.fail(cat("split lengths sum to ", total, " but the axis has ", len));
    check_sequence_length(ctx, lengths.size());
    int64_t start = 0;
    for (int64_t n : lengths) {
      seq.tensors.push_back(narrow(x, axis, start, n));
      start += n;
    }
    ctx.set_output_value(0, std::move(seq));
  }

 private:
  int64_t axis_;
  int64_t keepdims_;
};

void infer_split_to_sequence(InferContext& ctx) {
  ctx.set_output(0, TypeInfo::sequence_of(TypeInfo::tensor(ctx.input(0).elem)));
}

// ---- ConcatFromSequence ----

class ConcatFromSequenceKernel final : public Kernel {
 public:
  explicit ConcatFromSequenceKernel(const KernelInit& init)
      : axis_(init.attrs().required_int("axis")), new_axis_(init.attrs().get_int("new_axis", 0)) {
    if (new_axis_ != 0 && new_axis_ != 1)
      init.fail(cat("new_axis must be 0 or 1, got ", new_axis_));
  }

  void run(KernelContext& ctx) const override {
    const TensorSequence& seq = ctx.sequence(0);
    // Without a tensor there is no shape to join into (numpy refuses the same).
    if (seq.tensors.empty()) ctx.fail("cannot concatenate an empty sequence");
    const int rank = seq.tensors[0].rank();
    const int axis = normalize_axis(axis_, rank + static_cast<int>(new_axis_), "axis");
    if (new_axis_) return ctx.set_output(0, stack_tensors(seq.tensors, axis, {}, ctx));
    ctx.set_output(0, concat_along(seq.tensors, axis, ctx));
  }

 private:
  int64_t axis_;
  int64_t new_axis_;
};

void infer_concat_from_sequence(InferContext& ctx) {
  TypeInfo element = element_type(ctx.input(0));
  ctx.set_output(0, TypeInfo::tensor(element.elem));
}

}  // namespace

void register_split_to_sequence(Registry& registry) {
  const std::map<std::string, AttrType> attrs = {{"axis", AttrType::Int},
                                                 {"keepdims", AttrType::Int}};
  add_op_versions(registry, "SplitToSequence",
                  {{11, 23, all_dtypes(), attrs},
                   {24, kOpsetOpen, all_dtypes_13(), attrs}},  // 24 adds bfloat16
                  make_kernel<SplitToSequenceKernel>(), infer_split_to_sequence);
}

void register_concat_from_sequence(Registry& registry) {
  add_op_versions(registry, "ConcatFromSequence",
                  {{11, kOpsetOpen, {}, {{"axis", AttrType::Int}, {"new_axis", AttrType::Int}}}},
                  make_kernel<ConcatFromSequenceKernel>(), infer_concat_from_sequence);
}

}  // namespace onyx
