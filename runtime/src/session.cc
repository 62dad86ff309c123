#include "onyx/session.h"

#include <algorithm>
#include <functional>
#include <mutex>
#include <unordered_map>

#include "arena.h"
#include "graph_executor.h"
#include "kernels/nchwc/blocked_conv.h"
#include "onyx/checker.h"
#include "onyx/function_expansion.h"
#include "onyx/loader.h"
#include "onyx/profiler.h"
#include "onyx/thread_pool.h"
#include "stopwatch.h"

namespace onyx {

struct Session::Impl {
  Impl(const Registry& r, Model m, SessionOptions o)
      : registry(r), model(std::move(m)), options(o), pool(o.threads) {}

  const Registry& registry;
  Model model;
  SessionOptions options;
  ThreadPool pool;
  std::unique_ptr<GraphExecutor> executor;
  std::vector<IOInfo> inputs;
  std::vector<IOInfo> outputs;
  std::vector<int> feed_ids;
  SessionStats stats;
  // The planned arenas of runs (SessionOptions::memory_arena).
  std::unique_ptr<ArenaPool> arenas;   // null without
  std::unique_ptr<Profiler> profiler;  // SessionOptions::profiling; null without

  // The shapes of a run's tensor feeds, in feed_ids order: the key of its plan.
  static std::vector<Shape> input_shapes(const std::vector<int>& feed_ids,
                                         const std::vector<RuntimeValue>& slots);

  void prepare();
  void validate_feed(int id, const RuntimeValue& value,
                     std::unordered_map<std::string, int64_t>& symbols) const;
};

void Session::Impl::prepare() {
  LoadSplit& split = stats.load;
  auto phase_start = Clock::now();
  expand_functions(model);  // model-local functions become ordinary nodes
  resolve_opsets(model);
  const Graph& graph = model.graph;
  if (options.check_model) {
    CheckOptions check;
    check.attr_types = [this](const std::string& d, const std::string& op, int opset,
                              const std::string& a) { return registry.attr_type(d, op, opset, a); };
    check_model(model, check);
  }
  split.check = elapsed_ms(phase_start);
  phase_start = Clock::now();
  // The blocked layout serves the fast kernels alone: the reference ones run as written.
  OptimizerTarget target;
  if (!options.reference_kernels) target.channel_block = kernels::nchwc::native_block();
  stats.optimization = optimize_graph(
      model.graph, options.optimization, [this](const Node& n) { return registry.shape_rule(n); },
      target);
  split.optimize = elapsed_ms(phase_start);
  // Weights the kernels hold packed are not kept twice.
  std::function<void(int)> free_weight;
  if (options.free_packed_weights)
    free_weight = [this](int id) {
      model.graph.initializers.erase(id);
      model.graph.initializer_file_bytes.erase(id);
    };
  executor = std::make_unique<GraphExecutor>(
      graph, registry, pool, options.limits, options.reference_kernels, options.memory_arena,
      nullptr, std::vector<TypeInfo>{}, std::move(free_weight));
  split.infer = executor->build_times().infer;
  split.plan = executor->build_times().plan;
  split.prepack = executor->build_times().prepack;
  for (int id : graph.inputs) {
    if (!graph.is_initializer(id)) feed_ids.push_back(id);
    inputs.push_back({graph.value(id).name, graph.value(id).type});
  }
  for (int id : graph.outputs) outputs.push_back({graph.value(id).name, executor->type(id)});
  stats.planned_peak_bytes = executor->plan().peak_bytes;
  stats.arena_bytes = options.memory_arena ? executor->plan().arena_bytes : 0;
  if (options.memory_arena) {
    // Inputs whose declared shapes leave dims open get a plan per set of fed shapes.
    bool static_inputs = true;
    for (int id : feed_ids) static_inputs &= executor->type(id).concrete_shape().has_value();
    std::shared_ptr<const MemoryPlan> static_plan;
    if (static_inputs) static_plan = executor->shared_plan();
    auto plan_for = [this](const std::vector<Shape>& shapes) -> std::optional<MemoryPlan> {
      std::map<int, TypeInfo> types;
      for (size_t i = 0; i < feed_ids.size(); ++i) {
        if (!shapes[i].empty() && shapes[i][0] < 0) return std::nullopt;  // not a tensor
        types[feed_ids[i]] = TypeInfo::tensor_of(executor->type(feed_ids[i]).elem, shapes[i]);
      }
      return executor->plan_for_inputs(types);
    };
    arenas = std::make_unique<ArenaPool>(std::move(static_plan), plan_for);
  }
  stats.nodes = executor->num_steps();
  if (options.profiling) profiler = std::make_unique<Profiler>();
}

std::vector<Shape> Session::Impl::input_shapes(const std::vector<int>& feed_ids,
                                               const std::vector<RuntimeValue>& slots) {
  std::vector<Shape> shapes;
  shapes.reserve(feed_ids.size());
  for (int id : feed_ids)
    shapes.push_back(slots[id].is_tensor() ? slots[id].tensor().shape() : Shape{-1});
  return shapes;
}

namespace {

// Checks a tensor against a declared tensor type, binding symbolic dims.
void check_tensor(const std::string& name, const TypeInfo& declared, const Tensor& t,
                  std::unordered_map<std::string, int64_t>& symbols) {
  if (declared.elem != DType::Undefined && declared.elem != t.dtype())
    fail("input '", name, "' must be ", dtype_name(declared.elem), ", got ", t.describe());
  if (!declared.shape) return;
  const auto& dims = *declared.shape;
  if (dims.size() != static_cast<size_t>(t.rank()))
    fail("input '", name, "' must have rank ", dims.size(), " (", declared.to_string(), "), got ",
         t.describe());
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i].is_known() && dims[i].value != t.dim(static_cast<int>(i)))
      fail("input '", name, "' dim ", i, " must be ", dims[i].value, " (", declared.to_string(),
           "), got ", t.describe());
    if (!dims[i].is_known() && !dims[i].param.empty()) {
      auto [it, fresh] = symbols.emplace(dims[i].param, t.dim(static_cast<int>(i)));
      if (!fresh && it->second != t.dim(static_cast<int>(i)))
        fail("input '", name, "' dim ", i, " ('", dims[i].param, "') is ",
             t.dim(static_cast<int>(i)), " but another input bound it to ", it->second);
    }
  }
}

