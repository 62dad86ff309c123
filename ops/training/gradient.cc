// Gradient (ai.onnx.preview.training, 1): the partial derivatives of the tensor named
// by attribute `y` with respect to the tensors named by `xs`, through the nodes of this
// node's own graph that compute y from xs and zs. The node's inputs are the values of
// xs then zs; its outputs are dy/dx for each x in xs.
//
// At construction the kernel copies the forward nodes into a graph of its own, appends
// their derivatives in reverse order (reverse-mode differentiation), and compiles that
// graph once; run() only runs it. The seed is dy = 1 everywhere, so for a non-scalar y
// the result is the gradient of sum(y).
//
// Differentiable here: Add, Sub, Mul, Div, Neg, Identity, elementwise without
// broadcasting (a gradient whose shape differs from its x is a clear error). Any other
// operator between xs and y is refused at load, naming it.
#include <functional>
#include <map>
#include <set>

#include "common/dtype_lists.h"
#include "common/shape_utils.h"
#include "onyx/subgraph.h"
#include "training/optimizer.h"
#include "training/training_ops.h"

namespace onyx {
namespace {

// Appends nodes to the graph being built, each with one fresh output name.
class GraphWriter {
 public:
  GraphWriter(Graph& graph, int opset) : graph_(graph), opset_(opset) {}

  std::string add(const std::string& op, const std::vector<std::string>& inputs) {
    std::string out;
    do {
      out = "gradient/" + op + "_" + std::to_string(counter_++);
    } while (graph_.find(out) != kNoValue);
    Node n;
    n.op_type = op;
    n.name = out;
    n.opset = opset_;
    for (const std::string& in : inputs) n.inputs.push_back(graph_.intern(in));
    n.outputs.push_back(graph_.intern(out));
    graph_.nodes.push_back(std::move(n));
    return out;
  }

  // A scalar int64 constant, for the exponent of Pow(v, 0) = 1.
  std::string zero() {
    if (zero_.empty()) {
      zero_ = "gradient/zero";
      graph_.initializers[graph_.intern(zero_)] = Tensor::scalar<int64_t>(0);
    }
    return zero_;
  }

