// The reduce family: reductions: Reduce*, ArgMax/ArgMin, CumSum, CumProd, TopK
#include "common/families.h"
#include "reduce/reduce.h"

namespace onyx {

void register_reduce(Registry& registry) {
  register_reductions(registry);
  register_arg_reduce(registry);
  register_cumulative(registry);
  register_topk(registry);
}

}  // namespace onyx
