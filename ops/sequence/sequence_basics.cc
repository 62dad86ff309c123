// The small sequence operators (all since opset 11, unchanged up to 21):
//   SequenceEmpty      -> an empty sequence of `dtype` (default float)
//   SequenceConstruct  tensors... -> a sequence of them (same dtype)
//   SequenceInsert     seq, tensor, position? -> seq with tensor at position (default: end)
//   SequenceAt         seq, position -> the tensor at position
//   SequenceErase      seq, position? -> seq without the tensor at position (default: last)
//   SequenceLength     seq -> int64 scalar
// Positions may be negative (counted from the end); Insert accepts [-n, n], the
// others [-n, n-1].
#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "sequence/sequence_ops.h"

namespace onyx {
namespace {

// A position input, normalized to [0, n] (insert) or [0, n-1] (at, erase).
size_t read_position(const KernelContext& ctx, int input, size_t n, bool insert) {
  const Tensor& t = ctx.input(input);
  if (t.numel() != 1 || (t.dtype() != DType::Int64 && t.dtype() != DType::Int32))
    ctx.fail("position must be an int32 or int64 scalar, got " + t.describe());
  int64_t p = t.dtype() == DType::Int64 ? t.data<int64_t>()[0] : t.data<int32_t>()[0];
  const int64_t len = static_cast<int64_t>(n);
  const int64_t hi = insert ? len : len - 1;
  if (p < -len || p > hi)
    ctx.fail(cat("position ", p, " is out of range [", -len, ", ", hi, "] for a sequence of ", n));
  return static_cast<size_t>(p < 0 ? p + len : p);
}

void check_dtype(const KernelContext& ctx, const TensorSequence& seq, const Tensor& t) {
  if (seq.elem != DType::Undefined && t.dtype() != seq.elem)
    ctx.fail(cat("a sequence of ", dtype_name(seq.elem), " cannot hold ", t.describe()));
}

// ---- SequenceEmpty ----

class SequenceEmptyKernel final : public Kernel {
 public:
  explicit SequenceEmptyKernel(const KernelInit& init)
      : dtype_(static_cast<DType>(init.attrs().get_int("dtype", static_cast<int>(DType::Float)))) {
    if (!dtype_info(dtype_).supported || dtype_ == DType::Undefined)
      init.fail(cat("dtype ", dtype_name(dtype_), " is not supported"));
  }
  void run(KernelContext& ctx) const override {
    ctx.set_output_value(0, TensorSequence{dtype_, {}});
  }