// Checks a value against a declared type of any kind.
void check_value(const std::string& name, const TypeInfo& declared, const RuntimeValue& value,
                 std::unordered_map<std::string, int64_t>& symbols) {
  using Kind = TypeInfo::Kind;
  switch (declared.kind) {
    case Kind::Tensor:
      if (!value.is_tensor()) fail("input '", name, "' must be a tensor, got ", value.describe());
      if (!value.tensor().defined()) fail("input '", name, "' is an undefined tensor");
      return check_tensor(name, declared, value.tensor(), symbols);
    case Kind::Sequence: {
      if (!value.is_sequence())
        fail("input '", name, "' must be a sequence, got ", value.describe());
      const TensorSequence& seq = value.sequence();
      if (!declared.inner || !declared.inner->is_tensor()) return;
      std::unordered_map<std::string, int64_t> per_item;  // items may differ in shape
      if (declared.inner->elem != DType::Undefined && seq.elem != declared.inner->elem)
        fail("input '", name, "' must be a sequence of ", dtype_name(declared.inner->elem),
             ", got ", value.describe());
      for (const Tensor& item : seq.tensors) {
        per_item.clear();
        check_tensor(name, *declared.inner, item, per_item);
      }
      return;
    }
    case Kind::Optional:
      if (value.is_empty_optional() || !declared.inner) return;
      return check_value(name, *declared.inner, value, symbols);
    default:
      if (!value.is_set()) fail("input '", name, "' has no value");
  }
}

}  // namespace

