// The graph optimizer: rewrites a checked graph into one that computes the same outputs
// with fewer, fused nodes, before the session builds its kernels. One pass per file
// under graph/passes/; this is their driver.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "onyx/ir.h"
#include "onyx/shape_inference.h"

namespace onyx {

enum class OptimizationLevel {
  None,   // the graph runs exactly as written
  Basic,  // rewrites that leave only ONNX operators: constant folding, Identity and
          // inference-mode Dropout removal, BatchNormalization folded into Conv
  All,    // Basic, then fusions into Onyx's own operators (onyx/fused_ops.h)
};

const char* optimization_level_name(OptimizationLevel level);
// "none", "basic" or "all"; nullopt for anything else.
std::optional<OptimizationLevel> parse_optimization_level(std::string_view name);

struct OptimizationReport {
  int nodes_before = 0;
  int nodes_after = 0;
  std::vector<std::pair<std::string, int>> rewrites;  // pass name, sites it rewrote
};

// What the kernels that will run the graph prefer, for the passes that depend on it.
struct OptimizerTarget {
  // The channel block of the CPU's blocked convolutions (kernels/nchwc), or 0 where
  // there are none: the blocked_layout pass (level All) runs only where it is positive.
  int64_t channel_block = 0;
};

// Optimizes the top-level graph of a checked model in place. `rules` are the operators'
// shape rules: passes read inferred shapes and load-time constants through them.
// Subgraphs (If/Loop/Scan bodies) are left as they are.
OptimizationReport optimize_graph(Graph& graph, OptimizationLevel level,
                                  const ShapeRuleLookup& rules, const OptimizerTarget& target = {});

}  // namespace onyx
