// PRelu: y = x < 0 ? slope * x : x, elementwise, with `slope` broadcast to X's shape.
//
// From opset 7 the slope broadcasts unidirectionally (numpy style, towards X). Opsets 1
// and 6 define a one-element slope as shared and, as Caffe2 and the PyTorch exporter
// did, a 1-D slope of X's channel count (dim 1) as per channel.
#include <functional>

#include "common/shape_utils.h"
#include "kernels/simd/elementwise.h"
#include "math/math.h"
#include "onyx/kernel.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> prelu_versions() {
  const std::vector<DType> f = float_dtypes();
  const std::vector<DType> f9 =
      with_dtypes(f, {DType::Int32, DType::Int64, DType::UInt32, DType::UInt64});
  return {{1, 5, f, {{"consumed_inputs", AttrType::Ints}}},
          {6, 6, f},
          {7, 8, f},
          {9, 15, f9},
          {16, kOpsetOpen, with_dtypes(f9, {DType::BFloat16})}};
}

// ---- 2. construction: no attributes beyond opset 1's ignored `consumed_inputs` ----

class PReluKernel final : public Kernel {
 public:
  explicit PReluKernel(const KernelInit& init)
      : legacy_(init.opset() < 7), fast_(!init.reference()) {
    DType x = init.input_dtype(0), slope = init.input_dtype(1);
    if (x != DType::Undefined && slope != DType::Undefined && x != slope)
      init.fail(cat("slope dtype ", dtype_name(slope), " differs from X's ", dtype_name(x)));
  }

  void run(KernelContext& ctx) const override;
  std::vector<OutputReuse> output_reuse() const override { return elementwise_over(); }

 private:
  bool legacy_;
  bool fast_;  // float runs through kernels::prelu
};

// ---- 3. shape rule: Y has X's type (infer_same_as_input) ----

// The shape the slope is read as: it must broadcast to X without changing X's shape.
template <class Ctx>
Shape slope_view(const Shape& x, const Shape& slope, bool legacy, Ctx& ctx) {
  Shape view = slope;
  if (legacy && checked_numel(slope) == 1) {
    view = {};
  } else if (legacy && slope.size() == 1 && x.size() >= 2 && slope[0] == x[1]) {
    view = Shape(x.size() - 1, 1);  // per channel: [C, 1, ..., 1]
    view[0] = slope[0];
  }
  bool ok = view.size() <= x.size();
  for (size_t i = 0; ok && i < view.size(); ++i) {
    int64_t d = view[view.size() - 1 - i];
    ok = d == 1 || d == x[x.size() - 1 - i];
  }
  if (!ok)
    ctx.fail(
        cat("slope ", shape_to_string(slope), " does not broadcast to X ", shape_to_string(x)));
  return view;
}

// ---- 4. compute ----

void PReluKernel::run(KernelContext& ctx) const {
  const Tensor& x = ctx.input(0);
  const Tensor& slope = ctx.input(1);
  if (slope.dtype() != x.dtype())
    ctx.fail(cat("slope ", slope.describe(), " and X ", x.describe(), " differ in dtype"));
  Shape view = slope_view(x.shape(), slope.shape(), legacy_, ctx);
  if (fast_ && x.dtype() == DType::Float) {
    Tensor& y = ctx.allocate_uninitialized_output(0, x.dtype(), x.shape());
    const float* px = x.data<float>();
    const float* ps = slope.data<float>();
    float* py = y.data<float>();
    BroadcastWalk walk({x.shape(), view}, x.shape());
    const int64_t n = walk.inner();
    const bool per_element = walk.step(1) != 0;
    const int64_t rows_per_task =
        std::max<int64_t>(1, kernels::kElementwiseGrain / std::max<int64_t>(n, 1));
    ctx.pool().parallel_for(walk.rows(), rows_per_task, [&](int64_t r0, int64_t r1) {
      walk.for_rows(r0, r1, [&](int64_t o, const int64_t* in) {
        if (per_element)
          kernels::prelu(px + in[0], ps + in[1], py + o, n);
        else
          kernels::prelu(px + in[0], ps[in[1]], py + o, n);
      });
    });
    return;
  }
  Tensor& y = ctx.allocate_output(0, x.dtype(), x.shape());
  dispatch<NumericTypes>(x.dtype(), "PRelu", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* px = x.data<T>();
    const T* ps = slope.data<T>();
    T* py = y.data<T>();
    auto prelu = [](T v, T s) -> T {
      if constexpr (std::is_unsigned_v<T>) {
        return v;  // never negative
      } else {
        using C = compute_t<T>;
        return static_cast<C>(v) < C(0) ? arith(s, v, std::multiplies<>{}) : v;
      }
    };
    BroadcastWalk walk({x.shape(), view}, x.shape());
    const int64_t n = walk.inner();
    const bool per_element = walk.step(1) != 0;
    walk.for_rows(0, walk.rows(), [&](int64_t o, const int64_t* in) {
      const T* rx = px + in[0];
      const T* rs = ps + in[1];
      if (per_element) {
        for (int64_t i = 0; i < n; ++i) py[o + i] = prelu(rx[i], rs[i]);
      } else {
        for (int64_t i = 0; i < n; ++i) py[o + i] = prelu(rx[i], *rs);
      }
    });
  });
}

}  // namespace

void register_prelu(Registry& registry) {
  add_op_versions(registry, "PRelu", prelu_versions(), make_kernel<PReluKernel>(),
                  infer_same_as_input);
}

}  // namespace onyx
