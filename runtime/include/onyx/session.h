// The public entry point: load a model once, run it many times.
//
//   onyx::Session session = onyx::load_session("model.onnx");   // onyx/onyx.h
//   auto outputs = session.run({{"input", tensor}});
//
// Creation checks the model, infers shapes, orders the graph, builds every kernel
// and plans value lifetimes; run() only computes. run() may be called from several
// threads at once.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "onyx/ir.h"
#include "onyx/optimizer.h"
#include "onyx/registry.h"
#include "onyx/runtime_value.h"
#include "onyx/tensor.h"

namespace onyx {

class Profiler;  // onyx/profiler.h

struct SessionOptions {
  // SessionOptions{threads, check_model}, as callers have always written it.
  SessionOptions(int threads_ = 0, bool check_model_ = true)  // NOLINT: implicit on purpose
      : threads(threads_), check_model(check_model_) {}

  int threads = 0;          // 0: one per hardware core
  bool check_model = true;  // run the checker at load
  RuntimeLimits limits;     // Loop iterations, sequence length, subgraph nesting
  // Run the plain reference kernels only (no packed GEMM, Winograd or vector math):
  // the readable oracle the fast kernels are tested against.
  bool reference_kernels = false;
  // How far the graph is rewritten before it runs (onyx/optimizer.h).
  OptimizationLevel optimization = OptimizationLevel::All;
  // Free the initializers that kernels keep in a form of their own (packed weights)
  // and never read as they were. model() then lacks them.
  bool free_packed_weights = true;
  // Place intermediates of static shape in one planned buffer per concurrent run,
  // reused from run to run (MemoryPlan in onyx/planner.h), rather than on the heap.
  bool memory_arena = true;
  // Time every node of every run (onyx/profiler.h); Session::profiler() has the events.
  bool profiling = false;
};

struct IOInfo {
  std::string name;
  TypeInfo type;  // declared (inputs) or inferred (outputs) dtype and shape
};

// Where session creation spent its time, in milliseconds. Each phase is >= 0 and
// their sum is at most total_ms (the rest is bookkeeping between phases).
struct LoadSplit {
  double parse = 0;     // file -> IR (zero when the session was given a Model)
  double check = 0;     // function expansion, opset resolution and the checker
  double optimize = 0;  // graph rewrites, with the shape inference they rerun
  double infer = 0;     // shape inference of the graph as it will run
  double plan = 0;      // topological order and value lifetimes
  double prepack = 0;   // kernel construction: attributes, packed weights, subgraphs
  double total = 0;     // the whole constructor, parse included
};

// Intermediate memory as planned for some set of input shapes.
struct PlannedMemory {
  int64_t peak_bytes = 0;   // largest sum of live intermediate tensors of known shape
  int64_t arena_bytes = 0;  // the arena they are placed in (0 without one)
};

struct SessionStats {
  LoadSplit load;                  // session creation, phase by phase
  int64_t planned_peak_bytes = 0;  // largest sum of live intermediate tensors (static shapes)
  int64_t arena_bytes = 0;         // the planned arena of those static shapes
  int nodes = 0;                   // nodes that run, after optimization
  OptimizationReport optimization;
};

class Session {
 public:
  Session(const Registry& registry, const std::string& path, SessionOptions options = {});
  Session(const Registry& registry, Model model, SessionOptions options = {});
  static Session from_bytes(const Registry& registry, std::string_view bytes,
                            SessionOptions options = {}, const std::string& base_dir = "");
  ~Session();
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;

  const std::vector<IOInfo>& inputs() const;
  const std::vector<IOInfo>& outputs() const;
  const Model& model() const;  // as it runs: after optimization, packed weights freed
  const SessionStats& stats() const;
  int threads() const;
  // The timings of the runs so far when SessionOptions::profiling is on; null otherwise.
  Profiler* profiler() const;

  // Runs the graph. `feeds` maps input names to tensors (validated against declared
  // dtypes and static dims). Returns the outputs named in `output_names` in that
  // order, or every graph output when it is empty.
  std::vector<Tensor> run(const std::map<std::string, Tensor>& feeds,
                          const std::vector<std::string>& output_names = {}) const;
  // The same for models whose inputs or outputs are sequences or optionals.
  std::vector<RuntimeValue> run_values(const std::map<std::string, RuntimeValue>& feeds,
                                       const std::vector<std::string>& output_names = {}) const;
  // The memory plan of a run with feeds of these shapes: for a model whose inputs leave
  // dims open (a symbolic batch), the plan that run() makes for them and keeps.
  PlannedMemory planned_memory(const std::map<std::string, RuntimeValue>& feeds) const;

 private:
  Session(const Registry& registry, Model model, SessionOptions options, double parse_ms);
  // The bodies of run_values and planned_memory, before their errors are classified.
  std::vector<RuntimeValue> run_checked(const std::map<std::string, RuntimeValue>& feeds,
                                        const std::vector<std::string>& output_names) const;
  PlannedMemory plan_for(const std::map<std::string, RuntimeValue>& feeds) const;

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace onyx
