// Tile: repeats the whole input repeats[d] times along each dim d, like numpy.tile
// without broadcasting: output dim d = input dim d * repeats[d]. From opset 6 the repeats
// are input 1 (1-D int64, one per dim, each >= 0); opset 1 instead takes two scalars,
// `tiles` and `axis`, to repeat along one axis.
#include <algorithm>

#include "common/shape_utils.h"
#include "onyx/kernel.h"
#include "tensor/movement.h"
#include "tensor/tensor_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> tile_versions() {
  return {{1, 5, float_dtypes()},  // inputs tiles and axis (scalars)
          {6, 12, all_dtypes()},   // input repeats
          {13, kOpsetOpen, all_dtypes_13()}};
}

// ---- 2. attributes: none; the repeat inputs ----

// A scalar input of opset 1 (typed like the data, so possibly float) as an integer.
template <class Ctx>
int64_t integer_scalar(const Tensor& t, const char* what, Ctx& ctx) {
  if (t.numel() != 1) ctx.fail(cat(what, " must hold one value, got ", t.describe()));
  double v = 0;
  dispatch<NumericTypes>(t.dtype(), "Tile", [&](auto tag) {
    using T = typename decltype(tag)::type;
    v = static_cast<double>(t.data<T>()[0]);
  });
  if (!(v >= -9.0e18 && v <= 9.0e18) || v != static_cast<double>(static_cast<int64_t>(v)))
    ctx.fail(cat(what, " must be an integer, got ", v));
  return static_cast<int64_t>(v);
}

// The repeats per dim for an input of `rank`, from input 1 (opset 6+) or inputs 1 and 2.
template <class Ctx>
std::vector<int64_t> repeats_of(const Tensor& a, const Tensor* b, size_t rank, int opset,
                                Ctx& ctx) {
  std::vector<int64_t> reps;
  if (opset >= 6) {
    if (a.dtype() != DType::Int64 || a.rank() != 1)
      ctx.fail(cat("repeats must be a 1-D int64 tensor, got ", a.describe()));
    reps = a.to_vector<int64_t>();
    if (reps.size() != rank)
      ctx.fail(cat("repeats has ", reps.size(), " values for an input of rank ", rank));
  } else {
    reps.assign(rank, 1);
    size_t axis = checked_axis(integer_scalar(*b, "axis", ctx), rank, false, ctx);
    reps[axis] = integer_scalar(a, "tiles", ctx);
  }
  for (int64_t r : reps)
    if (r < 0) ctx.fail(cat("repeats must be >= 0, got ", shape_to_string(reps)));
  return reps;
}

// ---- 3. shape rule ----

void infer_tile(InferContext& ctx) {
  const TypeInfo& in = ctx.input(0);
  TypeInfo out = TypeInfo::tensor(in.elem, in.shape);
  if (!out.shape) return ctx.set_output(0, out);
  const Tensor* a = ctx.constant(1);
  const Tensor* b = ctx.opset() >= 6 ? nullptr : ctx.constant(2);
  if (!a || (ctx.opset() < 6 && !b)) {
    out.shape = std::vector<Dim>(out.shape->size());
    return ctx.set_output(0, out);
  }
  std::vector<int64_t> reps = repeats_of(*a, b, out.shape->size(), ctx.opset(), ctx);
  for (size_t d = 0; d < reps.size(); ++d) {
    Dim& dim = (*out.shape)[d];
    if (dim.is_known()) {
      dim = Dim::known(checked_mul(dim.value, reps[d]));
    } else if (reps[d] != 1) {
      dim = reps[d] == 0 ? Dim::known(0) : Dim{};
    }
  }
  ctx.set_output(0, out);
}

// ---- 4. compute ----

// Walks the output row by row (all dims but the last) while tracking the input row it
// repeats; each output row is that input row written repeats[last] times.
void tile_into(const Tensor& in, Tensor& out) {
  if (out.numel() == 0) return;
  const Shape& is = in.shape();
  const Shape& os = out.shape();
  size_t rank = is.size();
  size_t outer_rank = rank ? rank - 1 : 0;
  int64_t row = rank ? is[rank - 1] : 1;
  int64_t copies = rank ? os[rank - 1] / row : 1;
  std::vector<int64_t> strides = strides_of(is);
  dispatch_by_size(in.dtype(), "Tile", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* src = static_cast<const T*>(in.raw());
    T* dst = static_cast<T*>(out.raw());
    std::vector<int64_t> index(outer_rank, 0), in_index(outer_rank, 0);
    int64_t offset = 0;
    for (int64_t r = 0, rows = out.numel() / (row * copies); r < rows; ++r) {
      for (int64_t c = 0; c < copies; ++c) dst = std::copy_n(src + offset, row, dst);
      for (size_t d = outer_rank; d-- > 0;) {
        if (++in_index[d] == is[d]) {  // wrap to the input's first row along d
          in_index[d] = 0;
          offset -= strides[d] * (is[d] - 1);
        } else {
          offset += strides[d];
        }
        if (++index[d] < os[d]) break;
        index[d] = 0;
      }
    }
  });
}

class TileKernel final : public Kernel {
 public:
  explicit TileKernel(const KernelInit& init) : opset_(init.opset()) {
    if (init.num_inputs() != (opset_ >= 6 ? 2 : 3))
      init.fail(opset_ >= 6 ? "Tile needs the input and repeats inputs"
                            : "Tile-1 needs the input, tiles and axis inputs");
  }

  void run(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    const Tensor* axis = opset_ >= 6 ? nullptr : &ctx.input(2);
    std::vector<int64_t> reps = repeats_of(ctx.input(1), axis, in.shape().size(), opset_, ctx);
    Shape shape = in.shape();
    for (size_t d = 0; d < shape.size(); ++d) shape[d] = checked_mul(shape[d], reps[d]);
    checked_numel(shape);
    tile_into(in, ctx.allocate_output(0, in.dtype(), shape));
  }

 private:
  int opset_;
};

}  // namespace

void register_tile(Registry& registry) {
  add_op_versions(registry, "Tile", tile_versions(), make_kernel<TileKernel>(), infer_tile);
}

}  // namespace onyx
