// Where: out = condition ? X : Y elementwise, the three inputs broadcast numpy style.
// condition is bool; X and Y have one dtype, any (strings too), which the output takes.
#include "logic/logic.h"

namespace onyx {
namespace {

// ---- 1. registration: the dtypes are X's (input 1) ----

std::vector<OpVersion> where_versions() {
  std::vector<DType> all = dtypes_of(AllTypes{});
  std::vector<DType> v9;
  for (DType t : all)
    if (t != DType::BFloat16) v9.push_back(t);
  return {{9, 15, v9}, {16, kOpsetOpen, all}};  // complex64/128 are not stored by this build
}

// ---- 2. attributes: none ----

// ---- 3. shape rule ----

template <class Ctx>
void check_types(DType condition, DType x, DType y, Ctx& ctx) {
  if (condition != DType::Undefined && condition != DType::Bool)
    ctx.fail(cat("condition must be bool, got ", dtype_name(condition)));
  check_same_dtype(x, y, ctx);
}

template <class Ctx>
Shape output_shape(const Tensor& c, const Tensor& x, const Tensor& y, Ctx& ctx) {
  Shape shape = LegacyBroadcast::broadcast_or_fail(c.shape(), x.shape(), ctx);
  return LegacyBroadcast::broadcast_or_fail(shape, y.shape(), ctx);
}

void compute(const Tensor& c, const Tensor& x, const Tensor& y, Tensor& out);

void infer_where(InferContext& ctx) {
  if (ctx.num_inputs() != 3) ctx.fail(cat("takes 3 inputs, got ", ctx.num_inputs()));
  check_types(ctx.input(0).elem, ctx.input(1).elem, ctx.input(2).elem, ctx);
  infer_variadic_elementwise(ctx, true, ctx.input(1).elem);
  const Tensor* c = ctx.constant(0);
  const Tensor* x = ctx.constant(1);
  const Tensor* y = ctx.constant(2);
  if (!c || !x || !y || c->dtype() != DType::Bool || x->dtype() != y->dtype()) return;
  Shape shape = output_shape(*c, *x, *y, ctx);
  if (!foldable(shape)) return;
  Tensor out(x->dtype(), shape);
  compute(*c, *x, *y, out);
  ctx.set_output_constant(0, std::move(out));
}

// ---- 4. compute ----

void compute(const Tensor& c, const Tensor& x, const Tensor& y, Tensor& out) {
  // Picking copies elements whole, so one loop per element width serves every dtype.
  dispatch_by_size(x.dtype(), "Where", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const bool* pc = c.data<bool>();
    const T* px = static_cast<const T*>(x.raw());
    const T* py = static_cast<const T*>(y.raw());
    T* po = static_cast<T*>(out.raw());
    BroadcastWalk walk({c.shape(), x.shape(), y.shape()}, out.shape());
    const int64_t n = walk.inner();
    const int64_t sc = walk.step(0), sx = walk.step(1), sy = walk.step(2);
    walk.for_rows(0, walk.rows(), [&](int64_t o, const int64_t* in) {
      for (int64_t i = 0; i < n; ++i)
        po[o + i] = pc[in[0] + i * sc] ? px[in[1] + i * sx] : py[in[2] + i * sy];
    });
  });
}

class WhereKernel final : public Kernel {
 public:
  explicit WhereKernel(const KernelInit& init) {
    if (init.num_inputs() != 3) init.fail(cat("takes 3 inputs, got ", init.num_inputs()));
    check_types(init.input_dtype(0), init.input_dtype(1), init.input_dtype(2), init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& c = ctx.input(0);
    const Tensor& x = ctx.input(1);
    const Tensor& y = ctx.input(2);
    check_types(c.dtype(), x.dtype(), y.dtype(), ctx);
    compute(c, x, y, ctx.allocate_output(0, x.dtype(), output_shape(c, x, y, ctx)));
  }
};

}  // namespace

void register_where(Registry& registry) {
  add_op_versions(registry, "Where", where_versions(), make_kernel<WhereKernel>(), infer_where,
                  /*dtype_input=*/1);
}

}  // namespace onyx