void Session::Impl::validate_feed(int id, const RuntimeValue& value,
                                  std::unordered_map<std::string, int64_t>& symbols) const {
  const Value& v = model.graph.value(id);
  if (!value.is_set()) fail("input '", v.name, "' has no value");
  if (value.is_empty_optional() && v.type.kind != TypeInfo::Kind::Optional &&
      v.type.kind != TypeInfo::Kind::Unknown)
    fail("input '", v.name, "' is ", v.type.to_string(), ", not optional: it needs a value");
  check_value(v.name, v.type, value, symbols);
}

Session::Session(const Registry& registry, const std::string& path, SessionOptions options) {
  const auto start = Clock::now();
  Model model = load_model(path);
  *this = Session(registry, std::move(model), options, elapsed_ms(start));
}

Session::Session(const Registry& registry, Model model, SessionOptions options)
    : Session(registry, std::move(model), options, 0.0) {}

Session::Session(const Registry& registry, Model model, SessionOptions options, double parse_ms)
    : impl_(std::make_unique<Impl>(registry, std::move(model), options)) {
  const auto start = Clock::now();
  // What goes wrong here is the model's fault (unsupported operators and limits say so).
  classify_errors(ErrorKind::invalid_model, [&] { impl_->prepare(); });
  LoadSplit& split = impl_->stats.load;
  split.parse = parse_ms;
  split.total = parse_ms + elapsed_ms(start);
}

Session Session::from_bytes(const Registry& registry, std::string_view bytes,
                            SessionOptions options, const std::string& base_dir) {
  return Session(registry, load_model_from_bytes(bytes, base_dir), options);
}

Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

const std::vector<IOInfo>& Session::inputs() const { return impl_->inputs; }
const std::vector<IOInfo>& Session::outputs() const { return impl_->outputs; }
const Model& Session::model() const { return impl_->model; }
const SessionStats& Session::stats() const { return impl_->stats; }
int Session::threads() const { return impl_->pool.threads(); }
Profiler* Session::profiler() const { return impl_->profiler.get(); }

std::vector<RuntimeValue> Session::run_values(const std::map<std::string, RuntimeValue>& feeds,
                                              const std::vector<std::string>& output_names) const {
  // The model passed its checks at creation: what fails now fails on the values the
  // inputs made (an index out of range, shapes that do not broadcast), and the message
  // names the node.
  return classify_errors(ErrorKind::invalid_input,
                         [&] { return run_checked(feeds, output_names); });
}

