// RoiAlign: pools each region of interest of X (N, C, H, W) into an output_height x
// output_width grid without rounding the region to whole elements. Region r covers
// rois[r] = (x1, y1, x2, y2) * spatial_scale of image batch_indices[r], shifted by -0.5
// with coordinate_transformation_mode half_pixel (opset 16's default; opset 10 has no
// shift, and forces regions to be at least 1x1). Each bin is sampled on a
// sampling_ratio x sampling_ratio grid (ceil(bin size) per axis when sampling_ratio is 0);
// a sample is the bilinear interpolation of its four neighbours (samples more than one
// element outside X are 0; positions in [-1, 0) read the edge). A bin is the average of
// its samples (mode avg), or the largest of the weighted neighbour terms w_i * X[i]
// (mode max, as the ONNX reference and ONNX Runtime compute it).
#include <algorithm>
#include <cmath>

#include "common/dtype_lists.h"
#include "common/shape_utils.h"
#include "image/image_ops.h"

namespace onyx {
namespace {

// ---- 1. registration ----

std::vector<OpVersion> roi_align_versions() {
  std::map<std::string, AttrType> a = {{"mode", AttrType::String},
                                       {"output_height", AttrType::Int},
                                       {"output_width", AttrType::Int},
                                       {"sampling_ratio", AttrType::Int},
                                       {"spatial_scale", AttrType::Float}};
  std::vector<OpVersion> v = {{10, 15, float_dtypes(), a}};
  a["coordinate_transformation_mode"] = AttrType::String;
  v.push_back({16, 21, float_dtypes(), a});
  v.push_back({22, kOpsetOpen, float_dtypes_bf16(), a});  // 22 only added bfloat16
  return v;
}

// ---- 2. attributes ----

struct RoiAttrs {
  bool max = false;
  bool half_pixel = false;
  int64_t height = 1, width = 1, sampling_ratio = 0;
  double spatial_scale = 1;
};

RoiAttrs read_roi_attrs(const Attrs& attrs, int opset, const std::string& label) {
  RoiAttrs r;
  const std::string mode = attrs.get_string("mode", "avg");
  if (mode != "avg" && mode != "max") fail(label, ": mode '", mode, "' is not avg or max");
  r.max = mode == "max";
  if (opset >= 16) {
    const std::string ct = attrs.get_string("coordinate_transformation_mode", "half_pixel");
    if (ct != "half_pixel" && ct != "output_half_pixel")
      fail(label, ": coordinate_transformation_mode '", ct,
           "' is not half_pixel or output_half_pixel");
    r.half_pixel = ct == "half_pixel";
  }
  r.height = attrs.get_int("output_height", 1);
  r.width = attrs.get_int("output_width", 1);
  r.sampling_ratio = attrs.get_int("sampling_ratio", 0);
  r.spatial_scale = attrs.get_float("spatial_scale", 1.0f);
  if (r.height < 1 || r.width < 1 || r.height > (1 << 24) || r.width > (1 << 24))
    fail(label, ": output_height and output_width must be in [1, 2^24], got ", r.height, " and ",
         r.width);
  if (r.sampling_ratio < 0 || r.sampling_ratio > (1 << 12))
    fail(label, ": sampling_ratio must be in [0, 4096], got ", r.sampling_ratio);
  return r;
}

// ---- 3. shape rule: Y = (num_rois, C, output_height, output_width) ----

void infer_roi_align(InferContext& ctx) {
  const RoiAttrs r = read_roi_attrs(Attrs(ctx.node(), ctx.label()), ctx.opset(), ctx.label());
  const TypeInfo& x = ctx.input(0);
  const TypeInfo& rois = ctx.input(1);
  if (x.has_shape() && x.shape->size() != 4)
    ctx.fail(cat("X must have rank 4, got rank ", x.shape->size()));
  const Dim rois_n = rois.has_shape() && !rois.shape->empty() ? (*rois.shape)[0] : Dim{};
  const Dim c = x.has_shape() ? (*x.shape)[1] : Dim{};
  ctx.set_output(0, TypeInfo::tensor(x.elem, std::vector<Dim>{rois_n, c, Dim::known(r.height),
                                                              Dim::known(r.width)}));
}

// ---- 4. compute ----

// One sample point: four input offsets in a plane and their bilinear weights.
struct Sample {
  int64_t pos[4] = {0, 0, 0, 0};
  double w[4] = {0, 0, 0, 0};
};

Sample bilinear_sample(double y, double x, int64_t H, int64_t W) {
  Sample s;
  if (y < -1.0 || y > double(H) || x < -1.0 || x > double(W)) return s;  // all weights 0
  y = std::max(y, 0.0);
  x = std::max(x, 0.0);
  int64_t y0 = static_cast<int64_t>(y), x0 = static_cast<int64_t>(x), y1 = y0 + 1, x1 = x0 + 1;
  if (y0 >= H - 1) y = double(y0 = y1 = H - 1);
  if (x0 >= W - 1) x = double(x0 = x1 = W - 1);
  const double ly = y - double(y0), lx = x - double(x0), hy = 1 - ly, hx = 1 - lx;
  s.pos[0] = y0 * W + x0;
  s.pos[1] = y0 * W + x1;
  s.pos[2] = y1 * W + x0;
  s.pos[3] = y1 * W + x1;
  s.w[0] = hy * hx;
  s.w[1] = hy * lx;
  s.w[2] = ly * hx;
  s.w[3] = ly * lx;
  return s;
}

class RoiAlignKernel final : public Kernel {
 public:
  explicit RoiAlignKernel(const KernelInit& init)
      : label_(init.label()), attrs_(read_roi_attrs(init.attrs(), init.opset(), label_)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& rois = ctx.input(1);
    const Tensor& batch = ctx.input(2);
    if (x.rank() != 4) ctx.fail(cat("X must have rank 4, got ", x.describe()));
    if (rois.rank() != 2 || rois.dim(1) != 4)
      ctx.fail(cat("rois must have shape [num_rois, 4], got ", rois.describe()));
    if (rois.dtype() != x.dtype()) ctx.fail("rois must have the dtype of X");
    const int64_t R = rois.dim(0), N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
    if (H == 0 || W == 0) ctx.fail(cat("X has no elements to pool: ", x.describe()));
    if (batch.rank() != 1 || batch.dim(0) != R)
      ctx.fail(cat("batch_indices must have shape [", R, "], got ", batch.describe()));
    const std::vector<int64_t> images = tensor_to_ints(batch, "batch_indices", ctx);
    for (int64_t b : images)
      if (b < 0 || b >= N) ctx.fail(cat("batch index ", b, " is out of range [0, ", N, ")"));
    const int64_t PH = attrs_.height, PW = attrs_.width;
    Tensor& y = ctx.allocate_output(0, x.dtype(), {R, C, PH, PW});
    if (y.numel() == 0) return;
    dispatch<FloatTypes>(x.dtype(), "RoiAlign", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* px = x.data<T>();
      const T* pr = rois.data<T>();
      T* py = y.data<T>();
      std::vector<Sample> samples;
      for (int64_t r = 0; r < R; ++r) {
        const int64_t gh_gw = plan_roi(pr + r * 4, H, W, samples);
        for (int64_t c = 0; c < C; ++c) {
          const T* plane = px + (images[static_cast<size_t>(r)] * C + c) * H * W;
          T* out = py + (r * C + c) * PH * PW;
          for (int64_t bin = 0; bin < PH * PW; ++bin) {
            double acc = 0;
            for (int64_t k = 0; k < gh_gw; ++k) {
              const Sample& s = samples[static_cast<size_t>(bin * gh_gw + k)];
              double v[4];
              for (int q = 0; q < 4; ++q) v[q] = s.w[q] * static_cast<double>(plane[s.pos[q]]);
              if (attrs_.max) {
                const double m = std::max({v[0], v[1], v[2], v[3]});
                acc = k == 0 ? m : std::max(acc, m);
              } else {
                acc += v[0] + v[1] + v[2] + v[3];
              }
            }
            if (!attrs_.max) acc /= static_cast<double>(std::max<int64_t>(gh_gw, 1));
            out[bin] =
                T(static_cast<std::conditional_t<std::is_same_v<T, double>, double, float>>(acc));
          }
        }
      }
    });
  }

