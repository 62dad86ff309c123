// GlobalAveragePool and GlobalMaxPool: reduce all spatial dims of X (N, C, D1..Dn) to 1.
//
//   Y[n, c, 1, .., 1] = mean (or max) of X[n, c, :, .., :]
#include <algorithm>
#include <string>
#include <type_traits>
#include <vector>

#include "common/dtype_lists.h"
#include "common/shape_utils.h"
#include "kernels/simd/elementwise.h"
#include "nn/nn.h"
#include "nn/nn_util.h"

namespace onyx {
namespace {

class GlobalPoolKernel : public Kernel {
 public:
  explicit GlobalPoolKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;

 private:
  std::string label_;
  bool max_ = false;  // GlobalMaxPool, else GlobalAveragePool
  bool reference_ = false;
};

void infer_global_pool(InferContext& ctx);

}  // namespace

// ---- registration ----

void register_global_pool(Registry& registry) {
  // Version 22 of both only added bfloat16.
  for (const char* op : {"GlobalAveragePool", "GlobalMaxPool"}) {
    add_op_versions(registry, op, {{1, 21, float_dtypes()}, {22, kOpsetOpen, float_dtypes_bf16()}},
                    make_kernel<GlobalPoolKernel>(), infer_global_pool);
  }
}

// ---- construction ----

GlobalPoolKernel::GlobalPoolKernel(const KernelInit& init)
    : label_(init.label()),
      max_(init.node().op_type == "GlobalMaxPool"),
      reference_(init.reference()) {
  const TypeInfo& x = init.input_type(0);
  if (x.has_shape() && x.shape->size() < 2)
    init.fail(cat("X must have rank 2 or more (N, C, ..), got rank ", x.shape->size()));
}

// ---- shape rule ----

namespace {

void infer_global_pool(InferContext& ctx) {
  const TypeInfo& x = ctx.input(0);
  if (!x.has_shape()) {
    ctx.set_output(0, TypeInfo::tensor(x.elem));
    return;
  }
  if (x.shape->size() < 2)
    ctx.fail(cat("X must have rank 2 or more (N, C, ..), got rank ", x.shape->size()));
  std::vector<Dim> out = *x.shape;
  for (size_t i = 2; i < out.size(); ++i) out[i] = Dim::known(1);
  ctx.set_output(0, TypeInfo::tensor(x.elem, out));
}

}  // namespace

// ---- compute ----

void GlobalPoolKernel::run(KernelContext& ctx) const {
  const Tensor& x = ctx.input(0);
  if (x.rank() < 2) ctx.fail(cat("X must have rank 2 or more (N, C, ..), got ", x.describe()));
  const int64_t NC = x.dim(0) * x.dim(1);
  const int64_t S = checked_numel(Shape(x.shape().begin() + 2, x.shape().end()));
  if (S == 0 && NC > 0) ctx.fail(cat("X has no spatial elements to pool: ", x.describe()));
  Shape out_shape = x.shape();
  for (size_t i = 2; i < out_shape.size(); ++i) out_shape[i] = 1;
  Tensor& y = ctx.allocate_output(0, x.dtype(), out_shape);

  dispatch<FloatTypes>(x.dtype(), max_ ? "GlobalMaxPool" : "GlobalAveragePool", [&](auto tag) {
    using T = typename decltype(tag)::type;
    using A = acc_t<T>;
    const T* px = x.data<T>();
    T* py = y.data<T>();
    // Planes are independent: chunks of about 32K elements per task.
    const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(S, 1));
    ctx.pool().parallel_for(NC, grain, [&](int64_t nc0, int64_t nc1) {
      for (int64_t nc = nc0; nc < nc1; ++nc) {
        const T* plane = px + nc * S;
        if constexpr (std::is_same_v<T, float>) {
          if (!max_ && !reference_) {  // a vector sum, in another order
            py[nc] = kernels::sum(plane, S) / static_cast<float>(S);
            continue;
          }
        }
        A result = static_cast<A>(plane[0]);
        for (int64_t s = 1; s < S; ++s) {
          const A v = static_cast<A>(plane[s]);
          if (max_) {
            if (v > result) result = v;
          } else {
            result += v;
          }
        }
        py[nc] = from_acc<T>(max_ ? result : result / static_cast<A>(S));
      }
    });
  });
}

}  // namespace onyx
