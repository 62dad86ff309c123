// StringConcat: Z = X + Y elementwise on two string tensors, broadcast numpy style. Strings
// are byte sequences here: concatenation never needs to decode them, so any bytes pass.
#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "text/text_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> string_concat_versions() { return {{20, kOpsetOpen, {DType::String}}}; }

// ---- 2. attributes: none ----

template <class Ctx>
void check_inputs(int count, DType x, DType y, Ctx& ctx) {
  if (count != 2) ctx.fail(cat("takes 2 inputs, got ", count));
  for (DType t : {x, y})
    if (t != DType::Undefined && t != DType::String)
      ctx.fail(
          cat("both inputs must be string tensors, got ", dtype_name(x), " and ", dtype_name(y)));
}

// ---- 3. shape rule ----

void infer_string_concat(InferContext& ctx) {
  check_inputs(ctx.num_inputs(), ctx.input(0).elem, ctx.input(1).elem, ctx);
  std::optional<std::vector<Dim>> shape =
      broadcast_dims(ctx.input(0).shape, ctx.input(1).shape, ctx.label());
  ctx.set_output(0, TypeInfo::tensor(DType::String, shape));
}

// ---- 4. compute ----

class StringConcatKernel final : public Kernel {
 public:
  explicit StringConcatKernel(const KernelInit& init) {
    check_inputs(init.num_inputs(), init.input_dtype(0), init.input_dtype(1), init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& y = ctx.input(1);
    check_inputs(ctx.num_inputs(), x.dtype(), y.dtype(), ctx);
    Shape shape;
    try {
      shape = broadcast_shapes(x.shape(), y.shape(), "the inputs");
    } catch (const Error& e) {
      ctx.fail(e);
    }
    Tensor& z = ctx.allocate_output(0, DType::String, shape);
    const std::string* px = x.data<std::string>();
    const std::string* py = y.data<std::string>();
    std::string* pz = z.data<std::string>();
    BroadcastWalk walk({x.shape(), y.shape()}, shape);
    const int64_t n = walk.inner();
    const int64_t sx = walk.step(0), sy = walk.step(1);
    walk.for_rows(0, walk.rows(), [&](int64_t o, const int64_t* in) {
      for (int64_t i = 0; i < n; ++i) {
        const std::string& a = px[in[0] + i * sx];
        const std::string& b = py[in[1] + i * sy];
        std::string& out = pz[o + i];
        out.reserve(a.size() + b.size());
        out.append(a).append(b);
      }
    });
  }
};

}  // namespace

void register_string_concat(Registry& registry) {
  add_op_versions(registry, "StringConcat", string_concat_versions(),
                  make_kernel<StringConcatKernel>(), infer_string_concat);
}

}  // namespace onyx