 private:
  // The samples of every bin of one region (bin-major); returns samples per bin.
  template <class T>
  int64_t plan_roi(const T* roi, int64_t H, int64_t W, std::vector<Sample>& samples) const {
    const double shift = attrs_.half_pixel ? 0.5 : 0.0, scale = attrs_.spatial_scale;
    const double x1 = double(roi[0]) * scale - shift, y1 = double(roi[1]) * scale - shift;
    const double x2 = double(roi[2]) * scale - shift, y2 = double(roi[3]) * scale - shift;
    double rw = x2 - x1, rh = y2 - y1;
    if (!attrs_.half_pixel) {  // malformed regions become 1x1
      rw = std::max(rw, 1.0);
      rh = std::max(rh, 1.0);
    }
    if (!std::isfinite(rw) || !std::isfinite(rh) || !std::isfinite(x1) || !std::isfinite(y1))
      fail(label_, ": a region of interest has non-finite coordinates");
    const double bh = rh / double(attrs_.height), bw = rw / double(attrs_.width);
    auto grid = [&](double bin) {
      return attrs_.sampling_ratio > 0 ? attrs_.sampling_ratio
                                       : static_cast<int64_t>(std::ceil(std::max(bin, 0.0)));
    };
    const int64_t gh = grid(bh), gw = grid(bw);
    if (gh > (1 << 12) || gw > (1 << 12))
      fail(label_, ": a region of interest needs ", gh, " x ", gw,
           " samples per bin; it is far larger than X");
    samples.clear();
    for (int64_t ph = 0; ph < attrs_.height; ++ph)
      for (int64_t pw = 0; pw < attrs_.width; ++pw)
        for (int64_t iy = 0; iy < gh; ++iy) {
          const double yy = y1 + double(ph) * bh + (double(iy) + 0.5) * bh / double(gh);
          for (int64_t ix = 0; ix < gw; ++ix) {
            const double xx = x1 + double(pw) * bw + (double(ix) + 0.5) * bw / double(gw);
            samples.push_back(bilinear_sample(yy, xx, H, W));
          }
        }
    return gh * gw;
  }

  std::string label_;
  RoiAttrs attrs_;
};

}  // namespace

void register_roi_align(Registry& registry) {
  add_op_versions(registry, "RoiAlign", roi_align_versions(), make_kernel<RoiAlignKernel>(),
                  infer_roi_align);
}

}  // namespace onyx
