// MaxUnpool: the inverse of MaxPool with Indices. Y starts as zeros of the pooled input's
// shape, inferred per spatial axis as (in - 1) * stride - pad_begin - pad_end + kernel, and
// each X element is written to Y's flat position I (as MaxPool's Indices count, over the
// whole tensor). With the output_shape input, that inferred tensor sits at the start of
// each axis of a larger zero tensor of output_shape (as the ONNX backend data expects).
#include <algorithm>

#include "common/dtype_lists.h"
#include "common/shape_utils.h"
#include "common/spatial.h"
#include "nn/nn.h"

namespace onyx {
namespace {

// ---- 1. registration (11 only rewords the spec, 22 adds bfloat16) ----

std::vector<OpVersion> max_unpool_versions() {
  const std::map<std::string, AttrType> a = {
      {"kernel_shape", AttrType::Ints}, {"pads", AttrType::Ints}, {"strides", AttrType::Ints}};
  return {{9, 10, float_dtypes(), a},
          {11, 21, float_dtypes(), a},
          {22, kOpsetOpen, float_dtypes_bf16(), a}};
}

// ---- 2. attributes ----

struct UnpoolAttrs {
  std::vector<int64_t> kernel, pads, strides;
};

UnpoolAttrs read_unpool_attrs(const Attrs& attrs, const std::string& label) {
  UnpoolAttrs u;
  if (!attrs.has("kernel_shape")) fail(label, ": attribute kernel_shape is required");
  u.kernel = attrs.get_ints("kernel_shape");
  const size_t r = u.kernel.size();
  u.pads = attrs.get_ints("pads", std::vector<int64_t>(2 * r, 0));
  u.strides = attrs.get_ints("strides", std::vector<int64_t>(r, 1));
  if (r == 0) fail(label, ": kernel_shape is empty");
  if (u.pads.size() != 2 * r || u.strides.size() != r)
    fail(label, ": pads must have ", 2 * r, " values and strides ", r, " for kernel_shape");
  constexpr int64_t kMax = int64_t{1} << 31;
  for (int64_t k : u.kernel)
    if (k < 1 || k > kMax) fail(label, ": kernel_shape value ", k, " is out of range");
  for (int64_t s : u.strides)
    if (s < 1 || s > kMax) fail(label, ": strides value ", s, " is out of range");
  for (int64_t p : u.pads)
    if (p < 0 || p > kMax) fail(label, ": pads value ", p, " is out of range");
  return u;
}

// ---- 3. shape rule ----

// The unpooled shape of X's dims (unknown where X's dim is).
std::vector<Dim> unpooled_dims(const UnpoolAttrs& u, const std::vector<Dim>& x,
                               const std::string& label) {
  const size_t r = u.kernel.size();
  if (x.size() != r + 2)
    fail(label, ": X has rank ", x.size(), " but kernel_shape has ", r, " dims (expected rank ",
         r + 2, ")");
  std::vector<Dim> out = {x[0], x[1]};
  for (size_t a = 0; a < r; ++a) {
    if (!x[a + 2].is_known() || x[a + 2].value > (int64_t{1} << 31)) {
      out.push_back(Dim{});
      continue;
    }
    const int64_t d = (x[a + 2].value - 1) * u.strides[a] - u.pads[a] - u.pads[a + r] + u.kernel[a];
    if (d < 0) fail(label, ": spatial dim ", a, " would unpool to size ", d);
    out.push_back(Dim::known(d));
  }
  return out;
}

void infer_max_unpool(InferContext& ctx) {
  const UnpoolAttrs u = read_unpool_attrs(Attrs(ctx.node(), ctx.label()), ctx.label());
  const TypeInfo& x = ctx.input(0);
  if (ctx.has_input(2)) {
    if (const Tensor* shape = ctx.constant(2)) {
      std::vector<Dim> dims;
      for (int64_t d : tensor_to_ints(*shape, "output_shape", ctx)) dims.push_back(Dim::known(d));
      return ctx.set_output(0, TypeInfo::tensor(x.elem, dims));
    }
    std::optional<std::vector<Dim>> dims;
    if (x.has_shape()) dims = std::vector<Dim>(x.shape->size());
    return ctx.set_output(0, TypeInfo::tensor(x.elem, dims));
  }
  if (!x.has_shape()) return ctx.set_output(0, TypeInfo::tensor(x.elem));
  ctx.set_output(0, TypeInfo::tensor(x.elem, unpooled_dims(u, *x.shape, ctx.label())));
}

// ---- 4. compute ----

class MaxUnpoolKernel final : public Kernel {
 public:
  explicit MaxUnpoolKernel(const KernelInit& init)
      : label_(init.label()), attrs_(read_unpool_attrs(init.attrs(), label_)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    if (indices.shape() != x.shape())
      ctx.fail(
          cat("I must have X's shape ", shape_to_string(x.shape()), ", got ", indices.describe()));
    if (indices.dtype() != DType::Int64) ctx.fail("I must be int64");
    Shape inferred;
    for (const Dim& d : unpooled_dims(attrs_, known_dims(x.shape()), label_)) {
      if (!d.is_known()) ctx.fail(cat("X's spatial dims are too large: ", x.describe()));
      inferred.push_back(d.value);
    }
    Shape out = inferred;
    if (ctx.has_input(2)) {
      out = tensor_to_ints(ctx.input(2), "output_shape", ctx);
      bool fits = out.size() == inferred.size() && out[0] == inferred[0] && out[1] == inferred[1];
      for (size_t a = 2; fits && a < out.size(); ++a) fits = out[a] >= inferred[a];
      if (!fits)
        ctx.fail(cat("output_shape ", shape_to_string(out), " cannot hold the unpooled shape ",
                     shape_to_string(inferred)));
    }
    const int64_t total = checked_numel(inferred);
    Tensor& y = ctx.allocate_output(0, x.dtype(), out);
    const int64_t* idx = indices.data<int64_t>();
    const std::vector<int64_t> in_strides = strides_of(inferred), out_strides = strides_of(out);
    dispatch<FloatTypes>(x.dtype(), "MaxUnpool", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* px = x.data<T>();
      T* py = y.data<T>();
      for (int64_t i = 0; i < x.numel(); ++i) {
        if (idx[i] < 0 || idx[i] >= total)
          ctx.fail(cat("index ", idx[i], " in I is out of range [0, ", total,
                       ") for the unpooled shape ", shape_to_string(inferred)));
        // Re-express the flat index of the inferred shape in the (larger) output shape.
        int64_t offset = 0;
        for (size_t a = 0; a < inferred.size(); ++a)
          offset += (idx[i] / in_strides[a]) % inferred[a] * out_strides[a];
        py[offset] = px[i];
      }
    });
  }

 private:
  std::string label_;
  UnpoolAttrs attrs_;
};

}  // namespace

void register_max_unpool(Registry& registry) {
  add_op_versions(registry, "MaxUnpool", max_unpool_versions(), make_kernel<MaxUnpoolKernel>(),
                  infer_max_unpool);
}

}  // namespace onyx