 private:
  Graph& graph_;
  int opset_;
  int counter_ = 0;
  std::string zero_;
};

const std::set<std::string>& differentiable_ops() {
  static const std::set<std::string> ops = {"Add", "Sub", "Mul", "Div", "Neg", "Identity"};
  return ops;
}

// Builds forward + backward nodes; returns the graph with inputs xs ++ zs and outputs
// dy/dx for each x.
std::shared_ptr<Graph> build_gradient_graph(const KernelInit& init, const Graph& source,
                                            const std::vector<std::string>& xs,
                                            const std::vector<std::string>& zs,
                                            const std::string& y) {
  auto graph = std::make_shared<Graph>();
  graph->name = "gradient of " + y;
  for (const auto* names : {&xs, &zs})
    for (const std::string& name : *names) graph->inputs.push_back(graph->intern(name));
  std::set<std::string> leaves(xs.begin(), xs.end());
  leaves.insert(zs.begin(), zs.end());

  // The forward nodes y depends on, in an order that computes them (depth first).
  std::map<std::string, int> producer;
  for (int i = 0; i < static_cast<int>(source.nodes.size()); ++i)
    for (int v : source.nodes[i].outputs)
      if (v != kNoValue) producer[source.value(v).name] = i;
  std::vector<int> forward;
  std::set<int> visited;
  std::function<void(const std::string&)> visit = [&](const std::string& name) {
    if (leaves.count(name)) return;
    int id = source.find(name);
    if (id != kNoValue && source.is_initializer(id)) {
      graph->initializers[graph->intern(name)] = source.initializers.at(id);
      return;
    }
    auto it = producer.find(name);
    if (it == producer.end())
      init.fail("y depends on '" + name + "', which is neither in xs or zs nor an initializer");
    if (!visited.insert(it->second).second) return;
    const Node& n = source.nodes[it->second];
    if (!n.is_default_domain() || !differentiable_ops().count(n.op_type))
      init.fail("cannot differentiate through " + n.label(it->second) +
                " (supported: Add, Sub, Mul, Div, Neg, Identity)");
    for (int in : n.inputs)
      if (in != kNoValue) visit(source.value(in).name);
    forward.push_back(it->second);
  };
  visit(y);

  const int opset = forward.empty() ? 13 : source.nodes[forward.front()].opset;
  GraphWriter w(*graph, opset);
  for (int index : forward) {
    Node copy = source.nodes[index];
    for (int& v : copy.inputs) v = graph->intern(source.value(v).name);
    for (int& v : copy.outputs) v = graph->intern(source.value(v).name);
    graph->nodes.push_back(std::move(copy));
  }

  // Reverse mode: each value's gradient is the sum of what its readers pass back.
  std::map<std::string, std::string> grad;
  auto accumulate = [&](const std::string& v, const std::string& d) {
    auto it = grad.find(v);
    grad[v] = it == grad.end() ? d : w.add("Add", {it->second, d});
  };
  grad[y] = w.add("Pow", {y, w.zero()});  // ones shaped like y: v^0 = 1 for every v
  for (auto it = forward.rbegin(); it != forward.rend(); ++it) {
    const Node& n = source.nodes[*it];
    const std::string out = source.value(n.outputs[0]).name;
    if (!grad.count(out)) continue;
    const std::string g = grad[out];
    const std::string a = source.value(n.inputs.at(0)).name;
    if (n.op_type == "Identity") {
      accumulate(a, g);
    } else if (n.op_type == "Neg") {
      accumulate(a, w.add("Neg", {g}));
    } else {
      const std::string b = source.value(n.inputs.at(1)).name;
      if (n.op_type == "Add") {
        accumulate(a, g);
        accumulate(b, g);
      } else if (n.op_type == "Sub") {
        accumulate(a, g);
        accumulate(b, w.add("Neg", {g}));
      } else if (n.op_type == "Mul") {
        accumulate(a, w.add("Mul", {g, b}));
        accumulate(b, w.add("Mul", {g, a}));
      } else {  // Div: d(a/b)/da = 1/b, d(a/b)/db = -(a/b)/b
        accumulate(a, w.add("Div", {g, b}));
        accumulate(b, w.add("Neg", {w.add("Div", {w.add("Mul", {g, out}), b})}));
      }
    }
  }
  for (const std::string& x : xs) {
    auto it = grad.find(x);
    if (it != grad.end()) {
      graph->outputs.push_back(graph->find(it->second));
    } else {  // y does not depend on x: zeros shaped like x
      std::string ones = w.add("Pow", {x, w.zero()});
      graph->outputs.push_back(graph->find(w.add("Sub", {ones, ones})));
    }
  }
  return graph;
}

class GradientKernel final : public Kernel {
 public:
  explicit GradientKernel(const KernelInit& init) {
    xs_ = init.attrs().get_strings("xs");
    const std::vector<std::string> zs = init.attrs().get_strings("zs");
    const std::string y = init.attrs().get_string("y", "");
    if (xs_.empty()) init.fail("attribute xs (the tensors to differentiate by) is required");
    if (y.empty()) init.fail("attribute y (the tensor to differentiate) is required");
    if (init.num_inputs() != static_cast<int>(xs_.size() + zs.size()))
      init.fail(cat("takes the values of xs then zs: ", xs_.size() + zs.size(), " inputs, got ",
                    init.num_inputs()));
    if (init.num_outputs() != static_cast<int>(xs_.size()))
      init.fail(cat("has one output per x (", xs_.size(), "), got ", init.num_outputs()));
    if (!init.graph()) init.fail("needs the graph it belongs to");
    graph_ = build_gradient_graph(init, *init.graph(), xs_, zs, y);
    std::vector<TypeInfo> hints;
    for (int i = 0; i < init.num_inputs(); ++i) hints.push_back(init.input_type(i));
    body_ = init.compile(*graph_, hints);
  }

  void run(KernelContext& ctx) const override {
    std::vector<RuntimeValue> ins;
    for (int i = 0; i < ctx.num_inputs(); ++i) ins.push_back(ctx.input(i));
    std::vector<RuntimeValue> grads = body_->run(ctx, std::move(ins));
    for (int i = 0; i < ctx.num_outputs(); ++i) {
      const Tensor& d = grads[i].tensor("a gradient");
      if (d.shape() != ctx.input(i).shape())
        ctx.fail(cat("the gradient for '", xs_[i], "' has shape ", shape_to_string(d.shape()),
                     " but it is ", ctx.input(i).describe(),
                     ": broadcasting is not differentiated"));
      ctx.set_output(i, d);
    }
  }

 private:
  std::vector<std::string> xs_;
  std::shared_ptr<Graph> graph_;  // outlives body_, which refers to it
  std::unique_ptr<Subgraph> body_;
};

// Each dy/dx has x's type.
void infer_gradient(InferContext& ctx) {
  for (int i = 0; i < ctx.num_outputs() && i < ctx.num_inputs(); ++i)
    ctx.set_output(i, ctx.input(i));
}

}  // namespace

void register_gradient(Registry& registry) {
  KernelDef def;
  def.domain = kTrainingDomain;
  def.op_type = "Gradient";
  def.since_version = 1;
  def.dtypes = float_dtypes();
  def.create = make_kernel<GradientKernel>();
  def.infer = infer_gradient;
  def.attr_types = {{"xs", AttrType::Strings}, {"zs", AttrType::Strings}, {"y", AttrType::String}};
  registry.add(std::move(def));
}

}  // namespace onyx