std::vector<RuntimeValue> Session::run_checked(const std::map<std::string, RuntimeValue>& feeds,
                                               const std::vector<std::string>& output_names) const {
  const Impl& s = *impl_;
  const Graph& graph = s.model.graph;
  ArenaPool::Lease arena;  // declared first: given back after the slots are gone
  std::vector<RuntimeValue> slots = s.executor->new_slots();

  std::unordered_map<std::string, int64_t> symbols;
  for (const auto& [name, value] : feeds) {
    int id = graph.find(name);
    bool is_input = id != kNoValue &&
                    std::find(graph.inputs.begin(), graph.inputs.end(), id) != graph.inputs.end();
    if (!is_input) fail("'", name, "' is not an input of the model");
    s.validate_feed(id, value, symbols);
    slots[id] = value;
  }
  for (int id : s.feed_ids)
    if (!feeds.count(graph.value(id).name))
      fail("missing input '", graph.value(id).name, "' (", graph.value(id).type.to_string(), ")");

  std::vector<int> wanted;
  if (output_names.empty()) {
    wanted = graph.outputs;
  } else {
    for (const std::string& name : output_names) {
      int id = graph.find(name);
      if (id == kNoValue ||
          std::find(graph.outputs.begin(), graph.outputs.end(), id) == graph.outputs.end())
        fail("'", name, "' is not an output of the model");
      wanted.push_back(id);
    }
  }
  std::vector<bool> needed = s.executor->needed_steps(wanted);
  TensorSizeLimit size_limit(s.options.limits.max_tensor_bytes);
  // The clock is read only when profiling: a plain run does no extra work.
  const Profiler::Clock::time_point start =
      s.profiler ? Profiler::Clock::now() : Profiler::Clock::time_point{};
  if (s.arenas)
    arena = s.arenas->lease(s.arenas->per_shape() ? Impl::input_shapes(s.feed_ids, slots)
                                                  : std::vector<Shape>{});
  if (s.profiler) {
    Profiler::Scope profiled(s.profiler.get());
    s.executor->run(slots, &needed, nullptr, arena.get());
  } else {
    s.executor->run(slots, &needed, nullptr, arena.get());
  }
  if (s.profiler) s.profiler->record("run", "", start, 0);

  std::vector<RuntimeValue> result;
  result.reserve(wanted.size());
  for (int id : wanted) {
    if (!slots[id].is_set()) fail("output '", graph.value(id).name, "' was not computed");
    result.push_back(slots[id]);
  }
  slots.clear();  // the run's own references: what still holds an output's storage is not ours
  // View ops (Identity, Reshape, ...) may hand out a weight's or an input's own buffer,
  // a Constant node its value (one in an If branch, say), or bytes of the arena that the
  // next run reuses; a caller writing into an output must not change the model or its
  // inputs.
  auto held_elsewhere = [](const Tensor& t) { return t.storage_holders() > 1; };
  auto aliases = [&](const RuntimeValue& out) {
    if (arena.get() && arena.get()->holds_any(out)) return true;
    if (out.is_tensor() && held_elsewhere(out.tensor())) return true;
    for (const auto& [id, init] : graph.initializers)
      if (out.shares_storage_with(init)) return true;
    for (const auto& [name, feed] : feeds) {
      if (feed.is_tensor() && out.shares_storage_with(feed.tensor())) return true;
      if (feed.is_sequence())
        for (const Tensor& item : feed.sequence().tensors)
          if (out.shares_storage_with(item)) return true;
    }
    return false;
  };
  for (RuntimeValue& out : result)
    if (aliases(out)) out = out.clone();
  return result;
}

PlannedMemory Session::planned_memory(const std::map<std::string, RuntimeValue>& feeds) const {
  return classify_errors(ErrorKind::invalid_input, [&] { return plan_for(feeds); });
}

PlannedMemory Session::plan_for(const std::map<std::string, RuntimeValue>& feeds) const {
  const Impl& s = *impl_;
  std::vector<RuntimeValue> slots(s.model.graph.values.size());
  std::unordered_map<std::string, int64_t> symbols;
  for (int id : s.feed_ids) {
    auto found = feeds.find(s.model.graph.value(id).name);
    if (found == feeds.end()) fail("missing input '", s.model.graph.value(id).name, "'");
    s.validate_feed(id, found->second,
                    symbols);  // a plan for feeds run() would refuse means nothing
    slots[id] = found->second;
  }
  const std::vector<Shape> shapes = Impl::input_shapes(s.feed_ids, slots);
  std::shared_ptr<const MemoryPlan> plan;
  if (s.arenas) plan = s.arenas->plan(shapes);
  if (!plan) return {s.stats.planned_peak_bytes, 0};
  return {plan->peak_bytes, plan->arena_bytes};
}

std::vector<Tensor> Session::run(const std::map<std::string, Tensor>& feeds,
                                 const std::vector<std::string>& output_names) const {
  std::map<std::string, RuntimeValue> values;
  for (const auto& [name, tensor] : feeds) {
    if (!tensor.defined())
      fail_as(ErrorKind::invalid_input, "input '", name, "' is an undefined tensor");
    values.emplace(name, tensor);
  }
  std::vector<RuntimeValue> outputs = run_values(values, output_names);
  std::vector<Tensor> tensors;
  tensors.reserve(outputs.size());
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (!outputs[i].is_tensor())
      fail_as(ErrorKind::invalid_input, "output ", i, " is ", outputs[i].describe(),
              ", not a tensor: use run_values");
    tensors.push_back(outputs[i].tensor());
  }
  return tensors;
}

}  // namespace onyx
