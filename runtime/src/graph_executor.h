// Runs one graph: the top-level graph of a Session or a subgraph of a control-flow
// node. Everything that can be decided before the first run is decided at
// construction: shapes, order, kernels, lifetimes, where outer-scope names live.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "onyx/ir.h"
#include "onyx/planner.h"
#include "onyx/registry.h"
#include "onyx/runtime_value.h"
#include "onyx/subgraph.h"
#include "onyx/thread_pool.h"

namespace onyx {

class Arena;

class GraphExecutor {
 public:
  // `parent` is the executor of the enclosing graph (null at top level); `input_hints`
  // type the formal inputs the file leaves undeclared. `on_dropped` is told each
  // initializer that no kernel reads at run time, as soon as that is known, for the
  // owner of the graph to free it.
  GraphExecutor(const Graph& graph, const Registry& registry, const ThreadPool& pool,
                const RuntimeLimits& limits, bool reference_kernels, bool memory_arena,
                const GraphExecutor* parent, const std::vector<TypeInfo>& input_hints = {},
                std::function<void(int)> on_dropped = {});
  ~GraphExecutor();

  const Graph& graph() const { return graph_; }
  const TypeInfo& type(int id) const { return types_.at(static_cast<size_t>(id)); }
  const MemoryPlan& plan() const { return *plan_; }
  const std::shared_ptr<const MemoryPlan>& shared_plan() const { return plan_; }
  bool memory_arena() const { return memory_arena_; }
  // The plan for a run whose inputs have these types (their symbolic dims filled in):
  // shape inference reruns with them, so that the values they fix get arena blocks.
  // nullopt when inference fails on them (the kernels then report what is wrong).
  std::optional<MemoryPlan> plan_for_inputs(const std::map<int, TypeInfo>& input_types) const;
  // Milliseconds construction spent inferring shapes, building kernels (subgraphs
  // included) and ordering and planning.
  struct BuildTimes {
    double infer = 0;
    double prepack = 0;
    double plan = 0;
  };
  const BuildTimes& build_times() const { return build_times_; }
  // Initializers that every reader's kernel holds in its own form (packed weights)
  // and never reads at run time.
  const std::vector<int>& dropped_initializers() const { return dropped_initializers_; }
  int num_steps() const { return static_cast<int>(steps_.size()); }

  // Fresh value slots with the initializers in place.
  std::vector<RuntimeValue> new_slots() const;
  // The steps that the wanted values depend on.
  std::vector<bool> needed_steps(const std::vector<int>& wanted) const;
  // Runs the needed steps (all when `needed` is null) over `slots`, reading names
  // from enclosing scopes through `parent`. Outputs go to `arena` where planned there
  // (an Arena made from plan()), else to the heap.
  void run(std::vector<RuntimeValue>& slots, const std::vector<bool>* needed, const Frame* parent,
           Arena* arena = nullptr) const;

 private:
  // One node, ready to run: its kernel is built once, at construction.
  struct Step {
    int node = 0;
    std::string label;
    std::unique_ptr<Kernel> kernel;
  };
  struct OuterRef {
    int local = kNoValue;  // the value's id here
    int depth = 0;         // how many frames up it lives
    int id = kNoValue;     // its id in that frame's graph
  };

  void resolve_outer_refs();
  void build_steps();

  const Graph& graph_;
  const Registry& registry_;
  const ThreadPool& pool_;
  RuntimeLimits limits_;
  bool reference_kernels_;
  bool memory_arena_;  // whether runs place intermediates in planned arenas
  const GraphExecutor* parent_;
  std::function<void(int)> on_dropped_;
  int depth_ = 0;
  std::vector<TypeInfo> types_;  // per value id, after inference
  std::vector<Tensor> constants_;
  std::vector<Step> steps_;
  std::vector<int> order_;                       // node indices, as steps_ runs them
  std::vector<std::vector<OutputReuse>> reuse_;  // per step: Kernel::output_reuse
  std::vector<OuterRef> outer_refs_;
  SubgraphCompiler compiler_;
  std::shared_ptr<const MemoryPlan> plan_;
  BuildTimes build_times_;
  std::vector<int> dropped_initializers_;
};

}  // namespace onyx
