// A graph attribute (an If branch, a Loop or Scan body) compiled once when its node's
// kernel is built: shapes inferred, order fixed, kernels built, lifetimes planned.
// Control-flow kernels run it any number of times.
#pragma once

#include <memory>
#include <vector>

#include "onyx/ir.h"
#include "onyx/kernel.h"
#include "onyx/runtime_value.h"

namespace onyx {

class ArenaPool;
class GraphExecutor;

// The values of one running graph, linked to the graph it is nested in, so a
// subgraph can read the names it takes from enclosing scopes.
struct Frame {
  const std::vector<RuntimeValue>* slots = nullptr;
  const Frame* parent = nullptr;
};

class Subgraph {
 public:
  explicit Subgraph(std::unique_ptr<GraphExecutor> executor);
  ~Subgraph();
  Subgraph(const Subgraph&) = delete;
  Subgraph& operator=(const Subgraph&) = delete;

  int num_inputs() const;
  int num_outputs() const;
  // Declared or inferred types of the formal inputs and outputs.
  const TypeInfo& input_type(int i) const;
  const TypeInfo& output_type(int i) const;

  // Runs the graph with `inputs` bound to its formal inputs, in order; names taken
  // from enclosing scopes are read through ctx.frame(). Returns the graph outputs.
  // Intermediates of known shape go to an arena planned once, at construction, and
  // reused from call to call (a Loop body's iterations allocate only their outputs).
  std::vector<RuntimeValue> run(const KernelContext& ctx, std::vector<RuntimeValue> inputs) const;

 private:
  std::unique_ptr<GraphExecutor> executor_;
  std::unique_ptr<ArenaPool> arenas_;  // null when nothing has a known shape
};

}  // namespace onyx
