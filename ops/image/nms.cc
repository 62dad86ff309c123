// NonMaxSuppression: per image and class, visits boxes by decreasing score (ties: lower box
// index first), drops those with score <= score_threshold (when given), and keeps a box
// unless its intersection over union with an already kept box of the same class exceeds
// iou_threshold; at most max_output_boxes_per_class boxes are kept (0 or absent: none).
// Boxes are [y1, x1, y2, x2] with either corner pair first (center_point_box 0) or
// [x_center, y_center, width, height] (center_point_box 1). Output rows are
// [batch, class, box], in order of selection, batch-major then class-major.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/dtype_lists.h"
#include "common/shape_utils.h"
#include "image/image_ops.h"

namespace onyx {
namespace {

// ---- 1. registration (11 only rewords the spec) ----

std::vector<OpVersion> nms_versions() {
  const std::map<std::string, AttrType> a = {{"center_point_box", AttrType::Int}};
  return {{10, 10, {DType::Float}, a}, {11, kOpsetOpen, {DType::Float}, a}};
}

// ---- 2. attributes ----

bool read_center_point_box(const Attrs& attrs, const std::string& label) {
  const int64_t v = attrs.get_int("center_point_box", 0);
  if (v != 0 && v != 1) fail(label, ": center_point_box must be 0 or 1, got ", v);
  return v == 1;
}

// ---- 3. shape rule: [num_selected, 3] int64 ----

void infer_nms(InferContext& ctx) {
  read_center_point_box(Attrs(ctx.node(), ctx.label()), ctx.label());
  ctx.set_output(0, TypeInfo::tensor(DType::Int64, std::vector<Dim>{Dim{}, Dim::known(3)}));
}

// ---- 4. compute ----

struct Box {
  float y_min, x_min, y_max, x_max;
};

Box corners(const float* b, bool center) {
  if (center) return {b[1] - b[3] / 2, b[0] - b[2] / 2, b[1] + b[3] / 2, b[0] + b[2] / 2};
  return {std::min(b[0], b[2]), std::min(b[1], b[3]), std::max(b[0], b[2]), std::max(b[1], b[3])};
}

bool overlaps_too_much(const Box& a, const Box& b, float iou_threshold) {
  const float ix = std::min(a.x_max, b.x_max) - std::max(a.x_min, b.x_min);
  const float iy = std::min(a.y_max, b.y_max) - std::max(a.y_min, b.y_min);
  if (ix <= 0 || iy <= 0) return false;
  const float inter = ix * iy;
  const float area_a = (a.x_max - a.x_min) * (a.y_max - a.y_min);
  const float area_b = (b.x_max - b.x_min) * (b.y_max - b.y_min);
  const float uni = area_a + area_b - inter;
  if (area_a <= 0 || area_b <= 0 || uni <= 0) return false;
  return inter / uni > iou_threshold;
}

class NmsKernel final : public Kernel {
 public:
  explicit NmsKernel(const KernelInit& init)
      : label_(init.label()), center_(read_center_point_box(init.attrs(), label_)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& boxes = ctx.input(0);
    const Tensor& scores = ctx.input(1);
    if (boxes.rank() != 3 || boxes.dim(2) != 4)
      ctx.fail(cat("boxes must have shape [batches, boxes, 4], got ", boxes.describe()));
    if (scores.rank() != 3 || scores.dim(0) != boxes.dim(0) || scores.dim(2) != boxes.dim(1))
      ctx.fail(cat("scores must have shape [", boxes.dim(0), ", classes, ", boxes.dim(1), "], got ",
                   scores.describe()));
    if (scores.dtype() != DType::Float) ctx.fail("scores must be float like boxes");
    const int64_t max_out = std::max<int64_t>(0, scalar_int(ctx, 2, "max_output_boxes_per_class"));
    const float iou = scalar_float(ctx, 3, "iou_threshold", 0.0f);
    if (!(iou >= 0 && iou <= 1)) ctx.fail(cat("iou_threshold must be in [0, 1], got ", iou));
    const bool thresholded = ctx.has_input(4) && ctx.input(4).numel() > 0;
    const float min_score = scalar_float(ctx, 4, "score_threshold", 0.0f);
    const int64_t B = boxes.dim(0), K = scores.dim(1), M = boxes.dim(1);
    const float* pb = boxes.data<float>();
    const float* ps = scores.data<float>();
    std::vector<int64_t> rows;  // flattened [batch, class, box] triples
    std::vector<int64_t> order;
    std::vector<Box> kept;
    for (int64_t b = 0; b < B; ++b) {
      for (int64_t k = 0; k < K; ++k) {
        const float* s = ps + (b * K + k) * M;
        order.clear();
        for (int64_t i = 0; i < M; ++i)
          if (!std::isnan(s[i]) && (!thresholded || s[i] > min_score))
            order.push_back(i);  // NaN: unrankable
        std::stable_sort(order.begin(), order.end(),
                         [&](int64_t i, int64_t j) { return s[i] > s[j]; });
        kept.clear();
        for (int64_t i : order) {
          if (static_cast<int64_t>(kept.size()) >= max_out) break;
          const Box box = corners(pb + (b * M + i) * 4, center_);
          const bool suppressed = std::any_of(kept.begin(), kept.end(), [&](const Box& other) {
            return overlaps_too_much(box, other, iou);
          });
          if (suppressed) continue;
          kept.push_back(box);
          rows.insert(rows.end(), {b, k, i});
        }
      }
    }
    const int64_t n = static_cast<int64_t>(rows.size() / 3);
    Tensor& out = ctx.allocate_output(0, DType::Int64, {n, 3});
    std::copy(rows.begin(), rows.end(), out.data<int64_t>());
  }

 private:
  // Optional one-element inputs: absent or empty ones take the spec's default.
  static int64_t scalar_int(KernelContext& ctx, int i, const char* what) {
    if (!ctx.has_input(i) || ctx.input(i).numel() == 0) return 0;
    const std::vector<int64_t> v = tensor_to_ints(ctx.input(i), what, ctx);
    if (v.size() != 1) ctx.fail(cat(what, " must hold one value, got ", ctx.input(i).describe()));
    return v[0];
  }
  static float scalar_float(KernelContext& ctx, int i, const char* what, float fallback) {
    if (!ctx.has_input(i) || ctx.input(i).numel() == 0) return fallback;
    const Tensor& t = ctx.input(i);
    if (t.dtype() != DType::Float || t.numel() != 1)
      ctx.fail(cat(what, " must be one float, got ", t.describe()));
    return t.data<float>()[0];
  }

  std::string label_;
  bool center_ = false;
};

}  // namespace

void register_nms(Registry& registry) {
  add_op_versions(registry, "NonMaxSuppression", nms_versions(), make_kernel<NmsKernel>(),
                  infer_nms);
}

}  // namespace onyx
