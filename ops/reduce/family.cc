// The reduce family: reductions: Reduce*, ArgMax/ArgMin, CumSum, TopK
#include "common/families.h"

namespace onyx {

void register_reduce(Registry& registry) {
  (void)registry;  // operators are added here as their files land
}

}  // namespace onyx
