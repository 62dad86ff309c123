// The operators of the image family, one register function per kernel file.
#pragma once

#include "onyx/registry.h"

namespace onyx {

void register_resize(Registry& registry);       // resize.cc: Resize, Upsample
void register_grid_sample(Registry& registry);  // grid_sample.cc: GridSample
void register_roi_align(Registry& registry);    // roi_align.cc: RoiAlign
void register_nms(Registry& registry);          // nms.cc: NonMaxSuppression

}  // namespace onyx
