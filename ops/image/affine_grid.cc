// AffineGrid (opset 20): the sampling grid GridSample takes, from a batch of affine
// matrices. `size` is (N, C, H, W) for 2-D or (N, C, D, H, W) for 3-D; theta is (N, 2, 3)
// or (N, 3, 4). Each output point holds theta[n] applied to its normalized position:
//
//   grid[n, h, w]    = theta[n] @ (x_w, y_h, 1)          shape (N, H, W, 2)
//   grid[n, d, h, w] = theta[n] @ (x_w, y_h, z_d, 1)     shape (N, D, H, W, 3)
//
// with positions in [-1, 1] along each axis of length L:
//   align_corners = 1: -1 + 2 i / (L - 1)   (the corner element centres; 0 when L = 1)
//   align_corners = 0: -1 + (2 i + 1) / L   (the outer edges)
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/dtype_lists.h"
#include "common/shape_utils.h"
#include "image/image_ops.h"
#include "nn/nn_util.h"

namespace onyx {
namespace {

// Normalized position of element i of an axis of length L.
double grid_position(int64_t i, int64_t L, bool align_corners) {
  if (align_corners) return L > 1 ? -1.0 + 2.0 * static_cast<double>(i) / (L - 1) : 0.0;
  return -1.0 + (2.0 * static_cast<double>(i) + 1.0) / static_cast<double>(L);
}

void infer_affine_grid(InferContext& ctx) {
  const TypeInfo& theta = ctx.input(0);
  const Tensor* size = ctx.constant(1);
  if (!size) {
    std::optional<std::vector<Dim>> out;
    if (ctx.input(1).has_shape() && ctx.input(1).shape->size() == 1 &&
        (*ctx.input(1).shape)[0].is_known()) {
      const int64_t r = (*ctx.input(1).shape)[0].value;
      if (r != 4 && r != 5) ctx.fail(cat("size must have 4 or 5 values, got ", r));
      out = std::vector<Dim>(static_cast<size_t>(r), Dim{});
      out->back() = Dim::known(r - 2);
    }
    ctx.set_output(0, TypeInfo::tensor(theta.elem, out));
    return;
  }
  const std::vector<int64_t> s = tensor_to_ints(*size, "size", ctx);
  if (s.size() != 4 && s.size() != 5) ctx.fail(cat("size must have 4 or 5 values, got ", s.size()));
  std::vector<Dim> out = {Dim::known(s[0])};
  for (size_t d = 2; d < s.size(); ++d) out.push_back(Dim::known(s[d]));
  out.push_back(Dim::known(static_cast<int64_t>(s.size()) - 2));
  ctx.set_output(0, TypeInfo::tensor(theta.elem, out));
}

class AffineGridKernel final : public Kernel {
 public:
  explicit AffineGridKernel(const KernelInit& init)
      : align_corners_(init.attrs().get_int("align_corners", 0)) {
    if (align_corners_ != 0 && align_corners_ != 1)
      init.fail(cat("align_corners must be 0 or 1, got ", align_corners_));
  }

  void run(KernelContext& ctx) const override {
    const Tensor& theta = ctx.input(0);
    const std::vector<int64_t> size = tensor_to_ints(ctx.input(1), "size", ctx);
    if (size.size() != 4 && size.size() != 5)
      ctx.fail(cat("size must have 4 or 5 values (N, C, [D,] H, W), got ", size.size()));
    const int64_t k = static_cast<int64_t>(size.size()) - 2;  // spatial dims: 2 or 3
    const int64_t N = size[0];
    for (int64_t v : size)
      if (v < 0) ctx.fail(cat("size values must be non-negative, got ", v));
    if (theta.shape() != Shape{N, k, k + 1})
      ctx.fail(cat("theta must be (N, ", k, ", ", k + 1, ") with N = ", N, " for a ", k,
                   "-D size, got ", theta.describe()));
    // Spatial lengths in (D,) H, W order; a 2-D grid has D = 1.
    const int64_t D = k == 3 ? size[2] : 1, H = size[size.size() - 2], W = size.back();
    Shape out_shape = {N};
    for (size_t d = 2; d < size.size(); ++d) out_shape.push_back(size[d]);
    out_shape.push_back(k);
    checked_numel(out_shape);
    Tensor& grid = ctx.allocate_uninitialized_output(0, theta.dtype(), out_shape);
    const bool align = align_corners_ == 1;
    dispatch<FloatTypes>(theta.dtype(), "AffineGrid", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* pt = theta.data<T>();
      T* pg = grid.data<T>();
      std::vector<double> m(static_cast<size_t>(k * (k + 1)));
      for (int64_t n = 0; n < N; ++n) {
        for (size_t i = 0; i < m.size(); ++i)
          m[i] = static_cast<double>(static_cast<acc_t<T>>(pt[n * k * (k + 1) + i]));
        for (int64_t d = 0; d < D; ++d) {
          const double z = grid_position(d, D, align);
          for (int64_t h = 0; h < H; ++h) {
            const double y = grid_position(h, H, align);
            for (int64_t w = 0; w < W; ++w) {
              const double pos[4] = {grid_position(w, W, align), y, k == 3 ? z : 1.0, 1.0};
              for (int64_t r = 0; r < k; ++r) {
                double v = 0;
                for (int64_t c = 0; c <= k; ++c) v += m[r * (k + 1) + c] * pos[c];
                *pg++ = from_acc<T>(static_cast<acc_t<T>>(v));
              }
            }
          }
        }
      }
    });
  }

 private:
  int64_t align_corners_ = 0;
};

}  // namespace

void register_affine_grid(Registry& registry) {
  const std::vector<DType> f = {DType::BFloat16, DType::Float16, DType::Float, DType::Double};
  add_op_versions(registry, "AffineGrid", {{20, kOpsetOpen, f, {{"align_corners", AttrType::Int}}}},
                  make_kernel<AffineGridKernel>(), infer_affine_grid);
}

}  // namespace onyx
