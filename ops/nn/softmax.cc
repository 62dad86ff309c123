// Softmax, LogSoftmax and Hardmax: normalizations over one slice of the input.
//
//   Softmax(x)_i    = exp(x_i - max) / sum_j exp(x_j - max)   (max keeps exp finite)
//   LogSoftmax(x)_i = x_i - max - log(sum_j exp(x_j - max))
//   Hardmax(x)_i    = 1 for the first i holding the max, else 0
//
// Which elements form a slice changed in opset 13. Opsets 1 and 11 coerce the input to
// 2-D, (d0 * .. * d(axis-1), d(axis) * .. * d(n-1)), and normalize each row (axis
// defaults to 1). Opset 13 normalizes along the single dim `axis` (default -1).
//
// Fast path (float Softmax and LogSoftmax): kernels::softmax_rows when each slice is
// contiguous, kernels::softmax_columns (vectorized across the inner dims) otherwise.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "common/shape_utils.h"
#include "kernels/simd/normalize.h"
#include "nn/nn.h"
#include "nn/nn_util.h"

namespace onyx {
namespace {

enum class Normalizer { Softmax, LogSoftmax, Hardmax };

class SoftmaxKernel : public Kernel {
 public:
  explicit SoftmaxKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;

 private:
  void run_fast(KernelContext& ctx, const float* x, float* y, int64_t outer, int64_t length,
                int64_t inner) const;

