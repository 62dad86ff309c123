// ConstantOfShape: a tensor of the shape held by the 1-D int64 input, every element equal
// to the one-element `value` attribute (default: float 0). An empty shape gives a scalar;
// the value's dtype is the output's.
#include "common/element_access.h"
#include "common/shape_utils.h"
#include "generate/generate_ops.h"
#include "onyx/kernel.h"

namespace onyx {
namespace {

// ---- 1. registration ----

// Value dtypes per version: opset 20 adds bfloat16 and the float8 types, 21 int4 and
// uint4, 23 float4e2m1, 24 float8e8m0, 25 int2 and uint2.
std::vector<DType> value_dtypes(int opset) {
  std::vector<DType> out = gen::numeric_bool_dtypes();
  if (opset < 20) return out;
  out.push_back(DType::BFloat16);
  return with_dtypes(out, narrow_dtypes_ir(all_types_ir_at(opset)));
}

std::vector<OpVersion> constant_of_shape_versions() {
  const std::map<std::string, AttrType> attrs = {{"value", AttrType::Tensor}};
  return {{9, 19, {DType::Int64}, attrs},  {20, 20, {DType::Int64}, attrs},
          {21, 22, {DType::Int64}, attrs}, {23, 23, {DType::Int64}, attrs},
          {24, 24, {DType::Int64}, attrs}, {25, kOpsetOpen, {DType::Int64}, attrs}};
}

// ---- 2. attributes: the fill value ----

template <class Ctx>
Tensor fill_value(const Attrs& attrs, int opset, Ctx& ctx) {
  const Tensor* value = attrs.get_tensor("value");
  if (!value) return Tensor::scalar<float>(0.0f);
  if (value->numel() != 1)
    ctx.fail(cat("attribute 'value' must hold one element, got ", value->describe()));
  if (!dtype_listed(value_dtypes(opset), value->dtype()))
    ctx.fail(cat("attribute 'value' has dtype ", dtype_name(value->dtype()), ", which opset ",
                 opset, " does not allow"));
  return *value;
}

// ---- 3. shape rule ----

template <class Ctx>
Shape target_shape(const Tensor& shape, Ctx& ctx) {
  if (shape.dtype() != DType::Int64 || shape.rank() != 1)
    ctx.fail(cat("the shape input must be a 1-D int64 tensor, got ", shape.describe()));
  Shape out = shape.to_vector<int64_t>();
  for (int64_t d : out)
    if (d < 0) ctx.fail(cat("shape ", shape_to_string(out), " has a negative dim"));
  checked_numel(out);  // refuses sizes that overflow int64
  return out;
}

// A tensor of `shape` with every element a copy of `value`'s one element (packed types
// code by code, the padding bits past the last element left zero).
Tensor filled(const Tensor& value, const Shape& shape) {
  Tensor out(value.dtype(), shape);
  dispatch_by_storage(value.dtype(), "ConstantOfShape", [&](auto tag) {
    using E = ElementAccess<typename decltype(tag)::type>;
    const auto v = E::get(value.raw(), 0);
    for (int64_t i = 0; i < out.numel(); ++i) E::set(out.raw(), i, v);
  });
  return out;
}

void infer_constant_of_shape(InferContext& ctx) {
  Tensor value = fill_value(Attrs(ctx.node(), ctx.label()), ctx.opset(), ctx);
  TypeInfo out = TypeInfo::tensor(value.dtype());
  if (const Tensor* shape = ctx.constant(0)) {
    Shape s = target_shape(*shape, ctx);
    if (checked_numel(s) <= kMaxFoldElements) return ctx.set_output_constant(0, filled(value, s));
    return ctx.set_output(0, TypeInfo::tensor_of(value.dtype(), s));
  }
  if (std::optional<int64_t> rank = declared_length(ctx.input(0)))
    out.shape = std::vector<Dim>(static_cast<size_t>(*rank));
  ctx.set_output(0, out);
}

// ---- 4. compute ----

class ConstantOfShapeKernel final : public Kernel {
 public:
  explicit ConstantOfShapeKernel(const KernelInit& init)
      : value_(fill_value(init.attrs(), init.opset(), init)) {}

  void run(KernelContext& ctx) const override {
    ctx.set_output(0, filled(value_, target_shape(ctx.input(0), ctx)));
  }

 private:
  Tensor value_;
};

}  // namespace

void register_constant_of_shape(Registry& registry) {
  add_op_versions(registry, "ConstantOfShape", constant_of_shape_versions(),
                  make_kernel<ConstantOfShapeKernel>(), infer_constant_of_shape);
}

}  // namespace onyx
