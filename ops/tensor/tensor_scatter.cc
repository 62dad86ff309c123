// TensorScatter (opset 24): writes `update` into a copy of `past_cache` along the sequence
// axis `axis` (default -2), as a KV cache is appended to. Dim 0 is the batch; every dim but
// `axis` must match, and update's sequence length S may not exceed the cache's M. Batch b
// writes its S positions from write_indices[b] (int64, shape [batch]; 0 when omitted):
//
//   present[b, .., write_indices[b] + s, ..] = update[b, .., s, ..]      (linear)
//   present[b, .., (write_indices[b] + s) % M, ..] = update[b, .., s, ..] (circular)
//
// In linear mode a write past the end (write_indices[b] + S > M) is an error; indices must
// be non-negative in both modes (the reference takes no negative ones from the back).
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "tensor/movement.h"
#include "tensor/tensor_ops.h"

namespace onyx {
namespace {

// ---- 2. attributes ----

struct ScatterAttrs {
  int64_t axis = -2;
  bool circular = false;
};

template <class Ctx>
ScatterAttrs read_scatter_attrs(const Attrs& attrs, Ctx& ctx) {
  ScatterAttrs a;
  a.axis = attrs.get_int("axis", -2);
  const std::string mode = attrs.get_string("mode", "linear");
  if (mode == "circular")
    a.circular = true;
  else if (mode != "linear")
    ctx.fail(cat("mode must be 'linear' or 'circular', got '", mode, "'"));
  return a;
}

// The sequence axis made non-negative; dim 0 is the batch and cannot be it.
template <class Ctx>
size_t sequence_axis(int64_t axis, size_t rank, Ctx& ctx) {
  if (rank < 2) ctx.fail(cat("past_cache must have rank 2 or more (batch, .., sequence, ..)"));
  const size_t a = checked_axis(axis, rank, true, ctx);
  if (a == 0) ctx.fail(cat("axis ", axis, " is the batch dim; the sequence axis must be another"));
  return a;
}

// ---- 3. shape rule: present_cache is typed and shaped like past_cache ----

void infer_tensor_scatter(InferContext& ctx) {
  const TypeInfo& past = ctx.input(0);
  const ScatterAttrs a = read_scatter_attrs(Attrs(ctx.node(), ctx.label()), ctx);
  if (past.has_shape()) sequence_axis(a.axis, past.shape->size(), ctx);
  if (ctx.input(1).elem != DType::Undefined && ctx.input(1).elem != past.elem)
    ctx.fail(cat("update (", dtype_name(ctx.input(1).elem), ") must have past_cache's dtype (",
                 dtype_name(past.elem), ")"));
  ctx.set_output(0, TypeInfo::tensor(past.elem, past.shape));
}

// ---- 4. compute ----

class TensorScatterKernel final : public Kernel {
 public:
  explicit TensorScatterKernel(const KernelInit& init)
      : attrs_(read_scatter_attrs(init.attrs(), init)) {
    const TypeInfo& past = init.input_type(0);
    if (past.has_shape()) sequence_axis(attrs_.axis, past.shape->size(), init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& past = ctx.input(0);
    const Tensor& update = ctx.input(1);
    const Shape& ps = past.shape();
    const Shape& us = update.shape();
    const size_t axis = sequence_axis(attrs_.axis, ps.size(), ctx);
    bool fits = update.dtype() == past.dtype() && us.size() == ps.size();
    for (size_t d = 0; fits && d < ps.size(); ++d)
      fits = d == axis ? us[d] <= ps[d] : us[d] == ps[d];
    if (!fits)
      ctx.fail(cat("update ", update.describe(), " must match past_cache ", past.describe(),
                   " in dtype and every dim but axis ", axis, ", where it may not be longer"));
    const int64_t batch = ps[0], M = ps[axis], S = us[axis];
    std::vector<int64_t> start(static_cast<size_t>(batch), 0);
    if (ctx.num_inputs() > 2 && ctx.has_input(2)) {
      const Tensor& wi = ctx.input(2);
      if (wi.dtype() != DType::Int64 || wi.shape() != Shape{batch})
        ctx.fail(cat("write_indices must be int64 of shape [", batch, "], got ", wi.describe()));
      start.assign(wi.data<int64_t>(), wi.data<int64_t>() + batch);
    }
    for (int64_t b = 0; b < batch; ++b) {
      if (start[b] < 0) ctx.fail(cat("write_indices[", b, "] = ", start[b], " is negative"));
      if (!attrs_.circular && start[b] > M - S)
        ctx.fail(cat("write_indices[", b, "] = ", start[b], " plus the update's ", S,
                     " positions runs past the cache's ", M, " (linear mode)"));
      if (attrs_.circular && M > 0) start[b] %= M;  // so start + s cannot overflow
    }
    // Both tensors viewed as (outer, sequence, inner); outer's leading dim is the batch.
    const int64_t outer = checked_numel(Shape(ps.begin(), ps.begin() + axis));
    const int64_t inner = checked_numel(Shape(ps.begin() + axis + 1, ps.end()));
    const int64_t per_batch = batch ? outer / batch : 0;
    Tensor out = past.clone();
    if (M == 0 || S == 0) {
      ctx.set_output(0, std::move(out));
      return;
    }
    dispatch_by_size(past.dtype(), "TensorScatter", [&](auto tag) {
      using U = typename decltype(tag)::type;
      const U* src = static_cast<const U*>(update.raw());
      U* dst = static_cast<U*>(out.raw());
      for (int64_t o = 0; o < outer; ++o) {
        const int64_t b = o / per_batch;
        for (int64_t s = 0; s < S; ++s) {
          const int64_t at = attrs_.circular ? (start[b] + s) % M : start[b] + s;
          const U* from = src + (o * S + s) * inner;
          std::copy(from, from + inner, dst + (o * M + at) * inner);
        }
      }
    });
    ctx.set_output(0, std::move(out));
  }

 private:
  ScatterAttrs attrs_;
};

}  // namespace

void register_tensor_scatter(Registry& registry) {
  const std::map<std::string, AttrType> attrs = {{"axis", AttrType::Int},
                                                 {"mode", AttrType::String}};
  add_op_versions(registry, "TensorScatter", {{24, kOpsetOpen, all_dtypes_13(), attrs}},
                  make_kernel<TensorScatterKernel>(), infer_tensor_scatter);
}

}  // namespace onyx
