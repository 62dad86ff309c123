// QuantizeLinear: y = saturate(round_half_even(x / y_scale) + y_zero_point).
//
// The scale and zero point are per tensor (opset 10), per axis (13+: a 1-D scale along
// `axis`) or blocked (21+: `block_size`); quant_util.h maps them onto x. The output dtype is
// the zero point's, else `output_dtype` (21+), else uint8, and the result saturates to its
// range. The division runs in x's precision, as the spec's reference does: float for float,
// float rounded back to the half type for float16/bfloat16, double for int32 (23+: the
// `precision` attribute may ask for float instead).
//
// Float outputs (float8 from 19, float4e2m1 from 23) are x / y_scale rounded to the format,
// clamped to its largest value when `saturate` (float4e2m1 always is). As ONNX's reference
// does, float4e2m1 adds the zero point first and float8 ignores it (the spec requires 0).
#include "quant/quant.h"
#include "quant/quant_util.h"

namespace onyx {
namespace {

// ---- 1. registration: the dtypes of x and of y per version ----

using QuantizeInputTypes = type_list<float, float16_t, bfloat16_t, int32_t>;

std::vector<DType> quantize_x_dtypes(int opset) {
  if (opset >= 19) return {DType::Float, DType::Float16, DType::BFloat16, DType::Int32};
  return {DType::Float, DType::Int32};
}

std::vector<DType> quantize_y_dtypes(int opset) {
  std::vector<DType> out = {DType::Int8, DType::UInt8};
  if (opset >= 19) out = with_dtypes(out, float8_dtypes());
  if (opset >= 21) out = with_dtypes(out, {DType::Int16, DType::UInt16, DType::UInt4, DType::Int4});
  if (opset >= 23) out = with_dtypes(out, {DType::Float4E2M1});
  if (opset >= 25) out = with_dtypes(out, {DType::UInt2, DType::Int2});
  return out;
}

// ---- 2. attributes ----

struct QuantizeAttrs {
  int64_t axis = 1;
  int64_t block_size = 0;
  DType output_dtype = DType::Undefined;  // the output_dtype attribute (21+), when set
  bool saturate = true;                   // float8 outputs only
  bool float_precision = false;           // precision = FLOAT (23+): divide in float
};

template <class Ctx>
QuantizeAttrs read_quantize_attrs(const Node& node, const std::string& label, Ctx& ctx) {
  const Attrs attrs(node, label);
  const int opset = node.opset;
  QuantizeAttrs a;
  if (opset >= 13) a.axis = attrs.get_int("axis", 1);
  if (opset >= 19) {
    // saturate only changes float8 outputs; integers always saturate.
    const int64_t saturate = attrs.get_int("saturate", 1);
    if (saturate != 0 && saturate != 1) ctx.fail(cat("saturate must be 0 or 1, got ", saturate));
    a.saturate = saturate == 1;
  }
  if (opset >= 23) {
    const int64_t precision = attrs.get_int("precision", 0);
    if (precision != 0 && precision != static_cast<int64_t>(DType::Float))
      ctx.fail(cat("precision ", dtype_name_of_code(static_cast<int32_t>(precision)),
                   " is not supported (only float, or x's own precision when unset)"));
    a.float_precision = precision != 0;
  }
  if (opset >= 21) {
    a.block_size = attrs.get_int("block_size", 0);
    if (a.block_size < 0) ctx.fail(cat("block_size must be non-negative, got ", a.block_size));
    const int64_t code = attrs.get_int("output_dtype", 0);
    if (code != 0) {
      a.output_dtype = static_cast<DType>(code);
      check_quant_dtype(a.output_dtype, quantize_y_dtypes(opset), "output_dtype", ctx);
    }
  }
  return a;
}

// Checks x's and the scale's dtypes and returns y's: the zero point's, else output_dtype,
// else uint8. Undefined when the zero point is given but its dtype is not known yet.
template <class Ctx>
DType quantize_dtypes(DType x, DType scale, bool has_zero_point, DType zero_point,
                      const QuantizeAttrs& a, int opset, Ctx& ctx) {
  check_quant_dtype(x, quantize_x_dtypes(opset), "x", ctx);
  if (opset < 19 && scale != DType::Undefined && scale != DType::Float)
    ctx.fail(cat("y_scale must be float at this opset, got ", dtype_name(scale)));
  if (opset >= 19 && scale != DType::Undefined && x != DType::Undefined && scale != x)
    ctx.fail(cat("y_scale must have x's dtype ", dtype_name(x), ", got ", dtype_name(scale)));
  if (has_zero_point) {
    if (zero_point == DType::Undefined) return DType::Undefined;
    if (a.output_dtype != DType::Undefined && a.output_dtype != zero_point)
      ctx.fail(cat("output_dtype ", dtype_name(a.output_dtype), " does not match y_zero_point's ",
                   dtype_name(zero_point)));
    check_quant_dtype(zero_point, quantize_y_dtypes(opset), "y_zero_point", ctx);
    return zero_point;
  }
  return a.output_dtype != DType::Undefined ? a.output_dtype : DType::UInt8;
}

// ---- 3. shape rule: y has x's shape ----

void infer_quantize_linear(InferContext& ctx) {
  const QuantizeAttrs a = read_quantize_attrs(ctx.node(), ctx.label(), ctx);
  const TypeInfo& x = ctx.input(0);
  const bool has_zp = ctx.has_input(2);
  const DType y =
      quantize_dtypes(x.elem, ctx.input(1).elem, has_zp,
                      has_zp ? ctx.input(2).elem : DType::Undefined, a, ctx.opset(), ctx);
  const std::optional<Shape> xs = x.concrete_shape(), ss = ctx.input(1).concrete_shape();
  const std::optional<Shape> zs = has_zp ? ctx.input(2).concrete_shape() : std::nullopt;
  if (xs && ss && (!has_zp || zs))
    quant_layout(*xs, *ss, zs ? &*zs : nullptr, a.axis, a.block_size, ctx.opset() < 13, ctx);
  ctx.set_output(0, TypeInfo::tensor(y, x.shape));
}

// ---- 4. compute ----

// x / scale in x's precision, or in float (see the header comment).
template <class X>
double divide_by_scale(X x, double scale, bool in_float) {
  if constexpr (std::is_same_v<X, int32_t>) {
    if (in_float) return static_cast<float>(x) / static_cast<float>(scale);
    return static_cast<double>(x) / scale;
  } else {
    float q = static_cast<float>(x) / static_cast<float>(scale);
    if constexpr (!std::is_same_v<X, float>)
      if (!in_float) q = static_cast<float>(X(q));
    return q;
  }
}

// What the kernel writes: y itself, or for a narrow y (int4, float8, ...) its wide type
// (int8, uint8, float) that narrow_into then packs or rounds.
using QuantizeStoreTypes = type_list<int8_t, uint8_t, int16_t, uint16_t, float>;

class QuantizeLinearKernel final : public Kernel {
 public:
  explicit QuantizeLinearKernel(const KernelInit& init)
      : opset_(init.opset()), attrs_(read_quantize_attrs(init.node(), init.label(), init)) {
    const bool has_zp = init.has_input(2);
    quantize_dtypes(init.input_dtype(0), init.input_dtype(1), has_zp,
                    has_zp ? init.input_dtype(2) : DType::Undefined, attrs_, opset_, init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& scale = ctx.input(1);
    const Tensor* zp = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    const DType y_dtype = quantize_dtypes(x.dtype(), scale.dtype(), zp != nullptr,
                                          zp ? zp->dtype() : DType::Undefined, attrs_, opset_, ctx);
    const QuantLayout layout = quant_layout(x.shape(), scale.shape(), zp ? &zp->shape() : nullptr,
                                            attrs_.axis, attrs_.block_size, opset_ < 13, ctx);
    const std::vector<double> scales = read_scales(scale, "y_scale", ctx);
    check_divisor_scales(scales, "y_scale", ctx);
    const std::vector<double> zero_points = zp ? read_zero_point_values(*zp, "y_zero_point", ctx)
                                               : std::vector<double>(scales.size(), 0.0);
    Tensor& y = ctx.allocate_output(0, y_dtype, x.shape());
    const bool narrow = dtype_is_narrow(y_dtype);
    Tensor wide = narrow ? Tensor::uninitialized(widened_dtype(y_dtype), x.shape()) : y;
    const std::pair<int64_t, int64_t> range =
        dtype_info(y_dtype).is_integer ? quant_int_range(y_dtype) : std::pair<int64_t, int64_t>{};
    const bool add_float_zero_point = y_dtype == DType::Float4E2M1;  // float8 ignores it
    const int64_t grain = std::max<int64_t>(1, 4096 / std::max<int64_t>(1, layout.inner));

    dispatch<QuantizeInputTypes>(x.dtype(), "QuantizeLinear", [&](auto x_tag) {
      using X = typename decltype(x_tag)::type;
      dispatch<QuantizeStoreTypes>(wide.dtype(), "QuantizeLinear", [&](auto y_tag) {
        using Q = typename decltype(y_tag)::type;
        const X* px = x.data<X>();
        Q* py = wide.data<Q>();
        ctx.pool().parallel_for(layout.rows(), grain, [&](int64_t r0, int64_t r1) {
          layout.for_rows(r0, r1, [&](int64_t i, int64_t p) {
            const double v = divide_by_scale(px[i], scales[p], attrs_.float_precision);
            if constexpr (std::is_same_v<Q, float>)
              py[i] = static_cast<float>(v) +
                      (add_float_zero_point ? static_cast<float>(zero_points[p]) : 0.0f);
            else
              py[i] = static_cast<Q>(quantize_in_range(v, zero_points[p], range));
          });
        });
      });
    });
    if (narrow) narrow_into(wide, y, {.saturate = attrs_.saturate});
  }

 private:
  int opset_;
  QuantizeAttrs attrs_;
};

}  // namespace

void register_quantize_linear(Registry& registry) {
  const std::map<std::string, AttrType> axis = {{"axis", AttrType::Int}};
  const std::map<std::string, AttrType> v19 = {{"axis", AttrType::Int},
                                               {"saturate", AttrType::Int}};
  const std::map<std::string, AttrType> v21 = {{"axis", AttrType::Int},
                                               {"saturate", AttrType::Int},
                                               {"block_size", AttrType::Int},
                                               {"output_dtype", AttrType::Int}};
  std::map<std::string, AttrType> v23 = v21;
  v23["precision"] = AttrType::Int;
  add_op_versions(registry, "QuantizeLinear",
                  {{10, 12, quantize_x_dtypes(10)},  // per tensor only
                   {13, 18, quantize_x_dtypes(13), axis},
                   {19, 20, quantize_x_dtypes(19), v19},  // half x, float8 y, saturate
                   {21, 22, quantize_x_dtypes(21), v21},  // 16-bit and 4-bit y, blocks
                   {23, 23, quantize_x_dtypes(23), v23},  // float4e2m1 y, precision
                   {24, 24, quantize_x_dtypes(24), v23},
                   {25, 27, quantize_x_dtypes(25), v23}},  // 2-bit y; not yet 28
                  make_kernel<QuantizeLinearKernel>(), infer_quantize_linear);
}

}  // namespace onyx
