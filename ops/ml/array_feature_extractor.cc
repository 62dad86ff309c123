// ArrayFeatureExtractor (ai.onnx.ml, 1): Z = X[..., Y], the elements of X's last axis at
// the indices Y (any shape, read flattened). X of shape [..., D] gives Z [..., k] with k
// = Y's element count; a 1-D X gives [1, k], as ONNX Runtime and the reference do.
#include "ml/ml_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> array_feature_extractor_versions() {
  return {
      {1, kOpsetOpen, {DType::Float, DType::Double, DType::Int64, DType::Int32, DType::String}}};
}

// ---- 3. shape rule ----

void infer_array_feature_extractor(InferContext& ctx) {
  if (ctx.num_inputs() != 2) ctx.fail(cat("takes 2 inputs (X, Y), got ", ctx.num_inputs()));
  const TypeInfo& x = ctx.input(0);
  const TypeInfo& y = ctx.input(1);
  if (y.elem != DType::Undefined && y.elem != DType::Int64)
    ctx.fail(cat("Y (the indices) must be int64, got ", dtype_name(y.elem)));
  if (!x.shape) return ctx.set_output(0, TypeInfo::tensor(x.elem));
  if (x.shape->empty()) ctx.fail("X must have at least one dimension, got a scalar");
  Dim k;
  if (std::optional<Shape> ys = y.concrete_shape()) {
    int64_t count = 1;
    for (int64_t d : *ys) count *= d;
    k = Dim::known(count);
  }
  std::vector<Dim> dims(x.shape->begin(), x.shape->end() - 1);
  if (dims.empty()) dims.push_back(Dim::known(1));
  dims.push_back(k);
  ctx.set_output(0, TypeInfo::tensor(x.elem, dims));
}

// ---- 4. compute ----

class ArrayFeatureExtractorKernel final : public Kernel {
 public:
  explicit ArrayFeatureExtractorKernel(const KernelInit& init) {
    if (init.num_inputs() != 2 || !init.has_input(1))
      init.fail(cat("takes 2 inputs (X, Y), got ", init.num_inputs()));
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& y = ctx.input(1);
    if (x.rank() == 0) ctx.fail("X must have at least one dimension, got " + x.describe());
    if (y.dtype() != DType::Int64) ctx.fail("Y (the indices) must be int64, got " + y.describe());
    const int64_t d = x.dim(x.rank() - 1), k = y.numel(), rows = d == 0 ? 0 : x.numel() / d;
    const int64_t* index = y.data<int64_t>();
    for (int64_t j = 0; j < k; ++j)
      if (index[j] < 0 || index[j] >= d)
        ctx.fail(cat("index ", index[j], " (Y[", j, "]) is out of range for the last axis of X ",
                     x.describe(), ", which has ", d, " elements"));
    Shape shape(x.shape().begin(), x.shape().end() - 1);
    if (shape.empty()) shape.push_back(1);
    shape.push_back(k);
    Tensor& z = ctx.allocate_output(0, x.dtype(), shape);
    dispatch_by_size(x.dtype(), "ArrayFeatureExtractor", [&](auto tag) {
      using U = typename decltype(tag)::type;
      const U* px = static_cast<const U*>(x.raw());
      U* pz = static_cast<U*>(z.raw());
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < k; ++j) pz[r * k + j] = px[r * d + index[j]];
    });
  }
};

}  // namespace

void register_array_feature_extractor(Registry& registry) {
  add_ml_op(registry, "ArrayFeatureExtractor", array_feature_extractor_versions(),
            make_kernel<ArrayFeatureExtractorKernel>(), infer_array_feature_extractor);
}

}  // namespace onyx
