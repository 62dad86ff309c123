// MaxPool and AveragePool: a window slides over the spatial dims of X (N, C, D1..Dn) and
// each output element reduces the input elements under it, per (n, c).
//
//   MaxPool      Y = max over the window's input elements (padding never wins);
//                Indices (opset 8+) = the flat index of that element in X, counting
//                (n, c) and the spatial dims row-major (storage_order 0) or the spatial
//                dims column-major (storage_order 1); the first maximum wins ties.
//   AveragePool  Y = sum over the window's input elements / count, where count is the
//                number of input elements (count_include_pad 0, the only choice in
//                opset 1) or also the padding elements (count_include_pad 1, opset 7+).
//                Window taps past the end padding (ceil_mode) never count.
//
// Window geometry (auto_pad, pads, strides, dilations, ceil_mode) is common/spatial.h.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/dtype_lists.h"
#include "common/parallel.h"
#include "common/spatial.h"
#include "kernels/pool/pool2d.h"
#include "nn/nn.h"
#include "nn/nn_util.h"

namespace onyx {
namespace {

using MaxPoolTypes = type_list<float, double, float16_t, bfloat16_t, int8_t, uint8_t>;

class PoolKernel : public Kernel {
 public:
  explicit PoolKernel(const KernelInit& init);
  void run(KernelContext& ctx) const override;

