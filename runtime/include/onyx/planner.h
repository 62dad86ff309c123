// The static memory plan: when each intermediate value dies (so its buffer is
// released right after its last reader) and the peak bytes of live intermediates,
// from the inferred static shapes.
#pragma once

#include <cstdint>
#include <vector>

#include "onyx/ir.h"

namespace onyx {

struct MemoryPlan {
  // release_after[k]: value ids whose last reader is the k-th step of `order`.
  std::vector<std::vector<int>> release_after;
  int64_t peak_bytes = 0;  // intermediates only; unknown shapes count as 0
};

MemoryPlan plan_memory(const Graph& graph, const std::vector<int>& order,
                       const std::vector<TypeInfo>& types);

}  // namespace onyx
