#include "graph_executor.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "arena.h"
#include "onyx/profiler.h"
#include "onyx/shape_inference.h"
#include "onyx/topo.h"
#include "stopwatch.h"

namespace onyx {

GraphExecutor::GraphExecutor(const Graph& graph, const Registry& registry, const ThreadPool& pool,
                             const RuntimeLimits& limits, bool reference_kernels, bool memory_arena,
                             const GraphExecutor* parent, const std::vector<TypeInfo>& input_hints,
                             std::function<void(int)> on_dropped)
    : graph_(graph),
      registry_(registry),
      pool_(pool),
      limits_(limits),
      reference_kernels_(reference_kernels),
      memory_arena_(memory_arena),
      parent_(parent),
      on_dropped_(std::move(on_dropped)) {
  depth_ = parent ? parent->depth_ + 1 : 0;
  if (depth_ > limits_.max_subgraph_depth)
    fail_as(ErrorKind::limit_exceeded, "graph '", graph.name, "' is nested ", depth_,
            " subgraphs deep; the limit is ", limits_.max_subgraph_depth);
  resolve_outer_refs();

  // Types the file leaves open come from the enclosing graph or the caller's hints.
  std::map<int, TypeInfo> known;
  for (const OuterRef& ref : outer_refs_) {
    const GraphExecutor* owner = this;
    for (int d = 0; d < ref.depth; ++d) owner = owner->parent_;
    known[ref.local] = owner->type(ref.id);
  }
  for (size_t i = 0; i < input_hints.size() && i < graph.inputs.size(); ++i)
    if (input_hints[i].kind != TypeInfo::Kind::Unknown) known[graph.inputs[i]] = input_hints[i];
  const auto infer_start = Clock::now();
  InferenceResult inferred = infer_shapes(
      graph, [this](const Node& n) { return registry_.shape_rule(n); }, known);
  types_ = std::move(inferred.types);
  constants_ = std::move(inferred.constants);
  build_times_.infer = elapsed_ms(infer_start);

  compiler_ = [this](const Graph& sub, const std::vector<TypeInfo>& hints) {
    return std::make_unique<Subgraph>(std::make_unique<GraphExecutor>(
        sub, registry_, pool_, limits_, reference_kernels_, memory_arena_, this, hints));
  };
  build_steps();
}

GraphExecutor::~GraphExecutor() = default;

// Each name this graph takes from outside is found in the nearest enclosing graph
// that has it; at run time the value is copied from that frame.
void GraphExecutor::resolve_outer_refs() {
  for (int id = 0; id < static_cast<int>(graph_.values.size()); ++id) {
    const Value& v = graph_.value(id);
    if (!v.outer_scope) continue;
    int depth = 1;
    const GraphExecutor* scope = parent_;
    while (scope && scope->graph_.find(v.name) == kNoValue) {
      scope = scope->parent_;
      ++depth;
    }
    if (!scope) fail("graph '", graph_.name, "' uses '", v.name, "', which no enclosing graph has");
    outer_refs_.push_back({id, depth, scope->graph_.find(v.name)});
  }
}

void GraphExecutor::build_steps() {
  std::set<int> overridable;  // initializers listed as graph inputs: a feed may replace them
  for (int id : graph_.inputs)
    if (graph_.is_initializer(id)) overridable.insert(id);
  auto phase_start = Clock::now();
  std::vector<int> order = topological_order(graph_);
  build_times_.plan = elapsed_ms(phase_start);
  phase_start = Clock::now();
  // An initializer whose readers all keep their own form of it (packed weights) is
  // freed as soon as the last of their kernels is built, so that the originals and
  // their packed copies are not all held at once.
  const size_t values = graph_.values.size();
  std::vector<int> readers_left(values, 0);
  std::vector<bool> read_at_run_time(values, false);
  for (int index : order) {
    for (int v : graph_.nodes[index].inputs)
      if (v != kNoValue) ++readers_left[v];
    for (int v : implicit_inputs(graph_, graph_.nodes[index])) read_at_run_time[v] = true;
  }
  for (int v : graph_.outputs) read_at_run_time[v] = true;
  for (int v : overridable) read_at_run_time[v] = true;
  for (int index : order) {
    const Node& node = graph_.nodes[index];
    std::vector<DType> dtypes;
    std::vector<TypeInfo> in_types;
    std::vector<const Tensor*> in_consts;
    for (int v : node.inputs) {
      in_types.push_back(v == kNoValue ? TypeInfo{} : types_[v]);
      dtypes.push_back(v == kNoValue ? DType::Undefined : types_[v].elem);
      bool constant = v != kNoValue && constants_[v].defined() && !overridable.count(v);
      in_consts.push_back(constant ? &constants_[v] : nullptr);
    }
    std::vector<TypeInfo> out_types;
    for (int v : node.outputs) out_types.push_back(v == kNoValue ? TypeInfo{} : types_[v]);
    std::string label = node.label(index);
    const KernelDef& def = registry_.resolve(node, dtypes, label);
    KernelInit init(node, index, std::move(in_types), std::move(out_types), std::move(in_consts));
    init.set_subgraph_compiler(&compiler_);
    init.set_graph(&graph_);
    init.set_reference(reference_kernels_);
    steps_.push_back({index, label, def.create(init)});
    for (int i = 0; i < static_cast<int>(node.inputs.size()); ++i) {
      const int v = node.inputs[static_cast<size_t>(i)];
      if (v == kNoValue) continue;
      if (!init.constant_input_dropped(i)) read_at_run_time[v] = true;
      if (--readers_left[v] == 0 && !read_at_run_time[v] && graph_.is_initializer(v)) {
        constants_[v] = Tensor();  // inference's copy shares the storage
        dropped_initializers_.push_back(v);
        if (on_dropped_) on_dropped_(v);
      }
    }
  }
  build_times_.prepack = elapsed_ms(phase_start);
  phase_start = Clock::now();
  for (const Step& step : steps_) reuse_.push_back(step.kernel->output_reuse());
  order_ = std::move(order);
  plan_ = std::make_shared<const MemoryPlan>(plan_memory(graph_, order_, types_, reuse_));
  build_times_.plan += elapsed_ms(phase_start);
}

std::optional<MemoryPlan> GraphExecutor::plan_for_inputs(
    const std::map<int, TypeInfo>& input_types) const {
  try {
    InferenceResult inferred = infer_shapes(
        graph_, [this](const Node& n) { return registry_.shape_rule(n); }, input_types, true);
    return plan_memory(graph_, order_, inferred.types, reuse_);
  } catch (const std::exception&) {  // the run goes on, on the heap
    return std::nullopt;
  }
}

std::vector<RuntimeValue> GraphExecutor::new_slots() const {
  std::vector<RuntimeValue> slots(graph_.values.size());
  for (const auto& [id, t] : graph_.initializers) slots[id] = t;
  return slots;
}

std::vector<bool> GraphExecutor::needed_steps(const std::vector<int>& wanted) const {
  std::vector<int> producer(graph_.values.size(), -1);
  for (size_t k = 0; k < steps_.size(); ++k)
    for (int v : graph_.nodes[steps_[k].node].outputs)
      if (v != kNoValue) producer[v] = static_cast<int>(k);
  std::vector<bool> needed(steps_.size(), false);
  std::vector<int> stack(wanted);
  std::vector<bool> seen(graph_.values.size(), false);
  while (!stack.empty()) {
    int v = stack.back();
    stack.pop_back();
    if (v == kNoValue || seen[v]) continue;
    seen[v] = true;
    int k = producer[v];
    if (k < 0 || needed[k]) continue;
    needed[k] = true;
    const Node& node = graph_.nodes[steps_[k].node];
    for (int in : node.inputs) stack.push_back(in);
    for (int in : implicit_inputs(graph_, node)) stack.push_back(in);
  }
  return needed;
}

namespace {

// A step's outputs go to their planned arena blocks when free, else to the heap.
class ArenaPlacer final : public OutputPlacer {
 public:
  ArenaPlacer(Arena& arena, const std::vector<RuntimeValue>& slots)
      : arena_(arena), slots_(slots) {}
  void set_outputs(const std::vector<int>* outputs) { outputs_ = outputs; }