 private:
  std::string label_;
  bool max_ = false;  // MaxPool, else AveragePool
  WindowAttrs window_;
  bool count_include_pad_ = false;
  bool column_major_ = false;  // MaxPool storage_order = 1
  bool fast_ = false;          // float 2-D pooling without Indices may take kernels::pool2d
};

void infer_pool(InferContext& ctx);

}  // namespace

// ---- registration ----

void register_pool(Registry& registry) {
  const std::vector<DType> floats = float_dtypes();
  const std::vector<DType> with_bytes = with_dtypes(floats, {DType::Int8, DType::UInt8});
  const std::map<std::string, AttrType> window_attrs = {{"auto_pad", AttrType::String},
                                                        {"kernel_shape", AttrType::Ints},
                                                        {"pads", AttrType::Ints},
                                                        {"strides", AttrType::Ints}};
  // MaxPool: 8 adds Indices and storage_order, 10 ceil_mode and dilations, 11 reworded
  // the padding rules, 12 int8/uint8, 22 bfloat16.
  for (auto [since, until] : {std::pair{1, 7}, std::pair{8, 9}, std::pair{10, 10},
                              std::pair{11, 11}, std::pair{12, 21}, std::pair{22, kOpsetOpen}}) {
    KernelDef def;
    def.op_type = "MaxPool";
    def.since_version = since;
    def.until_version = until;
    def.dtypes = since >= 22   ? with_dtypes(with_bytes, {DType::BFloat16})
                 : since >= 12 ? with_bytes
                               : floats;
    def.create = make_kernel<PoolKernel>();
    def.infer = infer_pool;
    def.attr_types = window_attrs;
    if (since >= 8) def.attr_types["storage_order"] = AttrType::Int;
    if (since >= 10) def.attr_types["ceil_mode"] = AttrType::Int;
    if (since >= 10) def.attr_types["dilations"] = AttrType::Ints;
    registry.add(std::move(def));
  }
  // AveragePool: 7 adds count_include_pad, 10 ceil_mode, 11 reworded the padding rules,
  // 19 dilations, 22 bfloat16.
  for (auto [since, until] : {std::pair{1, 6}, std::pair{7, 9}, std::pair{10, 10},
                              std::pair{11, 18}, std::pair{19, 21}, std::pair{22, kOpsetOpen}}) {
    KernelDef def;
    def.op_type = "AveragePool";
    def.since_version = since;
    def.until_version = until;
    def.dtypes = since >= 22 ? float_dtypes_bf16() : floats;
    def.create = make_kernel<PoolKernel>();
    def.infer = infer_pool;
    def.attr_types = window_attrs;
    if (since >= 7) def.attr_types["count_include_pad"] = AttrType::Int;
    if (since >= 10) def.attr_types["ceil_mode"] = AttrType::Int;
    if (since >= 19) def.attr_types["dilations"] = AttrType::Ints;
    registry.add(std::move(def));
  }
}

// ---- construction ----

namespace {

// Pooling needs kernel_shape, and X must be (N, C) plus one dim per kernel dim.
WindowAttrs read_pool_attrs(const Attrs& attrs, const std::string& label, const TypeInfo& x) {
  WindowAttrs w = read_window_attrs(attrs, label);
  if (w.kernel_shape.empty()) fail(label, ": attribute kernel_shape is required");
  if (x.has_shape() && x.shape->size() != w.kernel_shape.size() + 2)
    fail(label, ": X has rank ", x.shape->size(), " but kernel_shape has ", w.kernel_shape.size(),
         " dims (expected rank ", w.kernel_shape.size() + 2, ")");
  return w;
}

}  // namespace

PoolKernel::PoolKernel(const KernelInit& init)
    : label_(init.label()),
      max_(init.node().op_type == "MaxPool"),
      window_(read_pool_attrs(init.attrs(), label_, init.input_type(0))) {
  const Attrs& attrs = init.attrs();
  if (max_) {
    // storage_order exists from opset 8, count_include_pad (below) from opset 7.
    const int64_t order = init.opset() >= 8 ? attrs.get_int("storage_order", 0) : 0;
    if (order != 0 && order != 1) init.fail(cat("storage_order must be 0 or 1, got ", order));
    column_major_ = order == 1;
    const int max_outputs = init.opset() >= 8 ? 2 : 1;
    if (init.num_outputs() > max_outputs)
      init.fail(cat("MaxPool-", init.opset(), " has at most ", max_outputs, " outputs"));
  } else {
    const int64_t include = init.opset() >= 7 ? attrs.get_int("count_include_pad", 0) : 0;
    if (include != 0 && include != 1)
      init.fail(cat("count_include_pad must be 0 or 1, got ", include));
    count_include_pad_ = include == 1;
    if (init.num_outputs() > 1) init.fail("AveragePool has one output");
  }
  fast_ = !init.reference() && window_.kernel_shape.size() == 2 &&
          !(max_ && init.num_outputs() > 1 && init.node().outputs[1] != kNoValue);
}

// ---- shape rule ----

namespace {

void infer_pool(InferContext& ctx) {
  const TypeInfo& x = ctx.input(0);
  const WindowAttrs w = read_pool_attrs(Attrs(ctx.node(), ctx.label()), ctx.label(), x);
  std::optional<std::vector<Dim>> out;
  if (x.has_shape()) {
    const std::vector<Dim>& xs = *x.shape;
    out = std::vector<Dim>{xs[0], xs[1]};
    const std::vector<Dim> spatial(xs.begin() + 2, xs.end());
    for (const Dim& d : window_output_dims(w, spatial, w.kernel_shape, ctx.label()))
      out->push_back(d);
  }
  ctx.set_output(0, TypeInfo::tensor(x.elem, out));
  if (ctx.num_outputs() > 1) ctx.set_output(1, TypeInfo::tensor(DType::Int64, out));
}

}  // namespace

// ---- compute ----

void PoolKernel::run(KernelContext& ctx) const {
  const Tensor& x = ctx.input(0);
  const size_t rank = window_.kernel_shape.size() + 2;
  if (static_cast<size_t>(x.rank()) != rank)
    ctx.fail(cat("X must have rank ", rank, " to match kernel_shape, got ", x.describe()));
  const Shape spatial(x.shape().begin() + 2, x.shape().end());
  const Window win = resolve_window(window_, spatial, window_.kernel_shape, label_);
  const int64_t NC = x.dim(0) * x.dim(1), P = win.output_size(), S = win.input_size();
  Shape out_shape = {x.dim(0), x.dim(1)};
  for (int64_t d : win.output_dims()) out_shape.push_back(d);
  if (fast_ && x.dtype() == DType::Float) {
    auto axis = [](const AxisWindow& a) {
      return kernels::PoolAxis{a.in, a.kernel, a.stride, a.dilation, a.pad_begin, a.pad_end, a.out};
    };
    const kernels::PoolKind kind = max_                 ? kernels::PoolKind::Max
                                   : count_include_pad_ ? kernels::PoolKind::AverageIncludingPad
                                                        : kernels::PoolKind::Average;
    Tensor& y = ctx.allocate_uninitialized_output(0, x.dtype(), out_shape);
    if (kernels::pool2d(kind, axis(win.axes()[0]), axis(win.axes()[1]), NC, x.data<float>(),
                        y.data<float>(), parallel_of(ctx.pool())))
      return;
    // Some window covers no input: the reference loop below reports which.
  }
  Tensor& y = ctx.allocate_output(0, x.dtype(), out_shape);
  int64_t* indices = nullptr;
  if (max_ && ctx.num_outputs() > 1)
    indices = ctx.allocate_output(1, DType::Int64, out_shape).data<int64_t>();

  // A window without any input element has no maximum or average.
  auto empty_window = [&](int64_t p) {
    ctx.fail(cat("pooling window ", p,
                 " covers no input element (padding or dilation too "
                 "large for input ",
                 x.describe(), ")"));
  };

  dispatch<MaxPoolTypes>(x.dtype(), max_ ? "MaxPool" : "AveragePool", [&](auto tag) {
    using T = typename decltype(tag)::type;
    using A = acc_t<T>;
    const T* px = x.data<T>();
    T* py = y.data<T>();
    // Chunks of output positions are independent: each writes its own Y elements.
    ctx.pool().parallel_for(P, 16, [&](int64_t p0, int64_t p1) {
      std::vector<int64_t> taps;
      for (int64_t p = p0; p < p1; ++p) {
        win.taps_of(p, taps);  // input offsets under output position p
        for (int64_t nc = 0; nc < NC; ++nc) {
          const T* plane = px + nc * S;
          if (max_) {
            int64_t best = -1;
            for (int64_t t : taps) {
              if (t >= 0 && (best < 0 || static_cast<A>(plane[t]) > static_cast<A>(plane[best])))
                best = t;
            }
            if (best < 0) empty_window(p);
            py[nc * P + p] = plane[best];
            if (indices)
              indices[nc * P + p] = nc * S + (column_major_ ? win.column_major(best) : best);
          } else {
            A sum = 0;
            int64_t count = 0;
            for (int64_t t : taps) {
              if (t >= 0) sum += static_cast<A>(plane[t]);
              if (t >= 0 || (t == kTapPadding && count_include_pad_)) ++count;
            }
            if (count == 0) empty_window(p);
            py[nc * P + p] = from_acc<T>(sum / static_cast<A>(count));
          }
        }
      }
    });
  });
}

}  // namespace onyx
