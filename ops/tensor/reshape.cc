// Reshape and Flatten: the same elements under a new shape. Both return a view of the
// input's buffer (no copy).
//
// Reshape's target comes from the `shape` attribute (opset 1) or input 1 (opset 5+).
// A 0 copies the input's dim at that index (or, with allowzero=1 from opset 14, means
// a real 0); one -1 is inferred from the element count. Flatten makes a 2-D
// [prod(dims before axis), prod(dims from axis)].
#include <map>
#include <optional>
#include <set>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "tensor/tensor_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> reshape_versions() {
  const std::map<std::string, AttrType> allowzero = {{"allowzero", AttrType::Int}};
  return {{1, 4, float_dtypes(), {{"shape", AttrType::Ints}, {"consumed_inputs", AttrType::Ints}}},
          {5, 12, all_dtypes()},
          {13, 13, all_dtypes_13()},
          {14, 18, all_dtypes_13(), allowzero},
          {19, 20, all_dtypes_ir(9), allowzero},            // float8
          {21, 22, all_dtypes_ir(10), allowzero},           // int4, uint4
          {23, 23, all_dtypes_ir(11), allowzero},           // float4e2m1
          {24, 24, all_dtypes_ir(12), allowzero},           // float8e8m0
          {25, kOpsetOpen, all_dtypes_ir(13), allowzero}};  // int2, uint2
}

std::vector<OpVersion> flatten_versions() {
  const std::map<std::string, AttrType> axis = {{"axis", AttrType::Int}};
  return {{1, 8, float_dtypes(), axis},
          {9, 10, all_dtypes(), axis},
          {11, 12, all_dtypes(), axis},  // negative axes
          {13, 20, all_dtypes_13(), axis},
          {21, 22, all_dtypes_ir(10), axis},           // float8, int4, uint4
          {23, 23, all_dtypes_ir(11), axis},           // float4e2m1
          {24, 24, all_dtypes_ir(12), axis},           // float8e8m0
          {25, kOpsetOpen, all_dtypes_ir(13), axis}};  // int2, uint2
}

// ---- 2. attributes ----

struct ReshapeParams {
  bool allowzero = false;
  std::optional<std::vector<int64_t>> shape;  // opset 1's attribute

  template <class Ctx>
  static ReshapeParams read(const Attrs& attrs, int opset, Ctx& ctx) {
    ReshapeParams p;
    if (opset < 5) {
      if (!attrs.has("shape")) ctx.fail("attribute 'shape' is required before opset 5");
      p.shape = attrs.get_ints("shape");
    }
    int64_t allowzero = attrs.get_int("allowzero", 0);
    if (allowzero != 0 && allowzero != 1)
      ctx.fail(cat("attribute 'allowzero' must be 0 or 1, got ", allowzero));
    p.allowzero = allowzero == 1;
    return p;
  }
};

// The target shape held by input 1 (opset 5+).
template <class Ctx>
std::vector<int64_t> shape_input(const Tensor& s, Ctx& ctx) {
  if (s.dtype() != DType::Int64 || s.rank() != 1)
    ctx.fail(cat("the shape input must be a 1-D int64 tensor, got ", s.describe()));
  return s.to_vector<int64_t>();
}

