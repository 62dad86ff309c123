// Col2Im (opset 18): the inverse of im2col. `input` (N, C * prod(block_shape), L) holds,
// for each of the L sliding blocks over an image of `image_shape` (k spatial dims), the
// block's prod(block_shape) elements of each channel; they are added back into the image:
//
//   Y[n, c, i] += input[n, c * B + b, l]   for i = blk(l) * strides - pads_begin
//                                                  + tap(b) * dilations, inside the image
//
// where tap(b) is b unravelled over block_shape and blk(l) is l unravelled over the
// block counts (image + pads_begin + pads_end - dilations * (block - 1) - 1) / strides + 1,
// whose product must be L. Y is (N, C, image_shape...). Overlapping blocks sum.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "common/dtype_lists.h"
#include "common/shape_utils.h"
#include "image/image_ops.h"
#include "nn/nn_util.h"

namespace onyx {
namespace {

struct Col2ImAttrs {
  std::vector<int64_t> dilations, pads, strides;  // empty: the defaults (1, 0, 1)
};

// Spatial geometry resolved against image_shape and block_shape.
struct Col2ImGeometry {
  Shape image, block, blocks;  // blocks: sliding-block count per spatial dim
  std::vector<int64_t> dilations, pads_begin, strides;
};

template <class Ctx>
Col2ImGeometry resolve_geometry(const Col2ImAttrs& a, const std::vector<int64_t>& image,
                                const std::vector<int64_t>& block, Ctx& ctx) {
  const size_t k = image.size();
  if (k == 0 || block.size() != k)
    ctx.fail(cat("image_shape and block_shape must list the same number (>= 1) of dims, got ",
                 image.size(), " and ", block.size()));
  auto or_default = [&](const std::vector<int64_t>& v, size_t n, int64_t d, const char* name) {
    if (v.empty()) return std::vector<int64_t>(n, d);
    if (v.size() != n) ctx.fail(cat(name, " must have ", n, " values, got ", v.size()));
    return v;
  };
  Col2ImGeometry g;
  g.dilations = or_default(a.dilations, k, 1, "dilations");
  g.strides = or_default(a.strides, k, 1, "strides");
  const std::vector<int64_t> pads = or_default(a.pads, 2 * k, 0, "pads");
  for (size_t d = 0; d < k; ++d) {
    if (image[d] < 1 || block[d] < 1)
      ctx.fail(cat("image_shape and block_shape values must be positive, got ", image[d], " and ",
                   block[d], " for dim ", d));
    if (g.dilations[d] < 1 || g.strides[d] < 1)
      ctx.fail(cat("dilations and strides must be positive, got ", g.dilations[d], " and ",
                   g.strides[d], " for dim ", d));
    if (pads[d] < 0 || pads[d + k] < 0) ctx.fail(cat("pads must be non-negative for dim ", d));
    // Each term is below 2^62 after these checks, so the sums cannot overflow.
    if (image[d] > (int64_t{1} << 40) || block[d] > (int64_t{1} << 40) ||
        g.dilations[d] > (int64_t{1} << 20) || pads[d] > (int64_t{1} << 40) ||
        pads[d + k] > (int64_t{1} << 40))
      ctx.fail(cat("image_shape, block_shape, dilations or pads too large for dim ", d));
    const int64_t span = g.dilations[d] * (block[d] - 1) + 1;
    const int64_t room = image[d] + pads[d] + pads[d + k] - span;
    if (room < 0)
      ctx.fail(cat("the block (", span, " wide with dilation) does not fit the padded image (",
                   image[d] + pads[d] + pads[d + k], ") in dim ", d));
    g.blocks.push_back(room / g.strides[d] + 1);
    g.pads_begin.push_back(pads[d]);
  }
  g.image = Shape(image.begin(), image.end());
  g.block = Shape(block.begin(), block.end());
  return g;
}

void infer_col2im(InferContext& ctx) {
  const TypeInfo& x = ctx.input(0);
  if (x.has_shape() && x.shape->size() != 3)
    ctx.fail(
        cat("input must have rank 3 (N, C * prod(block_shape), L), got rank ", x.shape->size()));
  const Tensor* image = ctx.constant(1);
  if (!image) {
    ctx.set_output(0, TypeInfo::tensor(x.elem));
    return;
  }
  std::vector<Dim> out = {x.has_shape() ? (*x.shape)[0] : Dim{}, Dim{}};
  const Tensor* block = ctx.constant(2);
  if (block && x.has_shape() && (*x.shape)[1].is_known()) {
    const int64_t b = checked_numel(Shape(tensor_to_ints(*block, "block_shape", ctx)));
    if (b > 0 && (*x.shape)[1].value % b == 0) out[1] = Dim::known((*x.shape)[1].value / b);
  }
  for (int64_t d : tensor_to_ints(*image, "image_shape", ctx)) out.push_back(Dim::known(d));
  ctx.set_output(0, TypeInfo::tensor(x.elem, out));
}

class Col2ImKernel final : public Kernel {
 public:
  explicit Col2ImKernel(const KernelInit& init) {
    const Attrs& attrs = init.attrs();
    attrs_.dilations = attrs.get_ints("dilations");
    attrs_.pads = attrs.get_ints("pads");
    attrs_.strides = attrs.get_ints("strides");
    const TypeInfo& x = init.input_type(0);
    if (x.has_shape() && x.shape->size() != 3)
      init.fail(
          cat("input must have rank 3 (N, C * prod(block_shape), L), got rank ", x.shape->size()));
    const Tensor* image = init.constant_input(1);
    const Tensor* block = init.constant_input(2);
    if (image && block)
      resolve_geometry(attrs_, tensor_to_ints(*image, "image_shape", init),
                       tensor_to_ints(*block, "block_shape", init), init);
  }

