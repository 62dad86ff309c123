// The image family: resampling (Resize, Upsample, GridSample, AffineGrid), RoiAlign, MaxRoiPool,
// NonMaxSuppression, Col2Im and ImageDecoder.
#include "common/families.h"
#include "image/image_ops.h"

namespace onyx {

void register_image(Registry& registry) {
  register_resize(registry);
  register_grid_sample(registry);
  register_roi_align(registry);
  register_max_roi_pool(registry);
  register_nms(registry);
  register_col2im(registry);
  register_affine_grid(registry);
  register_image_decoder(registry);
}

}  // namespace onyx
