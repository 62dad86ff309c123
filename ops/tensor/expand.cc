// Expand: broadcasts the input against `shape` (input 1, 1-D int64) with numpy's rule:
// dims align from the right and must be equal or 1. Unlike numpy.broadcast_to, `shape`
// may be shorter than the input's rank or hold 1s where the input is larger; the output
// is the broadcast of both, like input * ones(shape).
#include <algorithm>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "tensor/tensor_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> expand_versions() {
  return {{8, 12, all_dtypes()}, {13, kOpsetOpen, all_dtypes_13()}};
}

// ---- 2. attributes: none; the shape input ----

template <class Ctx>
Shape shape_input(const Tensor& s, Ctx& ctx) {
  if (s.dtype() != DType::Int64 || s.rank() != 1)
    ctx.fail(cat("the shape input must be a 1-D int64 tensor, got ", s.describe()));
  Shape shape = s.to_vector<int64_t>();
  for (int64_t d : shape)
    if (d < 0) ctx.fail(cat("the shape input ", shape_to_string(shape), " has a negative dim"));
  return shape;
}

template <class Ctx>
Shape expanded_shape(const Shape& in, const Shape& shape, Ctx& ctx) {
  try {
    Shape out = broadcast_shapes(in, shape, "Expand");
    checked_numel(out);
    return out;
  } catch (const Error& e) {
    ctx.fail(e);
  }
}

// ---- 3. shape rule ----

void expand_into(const Tensor& in, Tensor& out);

void infer_expand(InferContext& ctx) {
  const TypeInfo& in = ctx.input(0);
  TypeInfo out = TypeInfo::tensor(in.elem);
  const Tensor* s = ctx.constant(1);
  if (!s) {  // unknown values; the rank is the longer of the two when both are known
    std::optional<int64_t> len = declared_length(ctx.input(1));
    if (len && in.shape)
      out.shape = std::vector<Dim>(std::max(static_cast<size_t>(*len), in.shape->size()));
    return ctx.set_output(0, out);
  }
  Shape shape = shape_input(*s, ctx);
  std::vector<Dim> dims;
  for (int64_t d : shape) dims.push_back(Dim::known(d));
  try {
    out.shape = broadcast_dims(in.shape, dims, "Expand");
  } catch (const Error& e) {
    ctx.fail(e);
  }
  const Tensor* c = ctx.constant(0);
  if (!c) return ctx.set_output(0, out);
  Shape full = expanded_shape(c->shape(), shape, ctx);
  if (checked_numel(full) > kMaxFoldElements) return ctx.set_output(0, out);
  Tensor folded(c->dtype(), full);
  expand_into(*c, folded);
  ctx.set_output_constant(0, std::move(folded));
}

// ---- 4. compute ----

// Copies runs of the output's innermost (merged) dim, reading the input with step 1, or
// repeating one element where that dim is broadcast.
void expand_into(const Tensor& in, Tensor& out) {
  BroadcastWalk walk({in.shape()}, out.shape());
  int64_t inner = walk.inner();
  int64_t step = walk.step(0);
  dispatch_by_size(in.dtype(), "Expand", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* src = static_cast<const T*>(in.raw());
    T* dst = static_cast<T*>(out.raw());
    walk.for_rows(0, walk.rows(), [&](int64_t out_offset, const int64_t* in_offsets) {
      const T* from = src + in_offsets[0];
      T* to = dst + out_offset;
      if (step == 1) {
        std::copy_n(from, inner, to);
      } else {
        std::fill_n(to, inner, *from);
      }
    });
  });
}

class ExpandKernel final : public Kernel {
 public:
  explicit ExpandKernel(const KernelInit& init) {
    if (init.num_inputs() != 2) init.fail("Expand needs the input and shape inputs");
  }

  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    Shape shape = expanded_shape(in.shape(), shape_input(ctx.input(1), ctx), ctx);
    expand_into(in, ctx.allocate_output(0, in.dtype(), shape));
  }
};

}  // namespace

void register_expand(Registry& registry) {
  add_op_versions(registry, "Expand", expand_versions(), make_kernel<ExpandKernel>(), infer_expand);
}

}  // namespace onyx
