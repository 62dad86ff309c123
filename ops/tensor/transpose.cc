// Transpose: output dim i is input dim perm[i]; perm defaults to reversing the dims.
// Data movement only, so one copy loop serves every dtype of the same storage: the
// reference walks the output element by element (packed 4- and 2-bit elements by their
// codes, as element i of a packed buffer is not byte i); the fast path (kernels::permute)
// copies rows or cache-sized tiles of whole-byte elements.
#include <algorithm>
#include <optional>

#include "common/element_access.h"
#include "common/parallel.h"
#include "common/shape_utils.h"
#include "kernels/layout/permute.h"
#include "onyx/kernel.h"
#include "tensor/tensor_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> transpose_versions() {
  const std::map<std::string, AttrType> perm = {{"perm", AttrType::Ints}};
  return {{1, 12, all_dtypes(), perm},
          {13, 20, all_dtypes_13(), perm},
          {21, 22, all_dtypes_ir(10), perm},           // float8, int4, uint4
          {23, 23, all_dtypes_ir(11), perm},           // float4e2m1
          {24, 24, all_dtypes_ir(12), perm},           // float8e8m0
          {25, kOpsetOpen, all_dtypes_ir(13), perm}};  // int2, uint2
}

// ---- 2. attributes ----

// `perm` when given (checked to be a permutation of [0, n)), else nullopt.
template <class Ctx>
std::optional<std::vector<int64_t>> read_perm(const Attrs& attrs, Ctx& ctx) {
  if (!attrs.has("perm")) return std::nullopt;
  std::vector<int64_t> perm = attrs.get_ints("perm");
  std::vector<bool> seen(perm.size(), false);
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(perm.size()) || seen[static_cast<size_t>(p)])
      ctx.fail(cat("perm ", shape_to_string(perm), " is not a permutation of its indices"));
    seen[static_cast<size_t>(p)] = true;
  }
  return perm;
}

// The permutation used for an input of `rank`.
template <class Ctx>
std::vector<int64_t> perm_for(const std::optional<std::vector<int64_t>>& perm, size_t rank,
                              Ctx& ctx) {
  if (!perm) {
    std::vector<int64_t> reversed(rank);
    for (size_t i = 0; i < rank; ++i) reversed[i] = static_cast<int64_t>(rank - 1 - i);
    return reversed;
  }
  if (perm->size() != rank)
    ctx.fail(cat("perm ", shape_to_string(*perm), " does not match the input's rank ", rank));
  return *perm;
}

// ---- 3. shape rule ----

void infer_transpose(InferContext& ctx) {
  const TypeInfo& in = ctx.input(0);
  std::optional<std::vector<int64_t>> perm = read_perm(Attrs(ctx.node(), ctx.label()), ctx);
  TypeInfo out = TypeInfo::tensor(in.elem);
  if (in.shape) {
    std::vector<int64_t> p = perm_for(perm, in.shape->size(), ctx);
    std::vector<Dim> dims;
    for (int64_t axis : p) dims.push_back((*in.shape)[static_cast<size_t>(axis)]);
    out.shape = dims;
  } else if (perm) {
    out.shape = std::vector<Dim>(perm->size());
  }
  ctx.set_output(0, out);
}

// ---- 4. compute ----

// Writes `in` permuted by `perm` to `out`, walking the output in row-major order; the
// elements are U, read and written through ElementAccess<U>.
template <class U>
void transpose_copy(const void* in, const Shape& in_shape, const std::vector<int64_t>& perm,
                    void* out) {
  using E = ElementAccess<U>;
  std::vector<int64_t> in_strides = strides_of(in_shape);
  Shape dims;                    // output dims, size-1 dims dropped
  std::vector<int64_t> strides;  // the input stride of each
  for (int64_t axis : perm) {
    int64_t d = in_shape[static_cast<size_t>(axis)];
    if (d == 0) return;
    if (d == 1) continue;
    dims.push_back(d);
    strides.push_back(in_strides[static_cast<size_t>(axis)]);
  }
  if (dims.empty()) {  // a single element
    E::set(out, 0, E::get(in, 0));
    return;
  }
  const int64_t inner = dims.back(), inner_stride = strides.back();
  const size_t outer_rank = dims.size() - 1;
  std::vector<int64_t> index(outer_rank, 0);
  int64_t rows = checked_numel(dims) / inner;
  int64_t offset = 0;  // of the row's first element in the input
  for (int64_t row = 0, at = 0; row < rows; ++row, at += inner) {
    for (int64_t j = 0; j < inner; ++j) E::set(out, at + j, E::get(in, offset + j * inner_stride));
    for (size_t d = outer_rank; d-- > 0;) {  // advance the odometer
      offset += strides[d];
      if (++index[d] < dims[d]) break;
      offset -= strides[d] * dims[d];
      index[d] = 0;
    }
  }
}

class TransposeKernel final : public Kernel {
 public:
  explicit TransposeKernel(const KernelInit& init)
      : perm_(read_perm(init.attrs(), init)), fast_(!init.reference()) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    std::vector<int64_t> perm = perm_for(perm_, x.shape().size(), ctx);
    Shape shape;
    for (int64_t axis : perm) shape.push_back(x.dim(static_cast<int>(axis)));
    bool identity = true;
    for (size_t i = 0; i < perm.size(); ++i) identity &= perm[i] == static_cast<int64_t>(i);
    if (identity) return ctx.set_output(0, x);  // same layout: share the buffer
    // Whole bytes per element (not strings, not packed 4- and 2-bit types).
    const int bytes = x.dtype() == DType::String ? 0 : dtype_info(x.dtype()).bits / 8;
    if (fast_ && kernels::permute_serves(bytes)) {
      Tensor& y = ctx.allocate_uninitialized_output(0, x.dtype(), shape);
      return kernels::permute(x.raw(), y.raw(), bytes, x.shape(), perm, parallel_of(ctx.pool()));
    }
    Tensor& y = ctx.allocate_output(0, x.dtype(), shape);  // zeroed: packed padding bits too
    dispatch_by_storage(x.dtype(), "Transpose", [&](auto tag) {
      transpose_copy<typename decltype(tag)::type>(x.raw(), x.shape(), perm, y.raw());
    });
  }

 private:
  std::optional<std::vector<int64_t>> perm_;
  bool fast_;
};

}  // namespace

void register_transpose(Registry& registry) {
  add_op_versions(registry, "Transpose", transpose_versions(), make_kernel<TransposeKernel>(),
                  infer_transpose);
}

}  // namespace onyx
