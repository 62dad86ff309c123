// EyeLike: a 2-D tensor shaped like the input, with ones on the diagonal k (out[i, i + k])
// and zeros elsewhere. `dtype` picks the output's element type (default: the input's);
// k > 0 is above the main diagonal, k < 0 below, and a k past the edge gives all zeros.
#include "common/shape_utils.h"
#include "generate/generate_ops.h"
#include "onyx/kernel.h"

namespace onyx {
namespace {

using EyeTypes = type_list<float, double, float16_t, bfloat16_t, int8_t, int16_t, int32_t, int64_t,
                           uint8_t, uint16_t, uint32_t, uint64_t, bool>;

// ---- 1. registration: 22 added bfloat16 (input and `dtype`) ----

std::vector<OpVersion> eye_like_versions() {
  const std::map<std::string, AttrType> a = {{"k", AttrType::Int}, {"dtype", AttrType::Int}};
  return {{9, 21, without_bfloat16(dtypes_of(EyeTypes{})), a},
          {22, kOpsetOpen, dtypes_of(EyeTypes{}), a}};
}

// ---- 2. attributes ----

struct EyeParams {
  int64_t k = 0;
  DType dtype = DType::Undefined;  // Undefined: the input's

  template <class Ctx>
  static EyeParams read(const Attrs& attrs, Ctx& ctx) {
    EyeParams p;
    p.k = attrs.get_int("k", 0);
    if (attrs.has("dtype")) {
      int64_t code = attrs.get_int("dtype", 0);
      p.dtype = static_cast<DType>(code);
      if (code < 0 || code > 64 || !dtype_in(EyeTypes{}, p.dtype))
        ctx.fail(cat("attribute 'dtype' = ", code, " (",
                     dtype_name_of_code(static_cast<int32_t>(code)),
                     ") is not a numeric or bool type"));
      if (p.dtype == DType::BFloat16 && ctx.node().opset < 22)
        ctx.fail(cat("attribute 'dtype' = bfloat16 needs EyeLike opset 22 (this node is opset ",
                     ctx.node().opset, ")"));
    }
    return p;
  }
  DType output_dtype(DType input) const { return dtype == DType::Undefined ? input : dtype; }
};

// ---- 3. shape rule ----

void infer_eye_like(InferContext& ctx) {
  EyeParams p = EyeParams::read(Attrs(ctx.node(), ctx.label()), ctx);
  const TypeInfo& in = ctx.input(0);
  if (in.shape && in.shape->size() != 2)
    ctx.fail(cat("the input must be 2-D, got ", in.to_string()));
  ctx.set_output(0, TypeInfo::tensor(p.output_dtype(in.elem), in.shape));
}

// ---- 4. compute ----

class EyeLikeKernel final : public Kernel {
 public:
  explicit EyeLikeKernel(const KernelInit& init) : params_(EyeParams::read(init.attrs(), init)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() != 2) ctx.fail(cat("the input must be 2-D, got ", x.describe()));
    const int64_t rows = x.dim(0), cols = x.dim(1), k = params_.k;
    Tensor& out = ctx.allocate_output(0, params_.output_dtype(x.dtype()), x.shape());
    dispatch<EyeTypes>(out.dtype(), "EyeLike", [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* dst = out.data<T>();
      // Row i holds its one at column i + k, when that column exists (k may be huge).
      for (int64_t i = 0; i < rows; ++i) {
        if (k >= cols - i || k < -i) continue;
        dst[i * cols + i + k] = static_cast<T>(1);
      }
    });
  }

 private:
  EyeParams params_;
};

}  // namespace

void register_eye_like(Registry& registry) {
  add_op_versions(registry, "EyeLike", eye_like_versions(), make_kernel<EyeLikeKernel>(),
                  infer_eye_like);
}

}  // namespace onyx
