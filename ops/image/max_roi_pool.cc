// MaxRoiPool: max-pools each region of interest of X (N, C, H, W) into a pooled_shape
// (pooled_h x pooled_w) grid, as Caffe's ROIPooling does. rois[r] = (batch_id, x1, y1, x2,
// y2); the corners are scaled by spatial_scale and rounded to whole elements, and the
// region (at least 1 x 1, both corners included) is split into bins of roi_h / pooled_h by
// roi_w / pooled_w elements: bin (ph, pw) covers rows [floor(ph * bin_h), ceil((ph + 1) *
// bin_h)) from the region's start, clipped to X. A bin that covers nothing gives 0.
// The ONNX reference implementation (onnx/reference/ops/op_max_roi_pool.py) decides the
// rounding: Python's round, which breaks ties to even.
#include <algorithm>
#include <cmath>
#include <limits>

#include "common/dtype_lists.h"
#include "common/shape_utils.h"
#include "image/image_ops.h"

namespace onyx {
namespace {

// ---- 1. registration: version 22 only added bfloat16 ----

std::vector<OpVersion> max_roi_pool_versions() {
  const std::map<std::string, AttrType> a = {{"pooled_shape", AttrType::Ints},
                                             {"spatial_scale", AttrType::Float}};
  return {{1, 21, float_dtypes(), a}, {22, kOpsetOpen, float_dtypes_bf16(), a}};
}

// ---- 2. attributes ----

struct PoolAttrs {
  int64_t height = 1, width = 1;
  double spatial_scale = 1;
};

PoolAttrs read_pool_attrs(const Attrs& attrs, const std::string& label) {
  if (!attrs.has("pooled_shape")) fail(label, ": the 'pooled_shape' attribute is required");
  const std::vector<int64_t> shape = attrs.get_ints("pooled_shape");
  if (shape.size() != 2)
    fail(label, ": pooled_shape must have 2 values (height, width), got ", shape.size());
  PoolAttrs p;
  p.height = shape[0];
  p.width = shape[1];
  if (p.height < 1 || p.width < 1 || p.height > (1 << 24) || p.width > (1 << 24))
    fail(label, ": pooled_shape values must be in [1, 2^24], got ", p.height, " and ", p.width);
  p.spatial_scale = attrs.get_float("spatial_scale", 1.0f);
  if (!std::isfinite(p.spatial_scale))
    fail(label, ": spatial_scale must be finite, got ", p.spatial_scale);
  return p;
}

// ---- 3. shape rule: Y = (num_rois, C, pooled_h, pooled_w) ----

void infer_max_roi_pool(InferContext& ctx) {
  const PoolAttrs p = read_pool_attrs(Attrs(ctx.node(), ctx.label()), ctx.label());
  const TypeInfo& x = ctx.input(0);
  const TypeInfo& rois = ctx.input(1);
  if (x.has_shape() && x.shape->size() != 4)
    ctx.fail(cat("X must have rank 4, got rank ", x.shape->size()));
  if (rois.has_shape() && rois.shape->size() != 2)
    ctx.fail(cat("rois must have rank 2, got rank ", rois.shape->size()));
  const Dim rois_n = rois.has_shape() ? (*rois.shape)[0] : Dim{};
  const Dim c = x.has_shape() ? (*x.shape)[1] : Dim{};
  ctx.set_output(0, TypeInfo::tensor(x.elem, std::vector<Dim>{rois_n, c, Dim::known(p.height),
                                                              Dim::known(p.width)}));
}

// ---- 4. compute ----

// A scaled corner coordinate as a whole element index: round half to even (the reference's
// Python round), clamped far outside any tensor so the arithmetic below cannot overflow.
int64_t corner(double v, double scale) {
  const double r = std::nearbyint(std::clamp(v * scale, -1e15, 1e15));
  return static_cast<int64_t>(r);
}

class MaxRoiPoolKernel final : public Kernel {
 public:
  explicit MaxRoiPoolKernel(const KernelInit& init)
      : label_(init.label()), attrs_(read_pool_attrs(init.attrs(), label_)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& rois = ctx.input(1);
    if (x.rank() != 4) ctx.fail(cat("X must have rank 4, got ", x.describe()));
    if (rois.rank() != 2 || rois.dim(1) != 5)
      ctx.fail(cat("rois must have shape [num_rois, 5], got ", rois.describe()));
    if (rois.dtype() != x.dtype()) ctx.fail("rois must have the dtype of X");
    const int64_t R = rois.dim(0), N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
    const int64_t PH = attrs_.height, PW = attrs_.width;
    Tensor& y = ctx.allocate_output(0, x.dtype(), {R, C, PH, PW});
    if (y.numel() == 0) return;
    dispatch<FloatTypes>(x.dtype(), "MaxRoiPool", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* px = x.data<T>();
      const T* pr = rois.data<T>();
      T* py = y.data<T>();
      for (int64_t r = 0; r < R; ++r) {
        const T* roi = pr + r * 5;
        const double b = static_cast<double>(roi[0]);
        if (!(b >= 0 && b < static_cast<double>(N)) || b != std::floor(b))
          ctx.fail(cat("roi ", r, " names batch ", b, ", not an index in [0, ", N, ")"));
        const int64_t n = static_cast<int64_t>(b);
        const double s = attrs_.spatial_scale;
        const int64_t x1 = corner(static_cast<double>(roi[1]), s);
        const int64_t y1 = corner(static_cast<double>(roi[2]), s);
        const int64_t x2 = corner(static_cast<double>(roi[3]), s);
        const int64_t y2 = corner(static_cast<double>(roi[4]), s);
        // Both corners are inside the region, which is never smaller than one element.
        const double bin_h = static_cast<double>(std::max<int64_t>(y2 - y1 + 1, 1)) / PH;
        const double bin_w = static_cast<double>(std::max<int64_t>(x2 - x1 + 1, 1)) / PW;
        auto clip = [](double v, int64_t start, int64_t len) {
          return std::clamp<int64_t>(static_cast<int64_t>(v) + start, 0, len);
        };
        for (int64_t c = 0; c < C; ++c) {
          const T* plane = px + (n * C + c) * H * W;
          T* out = py + (r * C + c) * PH * PW;
          for (int64_t ph = 0; ph < PH; ++ph) {
            const int64_t h0 = clip(std::floor(ph * bin_h), y1, H);
            const int64_t h1 = clip(std::ceil((ph + 1) * bin_h), y1, H);
            for (int64_t pw = 0; pw < PW; ++pw) {
              const int64_t w0 = clip(std::floor(pw * bin_w), x1, W);
              const int64_t w1 = clip(std::ceil((pw + 1) * bin_w), x1, W);
              // Compared in double, which holds every value of each type exactly.
              double best = h1 > h0 && w1 > w0 ? -std::numeric_limits<double>::infinity() : 0.0;
              for (int64_t h = h0; h < h1; ++h)
                for (int64_t w = w0; w < w1; ++w)
                  best = std::max(best, static_cast<double>(plane[h * W + w]));
              out[ph * PW + pw] = static_cast<T>(best);
            }
          }
        }
      }
    });
  }

 private:
  std::string label_;
  PoolAttrs attrs_;
};

}  // namespace

void register_max_roi_pool(Registry& registry) {
  add_op_versions(registry, "MaxRoiPool", max_roi_pool_versions(), make_kernel<MaxRoiPoolKernel>(),
                  infer_max_roi_pool);
}

}  // namespace onyx
