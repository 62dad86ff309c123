#include "onyx/session.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "onyx/checker.h"
#include "onyx/loader.h"
#include "onyx/planner.h"
#include "onyx/shape_inference.h"
#include "onyx/thread_pool.h"
#include "onyx/topo.h"

namespace onyx {

namespace {

// One node, ready to run: its kernel is built once, here.
struct Step {
  int node = 0;
  std::string label;
  std::unique_ptr<Kernel> kernel;
};

}  // namespace

struct Session::Impl {
  Impl(const Registry& r, Model m, SessionOptions o)
      : registry(r), model(std::move(m)), options(o), pool(o.threads) {}

  const Registry& registry;
  Model model;
  SessionOptions options;
  ThreadPool pool;
  std::vector<TypeInfo> types;  // per value id, after inference
  std::vector<Tensor> constants;
  std::vector<int> order;
  std::vector<Step> steps;
  MemoryPlan plan;
  std::vector<IOInfo> inputs;
  std::vector<IOInfo> outputs;
  std::vector<int> feed_ids;
  std::set<int> overridable;  // initializers listed as graph inputs: a feed may replace them
  SessionStats stats;

  void prepare();
  void validate_feed(int id, const Tensor& t,
                     std::unordered_map<std::string, int64_t>& symbols) const;
  std::vector<bool> needed_steps(const std::vector<int>& wanted) const;
};

void Session::Impl::prepare() {
  resolve_opsets(model);
  const Graph& graph = model.graph;
  if (options.check_model) {
    CheckOptions check;
    check.attr_types = [this](const std::string& d, const std::string& op, int opset,
                              const std::string& a) { return registry.attr_type(d, op, opset, a); };
    check_model(model, check);
  }
  InferenceResult inferred =
      infer_shapes(graph, [this](const Node& n) { return registry.shape_rule(n); });
  types = std::move(inferred.types);
  constants = std::move(inferred.constants);
  order = topological_order(graph);

  for (int id : graph.inputs) {
    if (graph.is_initializer(id)) {
      overridable.insert(id);
    } else {
      feed_ids.push_back(id);
    }
    inputs.push_back({graph.value(id).name, graph.value(id).type});
  }
  for (int id : graph.outputs) outputs.push_back({graph.value(id).name, types[id]});

  for (int index : order) {
    const Node& node = graph.nodes[index];
    std::vector<DType> dtypes;
    std::vector<TypeInfo> in_types;
    std::vector<const Tensor*> in_consts;
    for (int v : node.inputs) {
      in_types.push_back(v == kNoValue ? TypeInfo{} : types[v]);
      dtypes.push_back(v == kNoValue ? DType::Undefined : types[v].elem);
      bool constant = v != kNoValue && constants[v].defined() && !overridable.count(v);
      in_consts.push_back(constant ? &constants[v] : nullptr);
    }
    std::vector<TypeInfo> out_types;
    for (int v : node.outputs) out_types.push_back(v == kNoValue ? TypeInfo{} : types[v]);
    std::string label = node.label(index);
    const KernelDef& def = registry.resolve(node, dtypes, label);
    KernelInit init(node, index, std::move(in_types), std::move(out_types), std::move(in_consts));
    steps.push_back({index, label, def.create(init)});
  }
  plan = plan_memory(graph, order, types);
  stats.planned_peak_bytes = plan.peak_bytes;
  stats.nodes = static_cast<int>(steps.size());
}

void Session::Impl::validate_feed(int id, const Tensor& t,
                                  std::unordered_map<std::string, int64_t>& symbols) const {
  const Value& v = model.graph.value(id);
  const TypeInfo& declared = v.type;
  if (!t.defined()) fail("input '", v.name, "' is an undefined tensor");
  if (declared.kind != TypeInfo::Kind::Tensor) return;
  if (declared.elem != DType::Undefined && declared.elem != t.dtype())
    fail("input '", v.name, "' must be ", dtype_name(declared.elem), ", got ", t.describe());
  if (!declared.shape) return;
  const auto& dims = *declared.shape;
  if (dims.size() != static_cast<size_t>(t.rank()))
    fail("input '", v.name, "' must have rank ", dims.size(), " (", declared.to_string(), "), got ",
         t.describe());
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i].is_known() && dims[i].value != t.dim(static_cast<int>(i)))
      fail("input '", v.name, "' dim ", i, " must be ", dims[i].value, " (", declared.to_string(),
           "), got ", t.describe());
    if (!dims[i].is_known() && !dims[i].param.empty()) {
      auto [it, fresh] = symbols.emplace(dims[i].param, t.dim(static_cast<int>(i)));
      if (!fresh && it->second != t.dim(static_cast<int>(i)))
        fail("input '", v.name, "' dim ", i, " ('", dims[i].param, "') is ",
             t.dim(static_cast<int>(i)), " but another input bound it to ", it->second);
    }
  }
}