// Flatten's axis, in [0, rank]; negative values count from the back from opset 11.
template <class Ctx>
int flatten_axis(int64_t axis, int rank, int opset, Ctx& ctx) {
  int64_t lowest = opset >= 11 ? -rank : 0;
  if (axis < lowest || axis > rank)
    ctx.fail(cat("axis ", axis, " is out of range for rank ", rank));
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

// ---- 3. shape rules ----

// The concrete output shape of Reshape; fails through ctx when `spec` does not fit.
template <class Ctx>
Shape reshape_target(const Shape& in, const std::vector<int64_t>& spec, bool allowzero, Ctx& ctx) {
  Shape out(spec.size());
  int infer_at = -1;
  bool has_zero = false;
  for (size_t i = 0; i < spec.size(); ++i) {
    int64_t v = spec[i];
    if (v == -1) {
      if (infer_at >= 0) ctx.fail("the target shape has more than one -1");
      infer_at = static_cast<int>(i);
      out[i] = 1;
    } else if (v == 0 && !allowzero) {
      if (i >= in.size())
        ctx.fail(cat("target dim ", i, " is 0 (copy) but the input ", shape_to_string(in),
                     " has rank ", in.size()));
      out[i] = in[i];
    } else if (v < 0) {
      ctx.fail(cat("invalid target dim ", v));
    } else {
      has_zero |= v == 0;
      out[i] = v;
    }
  }
  if (allowzero && has_zero && infer_at >= 0)
    ctx.fail("with allowzero=1 the target shape cannot hold both 0 and -1");
  int64_t total = checked_numel(in);
  int64_t known = checked_numel(out);  // the -1 slot counts as 1
  if (infer_at >= 0) {
    if (known == 0 || total % known != 0)
      ctx.fail(cat("cannot infer the -1 in ", shape_to_string(spec), " for input ",
                   shape_to_string(in)));
    out[static_cast<size_t>(infer_at)] = total / known;
  } else if (known != total) {
    ctx.fail(cat("cannot reshape ", shape_to_string(in), " to ", shape_to_string(spec)));
  }
  return out;
}

// The same over symbolic dims. A -1 is still known when the input's symbols are exactly
// the ones the target copies (e.g. [N, 3, 4] to [0, -1] gives [N, 12]).
std::vector<Dim> reshape_dims(const std::optional<std::vector<Dim>>& in,
                              const std::vector<int64_t>& spec, bool allowzero, InferContext& ctx) {
  std::vector<Dim> out(spec.size());
  std::multiset<std::string> symbols;  // copied by the target
  Shape known_dims;                    // the target's known dims
  int infer_at = -1;
  bool all_known = true;
  for (size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] < -1 || (spec[i] == -1 && infer_at >= 0))
      ctx.fail(cat("invalid target shape ", shape_to_string(spec)));
    if (spec[i] == -1) {
      infer_at = static_cast<int>(i);
    } else if (spec[i] == 0 && !allowzero) {
      if (in && i >= in->size()) ctx.fail(cat("target dim ", i, " copies a dim the input lacks"));
      out[i] = in ? (*in)[i] : Dim{};
    } else {
      out[i] = Dim::known(spec[i]);
    }
    if (static_cast<int>(i) == infer_at) continue;
    if (out[i].is_known()) {
      known_dims.push_back(out[i].value);
    } else if (out[i].param.empty()) {
      all_known = false;
    } else {
      symbols.insert(out[i].param);
    }
  }
  if (infer_at < 0 || !in) return out;
  Shape in_dims;  // the input's known dims
  for (const Dim& d : *in) {
    if (d.is_known()) {
      in_dims.push_back(d.value);
    } else if (d.param.empty() || symbols.count(d.param) == 0) {
      all_known = false;
    } else {
      symbols.erase(symbols.find(d.param));
    }
  }
  if (!all_known || !symbols.empty()) return out;
  int64_t known = checked_numel(known_dims), total = checked_numel(in_dims);
  if (known > 0 && total % known == 0)
    out[static_cast<size_t>(infer_at)] = Dim::known(total / known);
  return out;
}

