// DynamicQuantizeLinear: quantizes float x to uint8 with a scale and zero point chosen from
// x's own range, widened to include 0:
//   lo = min(0, min(x)), hi = max(0, max(x)), y_scale = (hi - lo) / 255
//   y_zero_point = round_half_even(clamp(0 - lo / y_scale, 0, 255))
//   y = saturate(round_half_even(x / y_scale) + y_zero_point)
// When x is all zeros (or empty) the range is empty and y_scale is 1, as in the spec's
// reference, so y and y_zero_point are 0. NaN or infinite x has no finite range: an error.
#include <cmath>

#include "quant/quant.h"
#include "quant/quant_util.h"

namespace onyx {
namespace {

// (The op has no attributes; its registration is at the end of the file.)

// ---- 3. shape rule: y like x, y_scale and y_zero_point scalars ----

void infer_dynamic_quantize_linear(InferContext& ctx) {
  const TypeInfo& x = ctx.input(0);
  if (x.elem != DType::Undefined && x.elem != DType::Float)
    ctx.fail(cat("x must be float, got ", dtype_name(x.elem)));
  ctx.set_output(0, TypeInfo::tensor(DType::UInt8, x.shape));
  if (ctx.num_outputs() > 1) ctx.set_output(1, TypeInfo::tensor(DType::Float, std::vector<Dim>{}));
  if (ctx.num_outputs() > 2) ctx.set_output(2, TypeInfo::tensor(DType::UInt8, std::vector<Dim>{}));
}

// ---- 4. compute ----

class DynamicQuantizeLinearKernel final : public Kernel {
 public:
  explicit DynamicQuantizeLinearKernel(const KernelInit& init) {
    const DType x = init.input_dtype(0);
    if (x != DType::Undefined && x != DType::Float)
      init.fail(cat("x must be float, got ", dtype_name(x)));
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::Float) ctx.fail(cat("x must be float, got ", x.describe()));
    const float* px = x.data<float>();
    const int64_t n = x.numel();
    float lo = 0, hi = 0;  // the range always includes 0
    for (int64_t i = 0; i < n; ++i) {
      if (!std::isfinite(px[i]))
        ctx.fail(cat("x[", i, "] is ", px[i], "; a quantization range needs finite values"));
      lo = std::min(lo, px[i]);
      hi = std::max(hi, px[i]);
    }
    const float scale = hi == lo ? 1.0f : (hi - lo) / 255.0f;
    const float zero_point_fp = std::clamp(0.0f - lo / scale, 0.0f, 255.0f);
    const auto zero_point = static_cast<uint8_t>(round_half_even(zero_point_fp));

    uint8_t* py = ctx.allocate_output(0, DType::UInt8, x.shape()).data<uint8_t>();
    ctx.pool().parallel_for(n, 4096, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) py[i] = quantize_value<uint8_t>(px[i] / scale, zero_point);
    });
    if (ctx.has_output(1)) ctx.allocate_output(1, DType::Float, {}).data<float>()[0] = scale;
    if (ctx.has_output(2)) ctx.allocate_output(2, DType::UInt8, {}).data<uint8_t>()[0] = zero_point;
  }
};

}  // namespace

// ---- 1. registration ----

void register_dynamic_quantize_linear(Registry& registry) {
  add_op_versions(registry, "DynamicQuantizeLinear", {{11, kOpsetOpen, {DType::Float}}},
                  make_kernel<DynamicQuantizeLinearKernel>(), infer_dynamic_quantize_linear);
}

}  // namespace onyx
