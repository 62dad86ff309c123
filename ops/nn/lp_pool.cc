// LpPool and GlobalLpPool: the p-norm of the input elements under a window, per (n, c)
// of X (N, C, D1..Dn):
//
//   Y = (sum over the window's input elements of |x|^p)^(1/p)
//
// LpPool slides a window like MaxPool/AveragePool (geometry in common/spatial.h; padding
// adds nothing to the sum); GlobalLpPool's window is all spatial dims, so Y has spatial
// dims 1. Opset 1 has a float p (default 2.0), opset 2 on an integer p (default 2).
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/dtype_lists.h"
#include "common/shape_utils.h"
#include "common/spatial.h"
#include "nn/nn.h"
#include "nn/nn_util.h"

namespace onyx {
namespace {

class LpPoolKernel : public Kernel {
 public:
  explicit LpPoolKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;

 private:
  std::string label_;
  bool global_ = false;  // GlobalLpPool
  WindowAttrs window_;   // LpPool
  double p_ = 2.0;
};

WindowAttrs read_lp_window(const Attrs& attrs, const std::string& label, const TypeInfo& x) {
  WindowAttrs w = read_window_attrs(attrs, label);
  if (w.kernel_shape.empty()) fail(label, ": attribute kernel_shape is required");
  if (x.has_shape() && x.shape->size() != w.kernel_shape.size() + 2)
    fail(label, ": X has rank ", x.shape->size(), " but kernel_shape has ", w.kernel_shape.size(),
         " dims (expected rank ", w.kernel_shape.size() + 2, ")");
  return w;
}

void infer_lp_pool(InferContext& ctx) {
  const TypeInfo& x = ctx.input(0);
  if (!x.has_shape()) {
    ctx.set_output(0, TypeInfo::tensor(x.elem));
    return;
  }
  if (x.shape->size() < 2)
    ctx.fail(cat("X must have rank 2 or more (N, C, ..), got rank ", x.shape->size()));
  std::vector<Dim> out = {(*x.shape)[0], (*x.shape)[1]};
  if (ctx.node().op_type == "GlobalLpPool") {
    out.resize(x.shape->size(), Dim::known(1));
  } else {
    const WindowAttrs w = read_lp_window(Attrs(ctx.node(), ctx.label()), ctx.label(), x);
    const std::vector<Dim> spatial(x.shape->begin() + 2, x.shape->end());
    for (const Dim& d : window_output_dims(w, spatial, w.kernel_shape, ctx.label()))
      out.push_back(d);
  }
  ctx.set_output(0, TypeInfo::tensor(x.elem, out));
}

}  // namespace

// ---- registration ----

void register_lp_pool(Registry& registry) {
  const std::vector<DType> f = float_dtypes();
  const std::vector<DType> f_bf16 = float_dtypes_bf16();  // version 22 of both
  auto create = make_kernel<LpPoolKernel>();
  add_op_versions(registry, "GlobalLpPool",
                  {{1, 1, f, {{"p", AttrType::Float}}},
                   {2, 21, f, {{"p", AttrType::Int}}},
                   {22, kOpsetOpen, f_bf16, {{"p", AttrType::Int}}}},
                  create, infer_lp_pool);
  // LpPool: 2 makes p an integer, 11 reworded the padding rules, 18 adds ceil_mode and
  // dilations.
  const std::map<std::string, AttrType> window = {{"auto_pad", AttrType::String},
                                                  {"kernel_shape", AttrType::Ints},
                                                  {"pads", AttrType::Ints},
                                                  {"strides", AttrType::Ints},
                                                  {"p", AttrType::Int}};
  std::map<std::string, AttrType> v1 = window, v18 = window;
  v1["p"] = AttrType::Float;
  v18["ceil_mode"] = AttrType::Int;
  v18["dilations"] = AttrType::Ints;
  add_op_versions(registry, "LpPool",
                  {{1, 1, f, v1},
                   {2, 10, f, window},
                   {11, 17, f, window},
                   {18, 21, f, v18},
                   {22, kOpsetOpen, f_bf16, v18}},
                  create, infer_lp_pool);
}

// ---- construction ----

LpPoolKernel::LpPoolKernel(const KernelInit& init)
    : label_(init.label()), global_(init.node().op_type == "GlobalLpPool") {
  const Attrs& attrs = init.attrs();
  if (init.opset() < 2)
    p_ = attrs.get_float("p", 2.0f);
  else
    p_ = static_cast<double>(attrs.get_int("p", 2));
  if (!(p_ > 0)) init.fail(cat("p must be positive, got ", p_));
  const TypeInfo& x = init.input_type(0);
  if (x.has_shape() && x.shape->size() < 2)
    init.fail(cat("X must have rank 2 or more (N, C, ..), got rank ", x.shape->size()));
  if (!global_) window_ = read_lp_window(attrs, label_, x);
}

// ---- compute ----

void LpPoolKernel::run(KernelContext& ctx) const {
  const Tensor& x = ctx.input(0);
  if (x.rank() < 2) ctx.fail(cat("X must have rank 2 or more (N, C, ..), got ", x.describe()));
  const Shape spatial(x.shape().begin() + 2, x.shape().end());
  std::vector<int64_t> kernel = window_.kernel_shape;
  WindowAttrs attrs = window_;
  if (global_) {  // one window over everything, no padding
    kernel = spatial;
    attrs = WindowAttrs{};
    attrs.kernel_shape = kernel;
  } else if (static_cast<size_t>(x.rank()) != kernel.size() + 2) {
    ctx.fail(
        cat("X must have rank ", kernel.size() + 2, " to match kernel_shape, got ", x.describe()));
  }
  const Window win = resolve_window(attrs, spatial, kernel, label_);
  const int64_t NC = x.dim(0) * x.dim(1), P = win.output_size(), S = win.input_size();
  Shape out_shape = {x.dim(0), x.dim(1)};
  for (int64_t d : win.output_dims()) out_shape.push_back(d);
  Tensor& y = ctx.allocate_output(0, x.dtype(), out_shape);

  dispatch<FloatTypes>(x.dtype(), global_ ? "GlobalLpPool" : "LpPool", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* px = x.data<T>();
    T* py = y.data<T>();
    std::vector<int64_t> taps;
    for (int64_t p = 0; p < P; ++p) {
      win.taps_of(p, taps);  // input offsets under output position p
      for (int64_t nc = 0; nc < NC; ++nc) {
        const T* plane = px + nc * S;
        double sum = 0;
        for (int64_t t : taps)
          if (t >= 0)
            sum += std::pow(std::fabs(static_cast<double>(static_cast<acc_t<T>>(plane[t]))), p_);
        py[nc * P + p] = from_acc<T>(static_cast<acc_t<T>>(std::pow(sum, 1.0 / p_)));
      }
    }
  });
}

}  // namespace onyx
