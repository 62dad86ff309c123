// DequantizeLinear: y = (x - x_zero_point) * x_scale.
//
// The scale and zero point are per tensor (opset 10), per axis (13+: a 1-D scale along
// `axis`) or blocked (21+: `block_size`); quant_util.h maps them onto x. y is float up to
// opset 13 and has the scale's dtype (float, float16 or bfloat16) from 19. The difference
// x - x_zero_point is exact (in double, for integers); the product is computed in float. An
// int32 x's zero point, which the spec expects to be 0 or absent, is applied as given.
// Narrow x (int4/uint4 21+, float4e2m1 23+, int2/uint2 25+, float8 19+) is first widened
// to int8, uint8 or float; a float8 or float4 zero point is subtracted as a float.
#include "quant/quant.h"
#include "quant/quant_util.h"

namespace onyx {
namespace {

// ---- 1. registration: the dtypes of x per version ----

using DequantizeOutputTypes = type_list<float, float16_t, bfloat16_t>;
// x as the kernel reads it: narrow types widened to int8, uint8 or float.
using DequantizeInputTypes = type_list<int8_t, uint8_t, int16_t, uint16_t, int32_t, float>;

std::vector<DType> dequantize_x_dtypes(int opset) {
  std::vector<DType> out = {DType::Int8, DType::UInt8, DType::Int32};
  if (opset >= 19) out = with_dtypes(out, float8_dtypes());
  if (opset >= 21) out = with_dtypes(out, {DType::Int16, DType::UInt16, DType::UInt4, DType::Int4});
  if (opset >= 23) out = with_dtypes(out, {DType::Float4E2M1});
  if (opset >= 25) out = with_dtypes(out, {DType::UInt2, DType::Int2});
  return out;
}

// ---- 2. attributes ----

struct DequantizeAttrs {
  int64_t axis = 1;
  int64_t block_size = 0;
};

template <class Ctx>
DequantizeAttrs read_dequantize_attrs(const Node& node, const std::string& label, Ctx& ctx) {
  const Attrs attrs(node, label);
  DequantizeAttrs a;
  if (node.opset >= 13) a.axis = attrs.get_int("axis", 1);
  if (node.opset >= 21) {
    a.block_size = attrs.get_int("block_size", 0);
    if (a.block_size < 0) ctx.fail(cat("block_size must be non-negative, got ", a.block_size));
  }
  return a;
}

// Checks the dtypes of x, the scale and the zero point; returns y's (Undefined if unknown).
template <class Ctx>
DType dequantize_dtypes(DType x, DType scale, DType zero_point, int opset, Ctx& ctx) {
  check_quant_dtype(x, dequantize_x_dtypes(opset), "x", ctx);
  if (zero_point != DType::Undefined && x != DType::Undefined && zero_point != x)
    ctx.fail(
        cat("x_zero_point must have x's dtype ", dtype_name(x), ", got ", dtype_name(zero_point)));
  const std::vector<DType> scales =
      opset >= 19 ? std::vector<DType>{DType::Float, DType::Float16, DType::BFloat16}
                  : std::vector<DType>{DType::Float};
  check_quant_dtype(scale, scales, "x_scale", ctx);
  return opset >= 19 ? scale : DType::Float;
}

// ---- 3. shape rule: y has x's shape ----

void infer_dequantize_linear(InferContext& ctx) {
  const DequantizeAttrs a = read_dequantize_attrs(ctx.node(), ctx.label(), ctx);
  const TypeInfo& x = ctx.input(0);
  const bool has_zp = ctx.has_input(2);
  const DType y = dequantize_dtypes(
      x.elem, ctx.input(1).elem, has_zp ? ctx.input(2).elem : DType::Undefined, ctx.opset(), ctx);
  const std::optional<Shape> xs = x.concrete_shape(), ss = ctx.input(1).concrete_shape();
  const std::optional<Shape> zs = has_zp ? ctx.input(2).concrete_shape() : std::nullopt;
  if (xs && ss && (!has_zp || zs))
    quant_layout(*xs, *ss, zs ? &*zs : nullptr, a.axis, a.block_size, ctx.opset() < 13, ctx);
  ctx.set_output(0, TypeInfo::tensor(y, x.shape));
}

// ---- 4. compute ----

class DequantizeLinearKernel final : public Kernel {
 public:
  explicit DequantizeLinearKernel(const KernelInit& init)
      : opset_(init.opset()), attrs_(read_dequantize_attrs(init.node(), init.label(), init)) {
    dequantize_dtypes(init.input_dtype(0), init.input_dtype(1),
                      init.has_input(2) ? init.input_dtype(2) : DType::Undefined, opset_, init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& scale = ctx.input(1);
    const Tensor* zp = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    const DType y_dtype = dequantize_dtypes(x.dtype(), scale.dtype(),
                                            zp ? zp->dtype() : DType::Undefined, opset_, ctx);
    const QuantLayout layout = quant_layout(x.shape(), scale.shape(), zp ? &zp->shape() : nullptr,
                                            attrs_.axis, attrs_.block_size, opset_ < 13, ctx);
    const std::vector<double> scales = read_scales(scale, "x_scale", ctx);
    const std::vector<double> zero_points = zp ? read_zero_point_values(*zp, "x_zero_point", ctx)
                                               : std::vector<double>(scales.size(), 0.0);
    const Tensor wide = dtype_is_narrow(x.dtype()) ? widen(x) : x;
    Tensor& y = ctx.allocate_output(0, y_dtype, x.shape());
    const int64_t grain = std::max<int64_t>(1, 4096 / std::max<int64_t>(1, layout.inner));

    dispatch<DequantizeInputTypes>(wide.dtype(), "DequantizeLinear", [&](auto x_tag) {
      using X = typename decltype(x_tag)::type;
      dispatch<DequantizeOutputTypes>(y_dtype, "DequantizeLinear", [&](auto y_tag) {
        using Y = typename decltype(y_tag)::type;
        const X* px = wide.data<X>();
        Y* py = y.data<Y>();
        ctx.pool().parallel_for(layout.rows(), grain, [&](int64_t r0, int64_t r1) {
          layout.for_rows(r0, r1, [&](int64_t i, int64_t p) {
            const float diff = static_cast<float>(static_cast<double>(px[i]) - zero_points[p]);
            py[i] = Y(diff * static_cast<float>(scales[p]));
          });
        });
      });
    });
  }

 private:
  int opset_;
  DequantizeAttrs attrs_;
};

}  // namespace

void register_dequantize_linear(Registry& registry) {
  const std::map<std::string, AttrType> axis = {{"axis", AttrType::Int}};
  const std::map<std::string, AttrType> v21 = {{"axis", AttrType::Int},
                                               {"block_size", AttrType::Int}};
  add_op_versions(registry, "DequantizeLinear",
                  {{10, 12, dequantize_x_dtypes(10)},  // per tensor only
                   {13, 18, dequantize_x_dtypes(13), axis},
                   {19, 20, dequantize_x_dtypes(19), axis},  // float8 x, half scales
                   {21, 22, dequantize_x_dtypes(21), v21},   // 16-bit and 4-bit x, blocks
                   {23, 23, dequantize_x_dtypes(23), v21},   // float4e2m1 x
                   {24, 24, dequantize_x_dtypes(24), v21},
                   {25, 27, dequantize_x_dtypes(25), v21}},  // 2-bit x; not yet 28
                  make_kernel<DequantizeLinearKernel>(), infer_dequantize_linear);
}

}  // namespace onyx
