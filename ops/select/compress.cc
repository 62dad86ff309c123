// Compress: keeps the slices along `axis` (or, without axis, the elements of the flattened
// input) whose entry in the 1-D bool `condition` is true. The condition may be shorter than
// the axis (the slices past its end are dropped) but not longer. Negative axes count from
// the back from opset 11.
#include <algorithm>
#include <optional>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "select/select_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> compress_versions() {
  const std::map<std::string, AttrType> axis = {{"axis", AttrType::Int}};
  return {{9, 10, all_dtypes(), axis}, {11, kOpsetOpen, all_dtypes(), axis}};  // negative axis
}

// ---- 2. attributes: the optional axis, checked against the input's rank ----

struct CompressAxis {
  std::optional<int64_t> axis;  // absent: flatten
  int opset = 11;

  // The axis in [0, rank), or nullopt when the input is flattened.
  template <class Ctx>
  std::optional<size_t> resolve(size_t rank, Ctx& ctx) const {
    if (!axis) return std::nullopt;
    const int64_t r = static_cast<int64_t>(rank);
    const int64_t lowest = opset >= 11 ? -r : 0;
    if (*axis < lowest || *axis >= r)
      ctx.fail(cat("axis ", *axis, " is out of range for rank ", r));
    return static_cast<size_t>(*axis < 0 ? *axis + r : *axis);
  }
};

CompressAxis read_axis(const Attrs& attrs, int opset) {
  CompressAxis a;
  a.opset = opset;
  if (attrs.has("axis")) a.axis = attrs.get_int("axis", 0);
  return a;
}

// ---- 3. shape rule ----

void infer_compress(InferContext& ctx) {
  CompressAxis a = read_axis(Attrs(ctx.node(), ctx.label()), ctx.opset());
  const TypeInfo& in = ctx.input(0);
  const TypeInfo& cond = ctx.input(1);
  if (cond.elem != DType::Undefined && cond.elem != DType::Bool)
    ctx.fail(cat("condition must be bool, got ", dtype_name(cond.elem)));
  TypeInfo out = TypeInfo::tensor(in.elem);
  if (!a.axis) {
    out.shape = std::vector<Dim>(1);
  } else if (in.shape) {
    size_t axis = *a.resolve(in.shape->size(), ctx);
    out.shape = in.shape;
    (*out.shape)[axis] = Dim{};  // the number of true entries
  }
  ctx.set_output(0, out);
}

// ---- 4. compute ----

class CompressKernel final : public Kernel {
 public:
  explicit CompressKernel(const KernelInit& init) : axis_(read_axis(init.attrs(), init.opset())) {
    const TypeInfo& in = init.input_type(0);
    if (in.shape) axis_.resolve(in.shape->size(), init);
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& cond = ctx.input(1);
    if (cond.dtype() != DType::Bool || cond.rank() != 1)
      ctx.fail(cat("condition must be a 1-D bool tensor, got ", cond.describe()));
    std::optional<size_t> axis = axis_.resolve(x.shape().size(), ctx);
    // View the input as [outer, n, inner]: n is the axis (or all elements when flattened).
    const Shape& s = x.shape();
    int64_t outer = 1, n = x.numel(), inner = 1;
    if (axis) {
      outer = checked_numel(Shape(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(*axis)));
      n = s[*axis];
      inner = checked_numel(Shape(s.begin() + static_cast<std::ptrdiff_t>(*axis) + 1, s.end()));
    }
    if (cond.numel() > n)
      ctx.fail(cat("condition has ", cond.numel(), " entries but the ",
                   axis ? "axis has " : "input has ", n));
    std::vector<int64_t> kept;  // indices along n whose condition is true
    const bool* c = cond.data<bool>();
    for (int64_t i = 0; i < cond.numel(); ++i)
      if (c[i]) kept.push_back(i);
    const int64_t count = static_cast<int64_t>(kept.size());
    Shape shape = {count};
    if (axis) {
      shape = s;
      shape[*axis] = count;
    }
    Tensor& out = ctx.allocate_output(0, x.dtype(), shape);
    dispatch_by_size(x.dtype(), "Compress", [&](auto tag) {
      using U = typename decltype(tag)::type;
      const U* src = static_cast<const U*>(x.raw());
      U* dst = static_cast<U*>(out.raw());
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i : kept) dst = std::copy_n(src + (o * n + i) * inner, inner, dst);
    });
  }

 private:
  CompressAxis axis_;
};

}  // namespace

void register_compress(Registry& registry) {
  add_op_versions(registry, "Compress", compress_versions(), make_kernel<CompressKernel>(),
                  infer_compress);
}

}  // namespace onyx
