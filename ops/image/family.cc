// The image family: resampling (Resize, Upsample, GridSample, AffineGrid), RoiAlign,
// NonMaxSuppression and Col2Im.
#include "common/families.h"
#include "image/image_ops.h"

namespace onyx {

void register_image(Registry& registry) {
  register_resize(registry);
  register_grid_sample(registry);
  register_roi_align(registry);
  register_nms(registry);
  register_col2im(registry);
  register_affine_grid(registry);
}

}  // namespace onyx
