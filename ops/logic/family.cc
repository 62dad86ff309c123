// The logic family: logic and comparison: And, Or, Xor, Not, Equal, Greater, GreaterOrEqual,
// Less, LessOrEqual, Where.
#include "common/families.h"
#include "logic/logic.h"

namespace onyx {

void register_logic(Registry& registry) {
  register_compare(registry);
  register_logical(registry);
  register_where(registry);
}

}  // namespace onyx