  std::string label_;
  Normalizer kind_ = Normalizer::Softmax;
  bool coerce_2d_ = false;  // opsets 1-12
  int64_t axis_ = -1;
  bool fast_ = false;  // float Softmax and LogSoftmax run through kernels/simd/normalize.h
};

void infer_softmax(InferContext& ctx);

}  // namespace

// ---- registration ----

void register_softmax(Registry& registry) {
  const std::vector<DType> floats = {DType::Float, DType::Double, DType::Float16};
  std::vector<DType> with_bf16 = floats;
  with_bf16.push_back(DType::BFloat16);
  for (const char* op : {"Softmax", "LogSoftmax", "Hardmax"}) {
    // 11 widened the accepted axis range to negative values; 13 changed the semantics.
    for (auto [since, until] : {std::pair{1, 10}, std::pair{11, 12}, std::pair{13, kOpsetOpen}}) {
      KernelDef def;
      def.op_type = op;
      def.since_version = since;
      def.until_version = until;
      def.dtypes = since >= 13 ? with_bf16 : floats;
      def.create = make_kernel<SoftmaxKernel>();
      def.infer = infer_softmax;
      def.attr_types = {{"axis", AttrType::Int}};
      registry.add(std::move(def));
    }
  }
}

// ---- construction ----

SoftmaxKernel::SoftmaxKernel(const KernelInit& init) : label_(init.label()) {
  const std::string& op = init.node().op_type;
  kind_ = op == "LogSoftmax" ? Normalizer::LogSoftmax
          : op == "Hardmax"  ? Normalizer::Hardmax
                             : Normalizer::Softmax;
  fast_ = !init.reference() && kind_ != Normalizer::Hardmax;
  coerce_2d_ = init.opset() < 13;
  axis_ = init.attrs().get_int("axis", coerce_2d_ ? 1 : -1);
  const TypeInfo& x = init.input_type(0);
  if (x.has_shape()) normalize_axis(axis_, static_cast<int>(x.shape->size()), label_);
}

// ---- shape rule ----

namespace {

void infer_softmax(InferContext& ctx) {
  const int64_t axis = Attrs(ctx.node(), ctx.label()).get_int("axis", ctx.opset() < 13 ? 1 : -1);
  const TypeInfo& x = ctx.input(0);
  if (x.has_shape()) normalize_axis(axis, static_cast<int>(x.shape->size()), ctx.label());
  infer_same_as_input(ctx);
}

}  // namespace

// ---- compute ----

void SoftmaxKernel::run(KernelContext& ctx) const {
  const Tensor& x = ctx.input(0);
  const int axis = normalize_axis(axis_, x.rank(), label_);
  // The input as (outer, L, inner): each (outer, inner) pair is one slice of L elements.
  int64_t outer = 1, length = 1, inner = 1;
  for (int d = 0; d < x.rank(); ++d) {
    if (d < axis) {
      outer *= x.dim(d);
    } else if (d == axis || coerce_2d_) {
      length *= x.dim(d);
    } else {
      inner *= x.dim(d);
    }
  }
  if (fast_ && x.dtype() == DType::Float) {
    Tensor& y = ctx.allocate_uninitialized_output(0, x.dtype(), x.shape());
    if (length == 0 || outer * inner == 0) return;  // no slices to normalize
    run_fast(ctx, x.data<float>(), y.data<float>(), outer, length, inner);
    return;
  }
  Tensor& y = ctx.allocate_output(0, x.dtype(), x.shape());
  if (length == 0) return;  // no slices to normalize

  dispatch<FloatTypes>(x.dtype(), "Softmax", [&](auto tag) {
    using T = typename decltype(tag)::type;
    using A = acc_t<T>;
    const T* px = x.data<T>();
    T* py = y.data<T>();
    ctx.pool().parallel_for(outer * inner, 64, [&](int64_t s0, int64_t s1) {
      for (int64_t s = s0; s < s1; ++s) {
        const int64_t base = (s / inner) * length * inner + s % inner;
        auto at = [&](int64_t l) { return base + l * inner; };
        int64_t arg = 0;  // first index of the max
        A max = static_cast<A>(px[at(0)]);
        for (int64_t l = 1; l < length; ++l) {
          const A v = static_cast<A>(px[at(l)]);
          if (v > max) {
            max = v;
            arg = l;
          }
        }
        if (kind_ == Normalizer::Hardmax) {
          for (int64_t l = 0; l < length; ++l) py[at(l)] = from_acc<T>(A(l == arg ? 1 : 0));
          continue;
        }
        A sum = 0;
        for (int64_t l = 0; l < length; ++l) sum += std::exp(static_cast<A>(px[at(l)]) - max);
        if (kind_ == Normalizer::LogSoftmax) {
          const A log_sum = std::log(sum);
          for (int64_t l = 0; l < length; ++l)
            py[at(l)] = from_acc<T>(static_cast<A>(px[at(l)]) - max - log_sum);
        } else {
          for (int64_t l = 0; l < length; ++l)
            py[at(l)] = from_acc<T>(std::exp(static_cast<A>(px[at(l)]) - max) / sum);
        }
      }
    });
  });
}

void SoftmaxKernel::run_fast(KernelContext& ctx, const float* x, float* y, int64_t outer,
                             int64_t length, int64_t inner) const {
  const bool log = kind_ == Normalizer::LogSoftmax;
  const ThreadPool& pool = ctx.pool();
  if (inner == 1) {
    const int64_t rows_per_task = std::max<int64_t>(1, kernels::kNormalizeGrain / length);
    pool.parallel_for(outer, rows_per_task, [&](int64_t r0, int64_t r1) {
      kernels::softmax_rows(x + r0 * length, y + r0 * length, r1 - r0, length, log);
    });
    return;
  }
  // Tasks are blocks of columns of one outer index's [length, inner] slab: whole slabs
  // unless there are fewer slabs than threads to share them, then narrower blocks (a
  // multiple of 16 columns, so vector loops keep full width).
  int64_t width = inner;
  const int64_t wanted = 2 * static_cast<int64_t>(pool.threads());
  if (pool.threads() > 1 && outer < wanted) {
    const int64_t blocks = (wanted + outer - 1) / outer;
    width = std::max<int64_t>(16, ((inner + blocks - 1) / blocks + 15) / 16 * 16);
  }
  const int64_t blocks_per_slab = (inner + width - 1) / width;
  const int64_t slab = length * inner;
  const int64_t tasks_per_grain = std::max<int64_t>(1, kernels::kNormalizeGrain / (length * width));
  pool.parallel_for(outer * blocks_per_slab, tasks_per_grain, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t o = t / blocks_per_slab, begin = (t % blocks_per_slab) * width;
      kernels::softmax_columns(x + o * slab, y + o * slab, length, inner, begin,
                               std::min(inner, begin + width), log);
    }
  });
}

}  // namespace onyx
