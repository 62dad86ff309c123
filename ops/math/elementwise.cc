#include "math/elementwise.h"

namespace onyx {

void infer_binary_elementwise(InferContext& ctx, const LegacyBroadcast& legacy, DType elem) {
  const TypeInfo& a = ctx.input(0);
  if (elem == DType::Undefined) elem = a.elem;
  if (legacy.enabled) return ctx.set_output(0, TypeInfo::tensor(elem, a.shape));
  std::optional<std::vector<Dim>> shape;
  try {
    shape = broadcast_dims(a.shape, ctx.input(1).shape, "inputs");
  } catch (const Error& e) {
    ctx.fail(e);
  }
  ctx.set_output(0, TypeInfo::tensor(elem, shape));
}

void infer_variadic_elementwise(InferContext& ctx, bool broadcast, DType elem) {
  if (ctx.num_inputs() < 1) ctx.fail("needs at least one input");
  std::optional<std::vector<Dim>> shape = ctx.input(0).shape;
  for (int i = 1; i < ctx.num_inputs(); ++i) {
    const std::optional<std::vector<Dim>>& next = ctx.input(i).shape;
    if (broadcast) {
      try {
        shape = broadcast_dims(shape, next, "inputs");
      } catch (const Error& e) {
        ctx.fail(e);
      }
    } else if (!shape) {
      shape = next;
    } else if (next) {  // one shape for all: keep the better known dim of each pair
      if (next->size() != shape->size())
        ctx.fail(cat("inputs must have one shape (no broadcasting before opset 8), got ranks ",
                     shape->size(), " and ", next->size()));
      for (size_t d = 0; d < shape->size(); ++d) {
        Dim& have = (*shape)[d];
        const Dim& other = (*next)[d];
        if (have.is_known() && other.is_known() && have.value != other.value)
          ctx.fail(cat("inputs must have one shape (no broadcasting before opset 8), got dims ",
                       have.value, " and ", other.value));
        if (!have.is_known() && other.is_known()) have = other;
      }
    }
  }
  ctx.set_output(0, TypeInfo::tensor(elem == DType::Undefined ? ctx.input(0).elem : elem, shape));
}

}  // namespace onyx
