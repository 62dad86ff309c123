// The operators of the image family, one register function per kernel file.
#pragma once

#include "onyx/registry.h"

namespace onyx {

void register_resize(Registry& registry);        // resize.cc: Resize, Upsample
void register_grid_sample(Registry& registry);   // grid_sample.cc: GridSample
void register_roi_align(Registry& registry);     // roi_align.cc: RoiAlign
void register_max_roi_pool(Registry& registry);  // max_roi_pool.cc: MaxRoiPool
void register_nms(Registry& registry);           // nms.cc: NonMaxSuppression
void register_col2im(Registry& registry);        // col2im.cc: Col2Im
void register_affine_grid(Registry& registry);   // affine_grid.cc: AffineGrid

// image_decoder.cc: ImageDecoder (codecs in image/decode/)
void register_image_decoder(Registry& registry);

}  // namespace onyx