void infer_reshape(InferContext& ctx) {
  Attrs attrs(ctx.node(), ctx.label());
  ReshapeParams p = ReshapeParams::read(attrs, ctx.opset(), ctx);
  const TypeInfo& data = ctx.input(0);
  std::optional<std::vector<int64_t>> spec = p.shape;
  if (!spec && ctx.constant(1)) spec = shape_input(*ctx.constant(1), ctx);
  TypeInfo out = TypeInfo::tensor(data.elem);
  if (!spec) {  // unknown values; the rank is the shape input's length
    if (std::optional<int64_t> rank = declared_length(ctx.input(1)))
      out.shape = std::vector<Dim>(static_cast<size_t>(*rank));
    ctx.set_output(0, out);
    return;
  }
  if (std::optional<Shape> in = data.concrete_shape()) {
    Shape shape = reshape_target(*in, *spec, p.allowzero, ctx);
    if (const Tensor* c = ctx.constant(0)) return ctx.set_output_constant(0, c->reshaped(shape));
    ctx.set_output(0, TypeInfo::tensor_of(data.elem, shape));
    return;
  }
  out.shape = reshape_dims(data.shape, *spec, p.allowzero, ctx);
  ctx.set_output(0, out);
}

// Product of dims [begin, end): known, a lone symbol among 1s, or unknown.
Dim dims_product(const std::vector<Dim>& dims, size_t begin, size_t end) {
  Shape known;
  std::optional<Dim> symbol;
  for (size_t i = begin; i < end; ++i) {
    if (dims[i].is_known()) {
      known.push_back(dims[i].value);
    } else if (symbol) {
      return Dim{};
    } else {
      symbol = dims[i];
    }
  }
  if (!symbol) return Dim::known(checked_numel(known));
  return checked_numel(known) == 1 ? *symbol : Dim{};
}

void infer_flatten(InferContext& ctx) {
  const TypeInfo& in = ctx.input(0);
  TypeInfo out = TypeInfo::tensor(in.elem);
  if (in.shape) {
    int rank = static_cast<int>(in.shape->size());
    int64_t axis = Attrs(ctx.node(), ctx.label()).get_int("axis", 1);
    size_t a = static_cast<size_t>(flatten_axis(axis, rank, ctx.opset(), ctx));
    out.shape = std::vector<Dim>{dims_product(*in.shape, 0, a),
                                 dims_product(*in.shape, a, in.shape->size())};
  } else {
    out.shape = std::vector<Dim>(2);
  }
  if (const Tensor* c = ctx.constant(0)) {
    if (std::optional<Shape> s = out.concrete_shape())
      return ctx.set_output_constant(0, c->reshaped(*s));
  }
  ctx.set_output(0, out);
}

// ---- 4. compute: views of the input ----

class ReshapeKernel final : public Kernel {
 public:
  explicit ReshapeKernel(const KernelInit& init)
      : params_(ReshapeParams::read(init.attrs(), init.opset(), init)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    std::vector<int64_t> spec;
    if (params_.shape) {
      spec = *params_.shape;
    } else {
      spec = shape_input(ctx.input(1), ctx);
    }
    ctx.set_output(0, data.reshaped(reshape_target(data.shape(), spec, params_.allowzero, ctx)));
  }
  std::vector<OutputReuse> output_reuse() const override { return view_of_input0(); }

 private:
  ReshapeParams params_;
};

class FlattenKernel final : public Kernel {
 public:
  explicit FlattenKernel(const KernelInit& init)
      : axis_(init.attrs().get_int("axis", 1)), opset_(init.opset()) {
    const TypeInfo& in = init.input_type(0);
    if (in.shape) flatten_axis(axis_, static_cast<int>(in.shape->size()), opset_, init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    auto axis = x.shape().begin() + flatten_axis(axis_, x.rank(), opset_, ctx);
    int64_t outer = checked_numel(Shape(x.shape().begin(), axis));
    int64_t inner = checked_numel(Shape(axis, x.shape().end()));
    ctx.set_output(0, x.reshaped({outer, inner}));
  }
  std::vector<OutputReuse> output_reuse() const override { return view_of_input0(); }

 private:
  int64_t axis_;
  int opset_;
};

}  // namespace

void register_reshape(Registry& registry) {
  add_op_versions(registry, "Reshape", reshape_versions(), make_kernel<ReshapeKernel>(),
                  infer_reshape);
  add_op_versions(registry, "Flatten", flatten_versions(), make_kernel<FlattenKernel>(),
                  infer_flatten);
}

}  // namespace onyx
