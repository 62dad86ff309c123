// The sequence family: sequences of tensors and optionals as values: Sequence*,
// SplitToSequence, ConcatFromSequence, SequenceMap, Optional*.
#pragma once

#include "onyx/kernel.h"
#include "onyx/registry.h"

namespace onyx {

void register_sequence_basics(Registry& registry);  // Empty, Construct, Insert, At, Erase, Length
void register_split_to_sequence(Registry& registry);
void register_concat_from_sequence(Registry& registry);
void register_sequence_map(Registry& registry);
void register_optional(Registry& registry);

// The element type of a sequence (or optional) type; Unknown when not known.
TypeInfo element_type(const TypeInfo& container);
// Checks a new sequence length against RuntimeLimits::max_sequence_length.
void check_sequence_length(const KernelContext& ctx, size_t length);

}  // namespace onyx
