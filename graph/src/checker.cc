// The structural rules of onnx.checker that matter at run time. Each failure names
// the graph (for subgraphs and functions), the node, its op and the offending value.
#include "onyx/checker.h"

#include <set>
#include <utility>

#include "onyx/topo.h"

namespace onyx {
namespace {

std::string canonical_domain(const std::string& d) { return d == "ai.onnx" ? std::string() : d; }
std::string domain_display(const std::string& d) { return d.empty() ? "ai.onnx" : d; }

int64_t find_opset(const std::vector<OpsetImport>& imports, const std::string& domain) {
  for (const OpsetImport& imp : imports)
    if (canonical_domain(imp.domain) == canonical_domain(domain)) return imp.version;
  return 0;
}

void check_imports(const std::vector<OpsetImport>& imports, const std::string& where) {
  std::set<std::string> seen;
  for (const OpsetImport& imp : imports) {
    if (!seen.insert(canonical_domain(imp.domain)).second)
      fail(where, "opset_import lists domain '", domain_display(imp.domain), "' twice");
    if (imp.version <= 0)
      fail(where, "opset_import for domain '", domain_display(imp.domain), "' has version ",
           imp.version);
    // Only the domains whose operators this runtime implements have a known newest opset.
    const std::string domain = canonical_domain(imp.domain);
    const int64_t newest = domain.empty()           ? kNewestDefaultOpset
                           : domain == "ai.onnx.ml" ? kNewestMlOpset
                                                    : 0;
    if (newest > 0 && imp.version > newest)
      fail_as(ErrorKind::unsupported_operator, where, "imports opset ", imp.version, " of domain '",
              domain_display(imp.domain), "', newer than opset ", newest,
              ", the newest this runtime implements");
  }
}

std::vector<const Graph*> subgraphs_of(const Attribute& a) {
  std::vector<const Graph*> out;
  if (a.g) out.push_back(a.g.get());
  for (const auto& g : a.graphs) out.push_back(g.get());
  return out;
}

// A graph being checked, as seen by the subgraphs nested in it.
struct Scope {
  const Graph* graph;
  std::vector<char> defined;  // per value id: input, initializer or node output
  const Scope* parent;

  // Whether `name` is defined here or in an enclosing graph.
  bool visible(const std::string& name) const {
    for (const Scope* s = this; s; s = s->parent) {
      int id = s->graph->find(name);
      if (id != kNoValue && s->defined[static_cast<size_t>(id)]) return true;
    }
    return false;
  }
};

class Checker {
 public:
  Checker(const Model& model, const CheckOptions& options) : model_(model), options_(options) {
    for (const Function& f : model.functions) function_domains_.insert(canonical_domain(f.domain));
  }

  void run() {
    if (model_.ir_version <= 0) fail("model: ir_version is missing");
    if (model_.ir_version > kNewestIrVersion)
      fail_as(ErrorKind::unsupported_model, "model: IR version ", model_.ir_version,
              " is newer than IR version ", kNewestIrVersion, ", the newest this runtime reads");
    check_imports(model_.opset_imports, "model: ");
    std::set<std::pair<std::string, std::string>> names;
    for (const Function& f : model_.functions) {
      std::string where = "function '" + f.domain + "::" + f.name + "': ";
      if (!names.insert({canonical_domain(f.domain), f.name}).second) fail(where, "defined twice");
      if (!f.body) fail(where, "has no body");
      check_imports(f.opset_imports, where);
      check_graph(*f.body, Where{where, false, &f.opset_imports}, nullptr, 0);
    }
    check_graph(model_.graph, Where{"", true, nullptr}, nullptr, 0);
  }

 private:
  struct Where {
    std::string prefix;                          // "" for the main graph, else locates the graph
    bool main;                                   // the main graph: inputs and outputs must be typed
    const std::vector<OpsetImport>* fn_imports;  // inside a function body
  };

  void check_value_type(const Value& v, const std::string& what, const std::string& prefix) {
    if (v.type.kind == TypeInfo::Kind::Unknown) fail(prefix, what, " '", v.name, "' has no type");
    if ((v.type.is_tensor() || v.type.kind == TypeInfo::Kind::SparseTensor) &&
        v.type.elem == DType::Undefined)
      fail(prefix, what, " '", v.name, "' has no element type");
    if (v.type.elem != DType::Undefined && !dtype_code_known(static_cast<int32_t>(v.type.elem)))
      fail(prefix, what, " '", v.name, "' has element type ", static_cast<int32_t>(v.type.elem),
           ", which is not an ONNX type");
  }

