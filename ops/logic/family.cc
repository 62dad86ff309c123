// The logic family: logic and comparison: And, Or, Xor, Not, Equal, Greater, Less, Where, ...
#include "common/families.h"

namespace onyx {

void register_logic(Registry& registry) {
  (void)registry;  // operators are added here as their files land
}

}  // namespace onyx
