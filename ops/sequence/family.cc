// The sequence family: Sequence*, SplitToSequence, ConcatFromSequence, SequenceMap,
// and the optional operators.
#include "common/families.h"
#include "common/shape_utils.h"
#include "sequence/sequence_ops.h"

namespace onyx {

TypeInfo element_type(const TypeInfo& container) {
  if ((container.kind == TypeInfo::Kind::Sequence || container.kind == TypeInfo::Kind::Optional) &&
      container.inner)
    return *container.inner;
  return {};
}

void check_sequence_length(const KernelContext& ctx, size_t length) {
  const int64_t cap = ctx.limits().max_sequence_length;
  if (static_cast<int64_t>(length) > cap)
    ctx.fail(ErrorKind::limit_exceeded,
             cat("a sequence of ", length, " tensors exceeds the limit of ", cap,
                 " (RuntimeLimits::max_sequence_length)"));
}

void register_sequence(Registry& registry) {
  register_sequence_basics(registry);
  register_split_to_sequence(registry);
  register_concat_from_sequence(registry);
  register_sequence_map(registry);
  register_optional(registry);
}

}  // namespace onyx
