// Concat: joins tensors of one dtype and rank along `axis`; the other dims must match.
// `axis` defaults to 1 in opset 1 and is required from opset 4; negative values count
// from the back from opset 11. Inputs may be empty along the axis.
#include <algorithm>
#include <optional>
#include <vector>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "tensor/tensor_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> concat_versions() {
  const std::map<std::string, AttrType> axis = {{"axis", AttrType::Int}};
  return {{1, 3, float_dtypes(), axis},
          {4, 10, all_dtypes(), axis},
          {11, 12, all_dtypes(), axis},  // negative axes
          {13, kOpsetOpen, all_dtypes_13(), axis}};
}

// ---- 2. attributes ----

template <class Ctx>
int64_t read_axis(const Attrs& attrs, int opset, Ctx& ctx) {
  if (opset < 4) return attrs.get_int("axis", 1);
  if (!attrs.has("axis")) ctx.fail("attribute 'axis' is required");
  return attrs.get_int("axis", 0);
}

template <class Ctx>
size_t normalize(int64_t axis, size_t rank, int opset, Ctx& ctx) {
  int64_t r = static_cast<int64_t>(rank);
  if (axis < (opset >= 11 ? -r : 0) || axis >= r)
    ctx.fail(cat("axis ", axis, " is out of range for rank ", rank));
  return static_cast<size_t>(axis < 0 ? axis + r : axis);
}

// ---- 3. shape rule ----

// The concatenated shape of concrete inputs; fails on mismatched dtypes, ranks or dims.
template <class Ctx>
Shape concat_shape(const std::vector<const Tensor*>& ins, size_t axis, Ctx& ctx) {
  Shape out = ins[0]->shape();
  out[axis] = 0;
  for (const Tensor* t : ins) {
    bool fits = t->dtype() == ins[0]->dtype() && t->shape().size() == out.size();
    for (size_t d = 0; fits && d < out.size(); ++d) fits = d == axis || t->shape()[d] == out[d];
    if (!fits)
      ctx.fail(cat("cannot concatenate ", t->describe(), " with ", ins[0]->describe(),
                   " along axis ", axis));
    out[axis] += t->shape()[axis];
  }
  return out;
}

void concat_into(const std::vector<const Tensor*>& ins, size_t axis, Tensor& out,
                 const ThreadPool* pool = nullptr);

void infer_concat(InferContext& ctx) {
  int64_t axis_attr = read_axis(Attrs(ctx.node(), ctx.label()), ctx.opset(), ctx);
  TypeInfo out = TypeInfo::tensor(DType::Undefined);
  std::optional<std::vector<Dim>> dims;
  size_t axis = 0;
  bool axis_known = true;
  int64_t axis_sum = 0;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    const TypeInfo& in = ctx.input(i);
    if (out.elem == DType::Undefined) out.elem = in.elem;
    if (in.elem != DType::Undefined && in.elem != out.elem)
      ctx.fail(cat("cannot concatenate: inputs differ in dtype: ", dtype_name(out.elem), " and ",
                   dtype_name(in.elem)));
    if (!in.shape) {
      axis_known = false;
      continue;
    }
    if (!dims) {
      dims = *in.shape;
      axis = normalize(axis_attr, dims->size(), ctx.opset(), ctx);
    }
    if (in.shape->size() != dims->size())
      ctx.fail(cat("cannot concatenate: inputs differ in rank: ", dims->size(), " and ",
                   in.shape->size()));
    for (size_t d = 0; d < dims->size(); ++d) {
      const Dim& a = (*dims)[d];
      const Dim& b = (*in.shape)[d];
      if (d == axis) {
        axis_known &= b.is_known();
        if (b.is_known()) axis_sum += b.value;
      } else if (a.is_known() && b.is_known() && a.value != b.value) {
        ctx.fail(
            cat("cannot concatenate: inputs differ in dim ", d, ": ", a.value, " and ", b.value));
      } else if (!a.is_known() && (b.is_known() || a.param.empty())) {
        (*dims)[d] = b;  // prefer known dims, then symbols
      }
    }
  }
  if (dims) (*dims)[axis] = axis_known ? Dim::known(axis_sum) : Dim{};
  out.shape = dims;
  // Fold small constant inputs (shape vectors built by exported models).
  std::vector<const Tensor*> constants;
  for (int i = 0; i < ctx.num_inputs(); ++i)
    if (const Tensor* c = ctx.constant(i)) constants.push_back(c);
  if (dims && constants.size() == static_cast<size_t>(ctx.num_inputs())) {
    Shape shape = concat_shape(constants, axis, ctx);
    if (checked_numel(shape) <= kMaxFoldElements) {
      Tensor folded(out.elem, shape);
      concat_into(constants, axis, folded);
      return ctx.set_output_constant(0, std::move(folded));
    }
  }
  ctx.set_output(0, out);
}

// ---- 4. compute ----

// Copies each input's slab, for every index over the dims before `axis`, into `out`.
// With a pool, large copies are cut into chunks that threads share.
void concat_into(const std::vector<const Tensor*>& ins, size_t axis, Tensor& out,
                 const ThreadPool* pool) {
  const Shape& shape = out.shape();
  int64_t outer = checked_numel(Shape(shape.begin(), shape.begin() + axis));
  int64_t inner = checked_numel(Shape(shape.begin() + axis + 1, shape.end()));
  dispatch_by_size(out.dtype(), "Concat", [&](auto tag) {
    using T = typename decltype(tag)::type;
    struct Copy {
      const T* src;
      T* dst;
      int64_t n;
    };
    constexpr int64_t kChunk = 16384;  // elements per task
    std::vector<Copy> copies;
    T* dst = static_cast<T*>(out.raw());
    for (int64_t o = 0; o < outer; ++o) {
      for (const Tensor* t : ins) {
        const int64_t n = t->shape()[axis] * inner;
        const T* src = static_cast<const T*>(t->raw()) + o * n;
        for (int64_t i = 0; i < n; i += kChunk)
          copies.push_back({src + i, dst + i, std::min(kChunk, n - i)});
        dst += n;
      }
    }
    auto copy_range = [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; ++c) std::copy_n(copies[c].src, copies[c].n, copies[c].dst);
    };
    const int64_t count = static_cast<int64_t>(copies.size());
    if (pool)
      pool->parallel_for(count, 4, copy_range);
    else
      copy_range(0, count);
  });
}

class ConcatKernel final : public Kernel {
 public:
  explicit ConcatKernel(const KernelInit& init)
      : axis_(read_axis(init.attrs(), init.opset(), init)), opset_(init.opset()) {
    if (init.num_inputs() < 1) init.fail("Concat needs at least one input");
  }

  void run(KernelContext& ctx) const override {
    std::vector<const Tensor*> ins;
    for (int i = 0; i < ctx.num_inputs(); ++i) ins.push_back(&ctx.input(i));
    size_t axis = normalize(axis_, ins[0]->shape().size(), opset_, ctx);
    const DType dtype = ins[0]->dtype();
    // Every element is copied in; strings need constructing first.
    Tensor& out = dtype == DType::String
                      ? ctx.allocate_output(0, dtype, concat_shape(ins, axis, ctx))
                      : ctx.allocate_uninitialized_output(0, dtype, concat_shape(ins, axis, ctx));
    concat_into(ins, axis, out, &ctx.pool());
  }

 private:
  int64_t axis_;
  int opset_;
};

}  // namespace

void register_concat(Registry& registry) {
  add_op_versions(registry, "Concat", concat_versions(), make_kernel<ConcatKernel>(), infer_concat);
}

}  // namespace onyx