  Tensor place(int output, DType dtype, Shape shape, bool zero_fill) override {
    const int id = (*outputs_)[static_cast<size_t>(output)];
    Tensor t = arena_.place(id, dtype, shape, zero_fill, slots_);
    if (t.defined()) return t;
    return zero_fill ? Tensor(dtype, std::move(shape))
                     : Tensor::uninitialized(dtype, std::move(shape));
  }

 private:
  Arena& arena_;
  const std::vector<RuntimeValue>& slots_;
  const std::vector<int>* outputs_ = nullptr;
};

}  // namespace

void GraphExecutor::run(std::vector<RuntimeValue>& slots, const std::vector<bool>* needed,
                        const Frame* parent, Arena* arena) const {
  for (const OuterRef& ref : outer_refs_) {
    const Frame* f = parent;
    for (int d = 1; d < ref.depth && f; ++d) f = f->parent;
    if (!f || !f->slots) fail("graph '", graph_.name, "' runs without its enclosing graph");
    slots[ref.local] = (*f->slots)[ref.id];
  }
  Frame frame{&slots, parent};
  std::vector<RuntimeValue> produced;
  std::optional<ArenaPlacer> placer;
  if (arena) placer.emplace(*arena, slots);
  for (size_t k = 0; k < steps_.size(); ++k) {
    const Step& step = steps_[k];
    if (!needed || (*needed)[k]) {
      const Node& node = graph_.nodes[step.node];
      std::vector<const RuntimeValue*> ins;
      ins.reserve(node.inputs.size());
      for (int v : node.inputs) ins.push_back(v == kNoValue ? nullptr : &slots[v]);
      produced.assign(node.outputs.size(), RuntimeValue());
      if (placer) placer->set_outputs(&node.outputs);
      KernelContext ctx(&step.label, std::move(ins), &produced, &pool_, &frame, &limits_,
                        placer ? &*placer : nullptr);
      Profiler* profiler = Profiler::current();
      const Profiler::Clock::time_point start =
          profiler ? Profiler::Clock::now() : Profiler::Clock::time_point{};
      try {
        if (profiler) {
          Profiler::Scope deeper(profiler);  // the nodes of its subgraphs, one level down
          step.kernel->run(ctx);
        } else {
          step.kernel->run(ctx);
        }
      } catch (const Error& e) {
        // Errors a kernel's helpers raised (a tensor past the size limit, say) get
        // the node's name; the kernel's own already start with it.
        if (e.detail().rfind("node '", 0) == 0) throw;
        throw e.with_context(step.label + ": ");
      } catch (const std::bad_alloc&) {
        fail_as(ErrorKind::limit_exceeded, step.label, ": out of memory");
      } catch (const std::exception& e) {
        fail_as(ErrorKind::internal_error, step.label, ": ", e.what());
      }
      for (size_t o = 0; o < node.outputs.size(); ++o) {
        int v = node.outputs[o];
        if (v == kNoValue) continue;
        if (!produced[o].is_set())
          fail_as(ErrorKind::internal_error, step.label, ": kernel produced no value for output '",
                  graph_.value(v).name, "'");
        slots[v] = std::move(produced[o]);
      }
      if (profiler)
        profiler->record(node.name.empty() ? "#" + std::to_string(step.node) : node.name,
                         node.op_type, start, Profiler::current_depth());
    }
    for (int v : plan_->release_after[k]) slots[v] = RuntimeValue();
  }
}

// ---- Subgraph ----

Subgraph::Subgraph(std::unique_ptr<GraphExecutor> executor) : executor_(std::move(executor)) {
  if (executor_->memory_arena() && !executor_->plan().blocks.empty())
    arenas_ = std::make_unique<ArenaPool>(executor_->shared_plan(), nullptr);
}
Subgraph::~Subgraph() = default;

int Subgraph::num_inputs() const { return static_cast<int>(executor_->graph().inputs.size()); }
int Subgraph::num_outputs() const { return static_cast<int>(executor_->graph().outputs.size()); }
const TypeInfo& Subgraph::input_type(int i) const {
  return executor_->type(executor_->graph().inputs.at(static_cast<size_t>(i)));
}
const TypeInfo& Subgraph::output_type(int i) const {
  return executor_->type(executor_->graph().outputs.at(static_cast<size_t>(i)));
}

std::vector<RuntimeValue> Subgraph::run(const KernelContext& ctx,
                                        std::vector<RuntimeValue> inputs) const {
  const Graph& g = executor_->graph();
  if (inputs.size() != g.inputs.size())
    ctx.fail("graph '" + g.name + "' takes " + std::to_string(g.inputs.size()) + " inputs, got " +
             std::to_string(inputs.size()));
  ArenaPool::Lease arena;  // declared first: given back after the slots are gone
  if (arenas_) arena = arenas_->lease({});
  std::vector<RuntimeValue> slots = executor_->new_slots();
  for (size_t i = 0; i < inputs.size(); ++i) slots[g.inputs[i]] = std::move(inputs[i]);
  try {
    executor_->run(slots, nullptr, ctx.frame(), arena.get());
  } catch (const Error& e) {
    ctx.fail(e.with_context("in graph '" + g.name + "': "));  // say which node's subgraph failed
  }
  std::vector<RuntimeValue> outputs;
  outputs.reserve(g.outputs.size());
  for (int id : g.outputs) {
    if (!slots[id].is_set())
      ctx.fail("graph '" + g.name + "' left output '" + g.value(id).name + "' unset");
    // An output that is arena bytes (a view no kernel declared) is copied out: the
    // next call reuses the arena.
    outputs.push_back(arena.get() && arena.get()->holds_any(slots[id]) ? slots[id].clone()
                                                                       : slots[id]);
  }
  return outputs;
}

}  // namespace onyx
