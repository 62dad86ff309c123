// ReverseSequence: for each batch entry b, reverses the first sequence_lens[b] steps along
// `time_axis` and copies the rest unchanged. The input has rank 2 or more; batch_axis and
// time_axis are 0 and 1 (default 1 and 0), one each. Every length must lie in
// [0, time dim].
#include <algorithm>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "select/select_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> reverse_sequence_versions() {
  return {{10,
           kOpsetOpen,
           all_dtypes(),
           {{"batch_axis", AttrType::Int}, {"time_axis", AttrType::Int}}}};
}

// ---- 2. attributes ----

struct SequenceAxes {
  int batch = 1;
  int time = 0;

  template <class Ctx>
  static SequenceAxes read(const Attrs& attrs, Ctx& ctx) {
    int64_t batch = attrs.get_int("batch_axis", 1), time = attrs.get_int("time_axis", 0);
    if ((batch != 0 && batch != 1) || (time != 0 && time != 1) || batch == time)
      ctx.fail(cat("batch_axis and time_axis must be 0 and 1 in some order, got ", batch, " and ",
                   time));
    return {static_cast<int>(batch), static_cast<int>(time)};
  }
};

// ---- 3. shape rule ----

void infer_reverse_sequence(InferContext& ctx) {
  SequenceAxes axes = SequenceAxes::read(Attrs(ctx.node(), ctx.label()), ctx);
  const TypeInfo& in = ctx.input(0);
  const TypeInfo& lens = ctx.input(1);
  if (in.shape && in.shape->size() < 2)
    ctx.fail(cat("the input must have rank 2 or more, got ", in.to_string()));
  if (lens.elem != DType::Undefined && lens.elem != DType::Int64)
    ctx.fail(cat("sequence_lens must be int64, got ", dtype_name(lens.elem)));
  if (in.shape && lens.shape && lens.shape->size() == 1) {
    const Dim& b = (*in.shape)[static_cast<size_t>(axes.batch)];
    const Dim& l = (*lens.shape)[0];
    if (b.is_known() && l.is_known() && b.value != l.value)
      ctx.fail(cat("sequence_lens has ", l.value, " entries for a batch of ", b.value));
  }
  infer_same_as_input(ctx);
}

// ---- 4. compute ----

class ReverseSequenceKernel final : public Kernel {
 public:
  explicit ReverseSequenceKernel(const KernelInit& init)
      : axes_(SequenceAxes::read(init.attrs(), init)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& lens = ctx.input(1);
    if (x.rank() < 2) ctx.fail(cat("the input must have rank 2 or more, got ", x.describe()));
    const int64_t batch = x.dim(axes_.batch), time = x.dim(axes_.time);
    if (lens.dtype() != DType::Int64 || lens.rank() != 1 || lens.numel() != batch)
      ctx.fail(cat("sequence_lens must be int64 [", batch, "], got ", lens.describe()));
    const int64_t* len = lens.data<int64_t>();
    for (int64_t b = 0; b < batch; ++b)
      if (len[b] < 0 || len[b] > time)
        ctx.fail(cat("sequence_lens[", b, "] = ", len[b], " is out of range [0, ", time, "]"));
    // Element [t, b, rest] (time_axis 0) or [b, t, rest] (time_axis 1), rest = inner elements.
    const int64_t inner = batch * time == 0 ? 0 : x.numel() / (batch * time);
    const int64_t time_stride = axes_.time == 0 ? batch * inner : inner;
    const int64_t batch_stride = axes_.batch == 0 ? time * inner : inner;
    Tensor& out = ctx.allocate_output(0, x.dtype(), x.shape());
    dispatch_by_size(x.dtype(), "ReverseSequence", [&](auto tag) {
      using U = typename decltype(tag)::type;
      const U* src = static_cast<const U*>(x.raw());
      U* dst = static_cast<U*>(out.raw());
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t t = 0; t < time; ++t) {
          const int64_t from = t < len[b] ? len[b] - 1 - t : t;  // reversed prefix, then as is
          std::copy_n(src + b * batch_stride + from * time_stride, inner,
                      dst + b * batch_stride + t * time_stride);
        }
    });
  }

 private:
  SequenceAxes axes_;
};

}  // namespace

void register_reverse_sequence(Registry& registry) {
  add_op_versions(registry, "ReverseSequence", reverse_sequence_versions(),
                  make_kernel<ReverseSequenceKernel>(), infer_reverse_sequence);
}

}  // namespace onyx
