// Shape: the input's dims as a 1-D int64 tensor. From opset 15, `start` and `end`
// select a slice of them (negative values count from the back; both are clamped to
// [0, rank]). The shape rule records the value when those dims are known at load time.
#include <algorithm>
#include <optional>
#include <utility>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "tensor/tensor_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> shape_versions() {
  const std::map<std::string, AttrType> slice = {{"start", AttrType::Int}, {"end", AttrType::Int}};
  return {{1, 12, all_dtypes()},
          {13, 14, all_dtypes_13()},
          {15, 18, all_dtypes_13(), slice},
          {19, 20, all_dtypes_ir(9), slice},            // float8
          {21, 22, all_dtypes_ir(10), slice},           // int4, uint4
          {23, 23, all_dtypes_ir(11), slice},           // float4e2m1
          {24, 24, all_dtypes_ir(12), slice},           // float8e8m0
          {25, kOpsetOpen, all_dtypes_ir(13), slice}};  // int2, uint2
}

// ---- 2. attributes ----

struct Slice {
  int64_t start = 0;
  std::optional<int64_t> end;  // absent: the rank

  static Slice read(const Attrs& attrs, int opset) {
    Slice s;
    if (opset < 15) return s;
    s.start = attrs.get_int("start", 0);
    if (attrs.has("end")) s.end = attrs.get_int("end", 0);
    return s;
  }

  // [begin, end) over dims of an input of `rank`.
  std::pair<size_t, size_t> range(size_t rank) const {
    int64_t r = static_cast<int64_t>(rank);
    auto clamp = [r](int64_t v) { return std::clamp(v < 0 ? v + r : v, int64_t{0}, r); };
    int64_t b = clamp(start), e = clamp(end.value_or(r));
    return {static_cast<size_t>(b), static_cast<size_t>(std::max(b, e))};
  }
};

// ---- 3. shape rule ----

void infer_shape(InferContext& ctx) {
  Slice slice = Slice::read(Attrs(ctx.node(), ctx.label()), ctx.opset());
  const TypeInfo& in = ctx.input(0);
  if (!in.shape) return ctx.set_output(0, TypeInfo::tensor(DType::Int64, std::vector<Dim>(1)));
  auto [begin, end] = slice.range(in.shape->size());
  std::vector<int64_t> dims;
  for (size_t i = begin; i < end; ++i) {
    const Dim& d = (*in.shape)[i];
    if (!d.is_known())  // the length is still known
      return ctx.set_output(0, TypeInfo::tensor_of(DType::Int64, {int64_t(end - begin)}));
    dims.push_back(d.value);
  }
  ctx.set_output_constant(0,
                          Tensor::from_vector<int64_t>({static_cast<int64_t>(dims.size())}, dims));
}

// ---- 4. compute ----

class ShapeKernel final : public Kernel {
 public:
  explicit ShapeKernel(const KernelInit& init) : slice_(Slice::read(init.attrs(), init.opset())) {}

  void run(KernelContext& ctx) const override {
    const Shape& shape = ctx.input(0).shape();
    auto [begin, end] = slice_.range(shape.size());
    Tensor& out = ctx.allocate_output(0, DType::Int64, {static_cast<int64_t>(end - begin)});
    std::copy(shape.begin() + begin, shape.begin() + end, out.data<int64_t>());
  }

 private:
  Slice slice_;
};

}  // namespace

void register_shape(Registry& registry) {
  add_op_versions(registry, "Shape", shape_versions(), make_kernel<ShapeKernel>(), infer_shape);
}

}  // namespace onyx