  void check_graph(const Graph& g, const Where& where, const Scope* outer, int depth) {
    const std::string& prefix = where.prefix;
    const size_t nvalues = g.values.size();
    auto in_range = [nvalues](int id) { return id >= 0 && static_cast<size_t>(id) < nvalues; };

    // Definitions: graph inputs, initializers, then node outputs (each at most once).
    std::vector<char> is_input(nvalues, 0);
    for (int id : g.inputs) {
      if (!in_range(id)) fail(prefix, "graph input id ", id, " is out of range");
      if (is_input[id]) fail(prefix, "graph input '", g.value(id).name, "' is listed twice");
      is_input[id] = 1;
      if (where.main) check_value_type(g.value(id), "graph input", prefix);
    }
    for (const auto& [id, t] : g.initializers)
      if (!in_range(id)) fail(prefix, "initializer id ", id, " is out of range");

    Scope scope{&g, std::vector<char>(nvalues, 0), outer};
    for (size_t id = 0; id < nvalues; ++id)
      scope.defined[id] = is_input[id] || g.is_initializer(static_cast<int>(id));
    std::vector<int> producer(nvalues, -1);
    for (int i = 0; i < static_cast<int>(g.nodes.size()); ++i) {
      const Node& n = g.nodes[i];
      for (int out : n.outputs) {
        if (out == kNoValue) continue;
        if (!in_range(out)) fail(prefix, n.label(i), ": output id ", out, " is out of range");
        const std::string& name = g.value(out).name;
        if (producer[out] >= 0)
          fail(prefix, n.label(i), ": output '", name, "' is already produced by ",
               g.nodes[producer[out]].label(producer[out]));
        if (is_input[out]) fail(prefix, n.label(i), ": output '", name, "' is also a graph input");
        if (g.is_initializer(out))
          fail(prefix, n.label(i), ": output '", name, "' is also an initializer");
        if (outer && outer->visible(name))
          fail(prefix, n.label(i), ": output '", name,
               "' is already defined in an enclosing graph");
        producer[out] = i;
        scope.defined[out] = 1;
      }
    }

    // Uses: every input defined here or, in a subgraph, by an enclosing graph.
    auto defined = [&](int id) {
      if (scope.defined[id]) return true;
      return outer && g.value(id).outer_scope && outer->visible(g.value(id).name);
    };
    for (int i = 0; i < static_cast<int>(g.nodes.size()); ++i) {
      const Node& n = g.nodes[i];
      if (n.op_type.empty()) fail(prefix, n.label(i), ": op_type is empty");
      for (int in : n.inputs) {
        if (in == kNoValue) continue;
        if (!in_range(in)) fail(prefix, n.label(i), ": input id ", in, " is out of range");
        if (!defined(in))
          fail(prefix, n.label(i), ": input '", g.value(in).name,
               outer ? "' is not defined by any node, input or initializer of this or an "
                       "enclosing graph"
                     : "' is not defined by any earlier node, graph input or initializer");
      }
    }
    for (int id : g.outputs) {
      if (!in_range(id)) fail(prefix, "graph output id ", id, " is out of range");
      if (!defined(id))
        fail(prefix, "graph output '", g.value(id).name,
             "' is not produced by any node, graph input or initializer");
      if (where.main) check_value_type(g.value(id), "graph output", prefix);
    }

    // Defined somewhere is not enough: the definitions must not depend on each other
    // in a circle (subgraph references to this graph count as dependencies).
    try {
      topological_order(g);
    } catch (const Error& e) {
      throw e.with_context(prefix);
    }

    for (int i = 0; i < static_cast<int>(g.nodes.size()); ++i)
      check_node(g, i, where, scope, depth);
  }

  void check_node(const Graph& g, int index, const Where& where, const Scope& scope, int depth) {
    const Node& n = g.nodes[index];
    const std::string at = where.prefix + n.label(index);

    int64_t version = where.fn_imports ? find_opset(*where.fn_imports, n.domain) : 0;
    if (version == 0) version = model_.opset(n.domain);
    if (version == 0 && !function_domains_.count(canonical_domain(n.domain)))
      fail(at, ": domain '", domain_display(n.domain),
           "' is not imported by the model (no opset_import entry)");

    std::set<std::string> seen;
    for (const Attribute& a : n.attributes) {
      if (a.name.empty()) fail(at, ": an attribute has no name");
      if (!seen.insert(a.name).second) fail(at, ": attribute '", a.name, "' appears twice");
      if (a.type == AttrType::Undefined) fail(at, ": attribute '", a.name, "' has no type");
      if (options_.attr_types) {
        AttrType expected =
            options_.attr_types(n.domain, n.op_type, static_cast<int>(version), a.name);
        if (expected != AttrType::Undefined && expected != a.type)
          fail(at, ": attribute '", a.name, "' has type ", attr_type_name(a.type), ", expected ",
               attr_type_name(expected));
      }
      const bool holds_graph = a.type == AttrType::Graph || a.type == AttrType::Graphs;
      if (!holds_graph) continue;
      if (a.type == AttrType::Graph && !a.g && a.ref_attr_name.empty())
        fail(at, ": attribute '", a.name, "' holds no graph");
      for (const Graph* sub : subgraphs_of(a)) {
        if (!sub) fail(at, ": attribute '", a.name, "' holds a null graph");
        if (depth + 1 > options_.max_subgraph_depth)
          fail_as(ErrorKind::limit_exceeded, at, ": subgraphs nest deeper than ",
                  options_.max_subgraph_depth, " levels");
        std::string prefix = at + " attribute '" + a.name + "' > graph '" + sub->name + "': ";
        check_graph(*sub, Where{prefix, false, where.fn_imports}, &scope, depth + 1);
      }
    }
  }

  const Model& model_;
  const CheckOptions& options_;
  std::set<std::string> function_domains_;
};

}  // namespace

void check_model(const Model& model, const CheckOptions& options) { Checker(model, options).run(); }

}  // namespace onyx