 private:
  DType dtype_;
};

void infer_sequence_empty(InferContext& ctx) {
  const Attribute* a = ctx.node().find_attr("dtype");
  DType dt = a ? static_cast<DType>(a->i) : DType::Float;
  ctx.set_output(0, TypeInfo::sequence_of(TypeInfo::tensor(dt)));
}

// ---- SequenceConstruct ----

class SequenceConstructKernel final : public Kernel {
 public:
  explicit SequenceConstructKernel(const KernelInit& init) {
    if (init.num_inputs() < 1) init.fail("SequenceConstruct needs at least one input");
  }
  void run(KernelContext& ctx) const override {
    TensorSequence seq{ctx.input(0).dtype(), {}};
    check_sequence_length(ctx, static_cast<size_t>(ctx.num_inputs()));
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      check_dtype(ctx, seq, ctx.input(i));
      seq.tensors.push_back(ctx.input(i));
    }
    ctx.set_output_value(0, std::move(seq));
  }
};

void infer_sequence_construct(InferContext& ctx) {
  TypeInfo element = ctx.input(0);
  for (int i = 1; i < ctx.num_inputs(); ++i) {
    const TypeInfo& t = ctx.input(i);
    if (element.elem != DType::Undefined && t.elem != DType::Undefined && t.elem != element.elem)
      ctx.fail(cat("inputs mix ", dtype_name(element.elem), " and ", dtype_name(t.elem)));
    if (!(t.shape == element.shape)) element.shape.reset();
  }
  ctx.set_output(0, TypeInfo::sequence_of(element));
}

// ---- SequenceInsert ----

class SequenceInsertKernel final : public Kernel {
 public:
  explicit SequenceInsertKernel(const KernelInit&) {}
  void run(KernelContext& ctx) const override {
    TensorSequence seq = ctx.sequence(0);
    const Tensor& t = ctx.input(1);
    check_dtype(ctx, seq, t);
    size_t at =
        ctx.has_input(2) ? read_position(ctx, 2, seq.tensors.size(), true) : seq.tensors.size();
    check_sequence_length(ctx, seq.tensors.size() + 1);
    seq.tensors.insert(seq.tensors.begin() + static_cast<std::ptrdiff_t>(at), t);
    if (seq.elem == DType::Undefined) seq.elem = t.dtype();
    ctx.set_output_value(0, std::move(seq));
  }
};

void infer_sequence_insert(InferContext& ctx) {
  TypeInfo element = element_type(ctx.input(0));
  const TypeInfo& t = ctx.input(1);
  if (element.kind == TypeInfo::Kind::Unknown) element = t;
  if (!(element.shape == t.shape)) element.shape.reset();
  ctx.set_output(0, TypeInfo::sequence_of(element));
}

// ---- SequenceAt ----

class SequenceAtKernel final : public Kernel {
 public:
  explicit SequenceAtKernel(const KernelInit&) {}
  void run(KernelContext& ctx) const override {
    const TensorSequence& seq = ctx.sequence(0);
    ctx.set_output(0, seq.tensors[read_position(ctx, 1, seq.tensors.size(), false)]);
  }
};

void infer_sequence_at(InferContext& ctx) { ctx.set_output(0, element_type(ctx.input(0))); }

// ---- SequenceErase ----

class SequenceEraseKernel final : public Kernel {
 public:
  explicit SequenceEraseKernel(const KernelInit&) {}
  void run(KernelContext& ctx) const override {
    TensorSequence seq = ctx.sequence(0);
    if (seq.tensors.empty()) ctx.fail("cannot erase from an empty sequence");
    size_t at = ctx.has_input(1) ? read_position(ctx, 1, seq.tensors.size(), false)
                                 : seq.tensors.size() - 1;
    seq.tensors.erase(seq.tensors.begin() + static_cast<std::ptrdiff_t>(at));
    ctx.set_output_value(0, std::move(seq));
  }
};

// ---- SequenceLength ----

class SequenceLengthKernel final : public Kernel {
 public:
  explicit SequenceLengthKernel(const KernelInit&) {}
  void run(KernelContext& ctx) const override {
    ctx.set_output(0,
                   Tensor::scalar<int64_t>(static_cast<int64_t>(ctx.sequence(0).tensors.size())));
  }
};

void infer_sequence_length(InferContext& ctx) {
  ctx.set_output(0, TypeInfo::tensor(DType::Int64, std::vector<Dim>{}));
}

}  // namespace

void register_sequence_basics(Registry& registry) {
  auto add = [&](const char* op, KernelFactory create, ShapeRule infer,
                 std::map<std::string, AttrType> attrs = {}) {
    add_op_versions(registry, op, {{11, kOpsetOpen, {}, std::move(attrs)}}, create, infer);
  };
  add("SequenceEmpty", make_kernel<SequenceEmptyKernel>(), infer_sequence_empty,
      {{"dtype", AttrType::Int}});
  add("SequenceConstruct", make_kernel<SequenceConstructKernel>(), infer_sequence_construct);
  add("SequenceInsert", make_kernel<SequenceInsertKernel>(), infer_sequence_insert);
  add("SequenceAt", make_kernel<SequenceAtKernel>(), infer_sequence_at);
  add("SequenceErase", make_kernel<SequenceEraseKernel>(), infer_same_as_input);
  add("SequenceLength", make_kernel<SequenceLengthKernel>(), infer_sequence_length);
}

}  // namespace onyx
