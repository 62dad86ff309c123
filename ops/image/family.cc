// The image family: resampling (Resize, Upsample, GridSample), RoiAlign and
// NonMaxSuppression.
#include "common/families.h"
#include "image/image_ops.h"

namespace onyx {

void register_image(Registry& registry) {
  register_resize(registry);
  register_grid_sample(registry);
  register_roi_align(registry);
  register_nms(registry);
}

}  // namespace onyx
