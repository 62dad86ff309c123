// Cutting tensors into pieces along an axis and joining pieces back: shared by the
// control-flow and sequence operators (Scan slices, Loop stacks, SplitToSequence,
// ConcatFromSequence). Pieces are copies; any dtype, strings and packed types included.
#pragma once

#include <vector>

#include "onyx/ir.h"
#include "onyx/kernel.h"
#include "onyx/tensor.h"

namespace onyx {

// Elements [start, start + length) of `t` along `axis` (the axis kept, of size length).
Tensor narrow(const Tensor& t, int axis, int64_t start, int64_t length);
// Slice `index` of `t` along `axis`, with that axis removed.
Tensor slice_along(const Tensor& t, int axis, int64_t index);
// Joins tensors of one dtype and rank whose dims agree except along `axis`.
Tensor concat_along(const std::vector<Tensor>& items, int axis, const KernelContext& ctx);
// Stacks equally shaped tensors along a new axis (axis in [0, rank]). An empty list
// gives a 0-length stack shaped by `element` (its unknown dims taken as 0).
Tensor stack_tensors(const std::vector<Tensor>& items, int axis, const TypeInfo& element,
                     const KernelContext& ctx);

}  // namespace onyx