// Marks the steps that the wanted values depend on (all of them for a full run).
std::vector<bool> Session::Impl::needed_steps(const std::vector<int>& wanted) const {
  const Graph& graph = model.graph;
  std::vector<int> producer(graph.values.size(), -1);
  for (size_t k = 0; k < steps.size(); ++k)
    for (int v : graph.nodes[steps[k].node].outputs)
      if (v != kNoValue) producer[v] = static_cast<int>(k);
  std::vector<bool> needed(steps.size(), false);
  std::vector<int> stack(wanted);
  std::vector<bool> seen(graph.values.size(), false);
  while (!stack.empty()) {
    int v = stack.back();
    stack.pop_back();
    if (v == kNoValue || seen[v]) continue;
    seen[v] = true;
    int k = producer[v];
    if (k < 0 || needed[k]) continue;
    needed[k] = true;
    const Node& node = graph.nodes[steps[k].node];
    for (int in : node.inputs) stack.push_back(in);
    // Values a subgraph reads from this scope are dependencies too.
    for (const Attribute& a : node.attributes) {
      auto visit = [&](const Graph& g) {
        for (const Value& sv : g.values)
          if (sv.outer_scope) stack.push_back(graph.find(sv.name));
      };
      if (a.g) visit(*a.g);
      for (const auto& g : a.graphs) visit(*g);
    }
  }
  return needed;
}

Session::Session(const Registry& registry, const std::string& path, SessionOptions options)
    : Session(registry, load_model(path), options) {}

Session::Session(const Registry& registry, Model model, SessionOptions options)
    : impl_(std::make_unique<Impl>(registry, std::move(model), options)) {
  impl_->prepare();
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

std::vector<Tensor> Session::run(const std::map<std::string, Tensor>& feeds,
                                 const std::vector<std::string>& output_names) const {
  const Impl& s = *impl_;
  const Graph& graph = s.model.graph;
  std::vector<Tensor> slots(graph.values.size());
  for (const auto& [id, t] : graph.initializers) slots[id] = t;

  std::unordered_map<std::string, int64_t> symbols;
  for (const auto& [name, tensor] : feeds) {
    int id = graph.find(name);
    bool is_input = id != kNoValue &&
                    std::find(graph.inputs.begin(), graph.inputs.end(), id) != graph.inputs.end();
    if (!is_input) fail("'", name, "' is not an input of the model");
    s.validate_feed(id, tensor, symbols);
    slots[id] = tensor;
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
  std::vector<bool> needed = s.needed_steps(wanted);

  std::vector<Tensor> produced;
  for (size_t k = 0; k < s.steps.size(); ++k) {
    const Step& step = s.steps[k];
    if (needed[k]) {
      const Node& node = graph.nodes[step.node];
      std::vector<const Tensor*> ins;
      ins.reserve(node.inputs.size());
      for (int v : node.inputs) ins.push_back(v == kNoValue ? nullptr : &slots[v]);
      produced.assign(node.outputs.size(), Tensor());
      KernelContext ctx(&step.label, std::move(ins), &produced, &s.pool);
      try {
        step.kernel->run(ctx);
      } catch (const Error&) {
        throw;
      } catch (const std::exception& e) {
        fail(step.label, ": ", e.what());
      }
      for (size_t o = 0; o < node.outputs.size(); ++o) {
        int v = node.outputs[o];
        if (v == kNoValue) continue;
        if (!produced[o].defined())
          fail(step.label, ": kernel produced no value for output '", graph.value(v).name, "'");
        slots[v] = std::move(produced[o]);
      }
    }
    for (int v : s.plan.release_after[k]) slots[v] = Tensor();
  }

  std::vector<Tensor> result;
  result.reserve(wanted.size());
  for (int id : wanted) {
    if (!slots[id].defined()) fail("output '", graph.value(id).name, "' was not computed");
    result.push_back(slots[id]);
  }
  // View ops (Identity, Reshape, ...) may hand out a weight's or an input's own buffer;
  // a caller writing into an output must not change the model or its inputs.
  for (Tensor& out : result) {
    bool aliased =
        std::any_of(graph.initializers.begin(), graph.initializers.end(),
                    [&](const auto& init) { return out.shares_storage_with(init.second); });
    for (const auto& [name, feed] : feeds) aliased |= out.shares_storage_with(feed);
    if (aliased) out = out.clone();
  }
  return result;
}

}  // namespace onyx
