// The optimizer's driver: the passes in order, each over fresh inferred types.
#include "onyx/optimizer.h"

#include <functional>

#include "passes.h"

namespace onyx {

namespace {

struct Pass {
  const char* name;
  int (*run)(passes::GraphEdit&);
  OptimizationLevel level;  // the lowest level that runs it
};

// Folding first, so later passes see folded constants (Clip bounds, BN parameters);
// no-ops removed before merging, so Transpose -> Cast(same) -> Transpose merges; BN
// folding before epilogue fusion, so Conv -> BN -> Relu fuses whole; GELU before epilogue
// and bias fusion, which take it as an activation; attention before bias fusion, so that
// its MatMuls are still plain MatMuls; Add + LayerNormalization last, so that a residual
// Add a product's epilogue can take goes there first.
constexpr Pass kPasses[] = {
    {"fold_constants", passes::fold_constants, OptimizationLevel::Basic},
    {"eliminate_identities", passes::eliminate_identities, OptimizationLevel::Basic},
    {"eliminate_noops", passes::eliminate_noops, OptimizationLevel::Basic},
    {"merge_transposes_reshapes", passes::merge_transposes_reshapes, OptimizationLevel::Basic},
    {"fuse_conv_batchnorm", passes::fuse_conv_batchnorm, OptimizationLevel::Basic},
    {"fuse_gelu", passes::fuse_gelu, OptimizationLevel::All},
    {"fuse_epilogues", passes::fuse_epilogues, OptimizationLevel::All},
    {"fuse_layer_norm", passes::fuse_layer_norm, OptimizationLevel::All},
    {"fuse_rms_norm", passes::fuse_rms_norm, OptimizationLevel::All},
    {"fuse_attention", passes::fuse_attention, OptimizationLevel::All},
    {"fuse_matmul_bias", passes::fuse_matmul_bias, OptimizationLevel::All},
    {"fuse_add_layer_norm", passes::fuse_add_layer_norm, OptimizationLevel::All},
};

}  // namespace

const char* optimization_level_name(OptimizationLevel level) {
  switch (level) {
    case OptimizationLevel::None:
      return "none";
    case OptimizationLevel::Basic:
      return "basic";
    case OptimizationLevel::All:
      return "all";
  }
  return "?";
}

std::optional<OptimizationLevel> parse_optimization_level(std::string_view name) {
  for (OptimizationLevel level :
       {OptimizationLevel::None, OptimizationLevel::Basic, OptimizationLevel::All})
    if (name == optimization_level_name(level)) return level;
  return std::nullopt;
}

OptimizationReport optimize_graph(Graph& graph, OptimizationLevel level,
                                  const ShapeRuleLookup& rules, const OptimizerTarget& target) {
  OptimizationReport report;
  report.nodes_before = static_cast<int>(graph.nodes.size());
  InferenceResult inferred;
  bool stale = true;  // types must be inferred again after a pass changed the graph
  auto run = [&](const char* name, const std::function<int(passes::GraphEdit&)>& pass) {
    if (stale) inferred = infer_shapes(graph, rules);
    // Moved, not copied: a copy would hold every constant's storage a second time, and
    // a pass could not tell that the graph alone holds a weight.
    passes::GraphEdit edit(graph, std::move(inferred));
    const int rewrites = pass(edit);
    edit.compact();
    stale = rewrites > 0;
    if (!stale) inferred = edit.release_inference();  // still current: nothing changed
    report.rewrites.emplace_back(name, rewrites);
  };
  for (const Pass& pass : kPasses)
    if (static_cast<int>(level) >= static_cast<int>(pass.level)) run(pass.name, pass.run);
  // Last, over the fused convolutions: the layout the CPU's kernels prefer.
  if (level == OptimizationLevel::All && target.channel_block > 0)
    run("blocked_layout", [&](passes::GraphEdit& edit) {
      return passes::blocked_layout(edit, target.channel_block);
    });
  report.nodes_after = static_cast<int>(graph.nodes.size());
  return report;
}

}  // namespace onyx
