// Squeeze and Unsqueeze: remove or insert size-1 dims. Both return a view of the input.
//
// The axes come from an attribute before opset 13 and from input 1 after; negative axes
// count from the back from opset 11. Unsqueeze's axes index the output (rank r + k).
// Squeeze without axes removes every size-1 dim; with axes, each named dim must be 1.
#include <map>
#include <optional>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "tensor/tensor_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> squeeze_versions() {
  const std::map<std::string, AttrType> axes = {{"axes", AttrType::Ints}};
  return {{1, 10, all_dtypes(), axes},           // axes as an attribute
          {11, 12, all_dtypes(), axes},          // negative axes
          {13, 20, all_dtypes_13()},             // axes become input 1
          {21, 22, all_dtypes_ir(10)},           // float8, int4, uint4
          {23, 23, all_dtypes_ir(11)},           // float4e2m1
          {24, 24, all_dtypes_ir(12)},           // float8e8m0
          {25, kOpsetOpen, all_dtypes_ir(13)}};  // int2, uint2
}

// ---- 2. attributes (and the axes input) ----

// The axes, or nullopt when omitted (allowed for Squeeze only).
template <class Ctx>
std::optional<std::vector<int64_t>> axes_attr(const Attrs& attrs, int opset, bool required,
                                              Ctx& ctx) {
  if (opset >= 13) return std::nullopt;
  if (!attrs.has("axes")) {
    if (required) ctx.fail("attribute 'axes' is required");
    return std::nullopt;
  }
  return attrs.get_ints("axes");
}

// Normalizes `axis` against `rank`; negative axes are refused before opset 11.
template <class Ctx>
size_t axis_index(int64_t axis, size_t rank, int opset, Ctx& ctx) {
  int64_t r = static_cast<int64_t>(rank);
  if (axis < (opset >= 11 ? -r : 0) || axis >= r)
    ctx.fail(cat("axis ", axis, " is out of range for rank ", rank));
  return static_cast<size_t>(axis < 0 ? axis + r : axis);
}

// ---- 3. shape rules, over concrete (int64_t) or symbolic (Dim) dims ----

inline int64_t one(int64_t) { return 1; }
inline Dim one(const Dim&) { return Dim::known(1); }
inline bool is_one(int64_t d) { return d == 1; }
inline bool is_one(const Dim& d) { return d.is_known() && d.value == 1; }
inline bool cannot_be_one(int64_t d) { return d != 1; }
inline bool cannot_be_one(const Dim& d) { return d.is_known() && d.value != 1; }

template <class D, class Ctx>
std::vector<D> unsqueeze_dims(const std::vector<D>& in, const std::vector<int64_t>& axes, int opset,
                              Ctx& ctx) {
  size_t rank = in.size() + axes.size();
  std::vector<bool> inserted(rank, false);
  for (int64_t axis : axes) {
    size_t a = axis_index(axis, rank, opset, ctx);
    if (inserted[a]) ctx.fail(cat("axis ", axis, " appears twice in axes"));
    inserted[a] = true;
  }
  std::vector<D> out;
  size_t next = 0;
  for (size_t i = 0; i < rank; ++i) out.push_back(inserted[i] ? one(D{}) : in[next++]);
  return out;
}

// With axes; without, see the callers (symbolic dims may or may not be 1).
template <class D, class Ctx>
std::vector<D> squeeze_dims(const std::vector<D>& in, const std::vector<int64_t>& axes, int opset,
                            Ctx& ctx) {
  std::vector<bool> removed(in.size(), false);
  for (int64_t axis : axes) {
    size_t a = axis_index(axis, in.size(), opset, ctx);
    if (removed[a]) ctx.fail(cat("axis ", axis, " appears twice in axes"));
    if (cannot_be_one(in[a])) ctx.fail(cat("cannot squeeze axis ", axis, ": its dim is not 1"));
    removed[a] = true;
  }
  std::vector<D> out;
  for (size_t i = 0; i < in.size(); ++i)
    if (!removed[i]) out.push_back(in[i]);
  return out;
}

// Axes from the attribute or from a constant input 1; nullopt when not known here.
std::optional<std::vector<int64_t>> known_axes(InferContext& ctx, bool required) {
  Attrs attrs(ctx.node(), ctx.label());
  if (ctx.opset() < 13) return axes_attr(attrs, ctx.opset(), required, ctx);
  if (const Tensor* c = ctx.constant(1)) return tensor_to_ints(*c, "axes", ctx);
  return std::nullopt;
}

template <bool kUnsqueeze>
void infer_squeeze(InferContext& ctx) {
  const TypeInfo& in = ctx.input(0);
  TypeInfo out = TypeInfo::tensor(in.elem);
  std::optional<std::vector<int64_t>> axes = known_axes(ctx, kUnsqueeze);
  bool no_axes = !axes && (ctx.opset() < 13 || !ctx.has_input(1));
  if (in.shape && axes) {
    out.shape = kUnsqueeze ? unsqueeze_dims(*in.shape, *axes, ctx.opset(), ctx)
                           : squeeze_dims(*in.shape, *axes, ctx.opset(), ctx);
  } else if (in.shape && kUnsqueeze && declared_length(ctx.input(1))) {
    // unknown axes: only the rank is known
    out.shape = std::vector<Dim>(in.shape->size() + *declared_length(ctx.input(1)));
  } else if (in.shape && !kUnsqueeze && no_axes) {
    std::vector<Dim> dims;
    for (const Dim& d : *in.shape) {
      if (!d.is_known()) return ctx.set_output(0, out);  // might be 1: rank unknown
      if (!is_one(d)) dims.push_back(d);
    }
    out.shape = dims;
  }
  if (const Tensor* c = ctx.constant(0)) {
    if (std::optional<Shape> s = out.concrete_shape())
      return ctx.set_output_constant(0, c->reshaped(*s));
  }
  ctx.set_output(0, out);
}

// ---- 4. compute: views of the input ----

template <bool kUnsqueeze>
class SqueezeKernel final : public Kernel {
 public:
  explicit SqueezeKernel(const KernelInit& init)
      : opset_(init.opset()), axes_(axes_attr(init.attrs(), opset_, kUnsqueeze, init)) {
    if (kUnsqueeze && opset_ >= 13 && !init.has_input(1)) init.fail("input 'axes' is required");
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    std::optional<std::vector<int64_t>> axes = axes_;
    if (opset_ >= 13 && ctx.has_input(1)) axes = tensor_to_ints(ctx.input(1), "axes", ctx);
    Shape shape;
    if (kUnsqueeze) {
      shape = unsqueeze_dims(x.shape(), *axes, opset_, ctx);
    } else if (axes) {
      shape = squeeze_dims(x.shape(), *axes, opset_, ctx);
    } else {
      for (int64_t d : x.shape())
        if (d != 1) shape.push_back(d);
    }
    ctx.set_output(0, x.reshaped(std::move(shape)));
  }
  std::vector<OutputReuse> output_reuse() const override { return view_of_input0(); }

 private:
  int opset_;
  std::optional<std::vector<int64_t>> axes_;  // the attribute (opset < 13)
};

}  // namespace

void register_squeeze(Registry& registry) {
  add_op_versions(registry, "Squeeze", squeeze_versions(), make_kernel<SqueezeKernel<false>>(),
                  infer_squeeze<false>);
  add_op_versions(registry, "Unsqueeze", squeeze_versions(), make_kernel<SqueezeKernel<true>>(),
                  infer_squeeze<true>);
}

}  // namespace onyx