  void run(KernelContext& ctx) const override;

 private:
  Col2ImAttrs attrs_;
};

void Col2ImKernel::run(KernelContext& ctx) const {
  const Tensor& x = ctx.input(0);
  if (x.rank() != 3)
    ctx.fail(cat("input must have rank 3 (N, C * prod(block_shape), L), got ", x.describe()));
  const Col2ImGeometry g =
      resolve_geometry(attrs_, tensor_to_ints(ctx.input(1), "image_shape", ctx),
                       tensor_to_ints(ctx.input(2), "block_shape", ctx), ctx);
  const int64_t B = checked_numel(g.block), L = checked_numel(g.blocks);
  const int64_t P = checked_numel(g.image);
  if (x.dim(1) % B != 0)
    ctx.fail(cat("input dim 1 (", x.dim(1), ") must be a multiple of prod(block_shape) = ", B));
  if (x.dim(2) != L)
    ctx.fail(cat("input dim 2 (", x.dim(2), ") must equal the number of sliding blocks, ", L));
  const int64_t N = x.dim(0), C = x.dim(1) / B;
  Shape out_shape = {N, C};
  out_shape.insert(out_shape.end(), g.image.begin(), g.image.end());
  checked_numel(out_shape);
  Tensor& y = ctx.allocate_output(0, x.dtype(), out_shape);
  const size_t k = g.image.size();
  const std::vector<int64_t> image_stride = strides_of(g.image);

  // For each (tap, block) pair, the image position it lands on, or -1 outside the image.
  std::vector<int64_t> target(static_cast<size_t>(checked_numel(Shape{B, L})));
  for (int64_t b = 0; b < B; ++b) {
    for (int64_t l = 0; l < L; ++l) {
      int64_t rb = b, rl = l, pos = 0;
      bool inside = true;
      for (size_t d = k; d-- > 0;) {
        const int64_t tap = rb % g.block[d], blk = rl % g.blocks[d];
        rb /= g.block[d];
        rl /= g.blocks[d];
        const int64_t i = blk * g.strides[d] - g.pads_begin[d] + tap * g.dilations[d];
        if (i < 0 || i >= g.image[d]) inside = false;
        pos += i * image_stride[d];
      }
      target[b * L + l] = inside ? pos : -1;
    }
  }

  dispatch<NumericTypes>(x.dtype(), "Col2Im", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* px = x.data<T>();
    T* py = y.data<T>();
    std::vector<acc_t<T>> acc(static_cast<size_t>(P));
    for (int64_t nc = 0; nc < N * C; ++nc) {
      std::fill(acc.begin(), acc.end(), acc_t<T>{});
      const T* cols = px + nc * B * L;  // rows c * B .. c * B + B - 1 of image n
      for (int64_t j = 0; j < B * L; ++j)
        if (target[j] >= 0) acc[target[j]] += static_cast<acc_t<T>>(cols[j]);
      for (int64_t p = 0; p < P; ++p) py[nc * P + p] = from_acc<T>(acc[p]);
    }
  });
}

}  // namespace

// Col2Im's type constraint is all tensor types, but overlapping blocks add: the numeric
// types are served.
void register_col2im(Registry& registry) {
  const std::map<std::string, AttrType> attrs = {
      {"dilations", AttrType::Ints}, {"pads", AttrType::Ints}, {"strides", AttrType::Ints}};
  add_op_versions(registry, "Col2Im", {{18, kOpsetOpen, numeric_dtypes(), attrs}},
                  make_kernel<Col2ImKernel>(), infer_col2im);
}

}  // namespace onyx
