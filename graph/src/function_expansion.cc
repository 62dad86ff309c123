// Function inlining. Each call becomes a copy of the function body in the calling
// graph: formal inputs and outputs take the call's value names, every other body
// value gets a fresh name no graph of the model uses, and attribute references
// (ref_attr_name) take the call's attribute, the function's default, or vanish.
// Nested subgraphs of the body are copied with the same renaming.
#include "onyx/function_expansion.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "onyx/error.h"

namespace onyx {
namespace {

// Body value name -> name in the calling scope; "" is an omitted optional input.
using Renames = std::unordered_map<std::string, std::string>;
using Chain = std::vector<const Function*>;

std::string canonical_domain(const std::string& d) { return d == "ai.onnx" ? std::string() : d; }

int64_t find_opset(const std::vector<OpsetImport>& imports, const std::string& domain) {
  for (const OpsetImport& imp : imports)
    if (canonical_domain(imp.domain) == canonical_domain(domain)) return imp.version;
  return 0;
}

std::string label(const Function& f) {
  return "function '" + (f.domain.empty() ? f.name : f.domain + "::" + f.name) + "'";
}

std::string chain_text(const Chain& chain, const Function& last) {
  std::string out;
  for (const Function* f : chain)
    out += (f->domain.empty() ? "" : f->domain + "::") + f->name + " -> ";
  return out + (last.domain.empty() ? "" : last.domain + "::") + last.name;
}

std::vector<Graph*> subgraphs_of(Attribute& a) {
  std::vector<Graph*> out;
  if (a.g) out.push_back(a.g.get());
  for (auto& g : a.graphs)
    if (g) out.push_back(g.get());
  return out;
}

// In a subgraph, names its own subgraphs take from enclosing graphs must appear as
// outer-scope values too (the loader's invariant; the session's dependency walk
// looks one level down).
void adopt_free_names(Graph& g) {
  std::vector<std::string> names;
  for (Node& n : g.nodes)
    for (Attribute& a : n.attributes)
      for (Graph* sub : subgraphs_of(a))
        for (const Value& v : sub->values)
          if (v.outer_scope && g.find(v.name) == kNoValue) names.push_back(v.name);
  for (const std::string& name : names) g.value(g.intern(name)).outer_scope = true;
}

class Expander {
 public:
  Expander(Model& model, const FunctionLimits& limits) : model_(model), limits_(limits) {
    for (const Function& f : model.functions)
      if (!functions_.emplace(std::make_pair(canonical_domain(f.domain), f.name), &f).second)
        fail(label(f), " is defined twice");
    survey(model.graph);
  }

  void run() {
    if (functions_.empty()) return;
    Chain chain;
    expand_graph(model_.graph, chain, false);
  }

 private:
  // What one call site binds: the call, its function and the names of its copy.
  struct Call {
    const Node& node;
    const Function& f;
    std::string prefix;  // for fresh value and node names
    std::string where;   // error prefix
  };

  // Records every value name in use (fresh names avoid them all, across scopes)
  // and counts nodes toward limits.max_nodes.
  void survey(Graph& g) {
    for (const Value& v : g.values) taken_.insert(v.name);
    nodes_ += static_cast<int64_t>(g.nodes.size());
    for (Node& n : g.nodes)
      for (Attribute& a : n.attributes)
        for (Graph* sub : subgraphs_of(a)) survey(*sub);
  }

  void expand_graph(Graph& g, Chain& chain, bool subgraph) {
    std::vector<Node> nodes = std::move(g.nodes);
    g.nodes.clear();
    for (size_t i = 0; i < nodes.size(); ++i)
      emit(g, std::move(nodes[i]), static_cast<int>(i), chain);
    if (subgraph) adopt_free_names(g);
  }

  const Function* function_for(const Node& n) const {
    auto it = functions_.find(std::make_pair(canonical_domain(n.domain), n.op_type));
    return it == functions_.end() ? nullptr : it->second;
  }

  bool contains_call(const Graph& g) const {
    for (const Node& n : g.nodes) {
      if (function_for(n)) return true;
      for (const Attribute& a : n.attributes) {
        if (a.g && contains_call(*a.g)) return true;
        for (const auto& sub : a.graphs)
          if (sub && contains_call(*sub)) return true;
      }
    }
    return false;
  }

  // Appends `node` to `g`, inlining it when it calls a function.
  void emit(Graph& g, Node node, int index, Chain& chain) {
    if (const Function* f = function_for(node)) {
      inline_call(g, node, index, *f, chain);
      return;
    }
    // Copies of a Model share subgraphs: copy one before changing it.
    auto expand_sub = [&](std::shared_ptr<Graph>& sub) {
      if (!sub || !contains_call(*sub)) return;
      sub = std::make_shared<Graph>(*sub);
      expand_graph(*sub, chain, true);
    };
    for (Attribute& a : node.attributes) {
      expand_sub(a.g);
      for (auto& sub : a.graphs) expand_sub(sub);
    }
    // A domain only the function imports must still pass the model's import check.
    if (node.opset_pinned && model_.opset(node.domain) == 0)
      model_.opset_imports.push_back(OpsetImport{node.domain, node.opset});
    g.nodes.push_back(std::move(node));
  }

  void inline_call(Graph& g, const Node& node, int index, const Function& f, Chain& chain) {
    const std::string at = "graph '" + g.name + "': " + node.label(index) + ": ";
    if (std::find(chain.begin(), chain.end(), &f) != chain.end())
      fail(at, label(f), " calls itself: ", chain_text(chain, f));
    if (static_cast<int>(chain.size()) >= limits_.max_depth)
      fail_as(ErrorKind::limit_exceeded, at, "functions nest deeper than ", limits_.max_depth,
              " levels: ", chain_text(chain, f));
    if (!f.body) fail(at, label(f), " has no body");
    if (node.inputs.size() > f.inputs.size())
      fail(at, "passes ", node.inputs.size(), " inputs to ", label(f), ", which declares ",
           f.inputs.size());
    if (node.outputs.size() > f.outputs.size())
      fail(at, "takes ", node.outputs.size(), " outputs from ", label(f), ", which declares ",
           f.outputs.size());

    std::string base =
        node.name.empty() ? f.name + "_" + std::to_string(unnamed_calls_++) : node.name;
    Call call{node, f, std::move(base), at + label(f) + ": "};
    const Graph& body = *f.body;

    Renames renames;
    std::unordered_set<std::string> formal_inputs;
    for (size_t i = 0; i < f.inputs.size(); ++i) {
      const std::string& name = f.inputs[i];
      if (name.empty()) fail(call.where, "input #", i, " has no name");
      if (!formal_inputs.insert(name).second)
        fail(call.where, "input '", name, "' is declared twice");
      const int actual = i < node.inputs.size() ? node.inputs[i] : kNoValue;
      renames[name] = actual == kNoValue ? std::string() : caller_value(g, actual, at).name;
    }

    std::unordered_set<std::string> produced;
    for (size_t k = 0; k < body.nodes.size(); ++k)
      for (int out : body.nodes[k].outputs) {
        if (out == kNoValue) continue;
        const std::string& name = body_value(body, out, call).name;
        if (formal_inputs.count(name))
          fail(call.where, body.nodes[k].label(static_cast<int>(k)), " writes to input '", name,
               "'");
        if (!produced.insert(name).second) fail(call.where, "value '", name, "' is produced twice");
      }

    // Outputs the body produces take the call's names; an output that is an input,
    // or a second output naming the same value, needs a copy.
    std::vector<std::pair<std::string, int>> copies;
    for (size_t j = 0; j < f.outputs.size(); ++j) {
      const std::string& name = f.outputs[j];
      if (!produced.count(name) && !formal_inputs.count(name))
        fail(call.where, "output '", name, "' is neither an input nor produced by its body");
      const int actual = j < node.outputs.size() ? node.outputs[j] : kNoValue;
      if (actual == kNoValue) continue;
      const std::string& actual_name = caller_value(g, actual, at).name;
      if (produced.count(name) && !renames.count(name))
        renames[name] = actual_name;
      else
        copies.emplace_back(name, actual);
    }
    for (const std::string& name : produced)
      if (!renames.count(name)) renames[name] = fresh(call.prefix, name);

    chain.push_back(&f);
    for (size_t k = 0; k < body.nodes.size(); ++k) {
      Node n = copy_node(body, body.nodes[k], static_cast<int>(k), call, renames,
                         [&](const std::string& name) { return g.intern(name); });
      for (size_t o = 0; o < n.outputs.size(); ++o) {
        const int out = body.nodes[k].outputs[o];
        if (out == kNoValue || g.value(n.outputs[o]).type.kind != TypeInfo::Kind::Unknown) continue;
        g.value(n.outputs[o]).type = body.value(out).type;
      }
      emit(g, std::move(n), static_cast<int>(k), chain);
    }
    for (const auto& [name, actual] : copies) {
      const std::string& source = renames.at(name);
      if (source.empty())
        fail(call.where, "output '", name, "' is an optional input the call omits");
      Node copy;
      copy.name = call.prefix + "/Identity_" + name;
      copy.op_type = "Identity";
      copy.inputs.push_back(g.intern(source));
      copy.outputs.push_back(actual);
      set_opset(copy, f);
      grow(call);
      emit(g, std::move(copy), static_cast<int>(body.nodes.size()), chain);
    }
    chain.pop_back();
  }

  static const Value& caller_value(const Graph& g, int id, const std::string& at) {
    if (id < 0 || static_cast<size_t>(id) >= g.values.size())
      fail(at, "value id ", id, " is out of range");
    return g.values[static_cast<size_t>(id)];
  }

  static const Value& body_value(const Graph& body, int id, const Call& call) {
    if (id < 0 || static_cast<size_t>(id) >= body.values.size())
      fail(call.where, "value id ", id, " is out of range");
    return body.values[static_cast<size_t>(id)];
  }

  static const std::string& renamed(const Renames& renames, const std::string& name, const Node& bn,
                                    int index, const Call& call) {
    auto it = renames.find(name);
    if (it == renames.end())
      fail(call.where, bn.label(index), " uses '", name,
           "', which is neither an input of the function nor produced by its body");
    return it->second;
  }

  // A body node (or a node of a subgraph in the body) renamed for `call`; `id_of`
  // turns a renamed value name into an id of the graph the copy goes to.
  template <class IdOf>
  Node copy_node(const Graph& src, const Node& bn, int index, const Call& call,
                 const Renames& renames, IdOf id_of) {
    Node n;
    n.name =
        call.prefix + "/" + (bn.name.empty() ? bn.op_type + "_" + std::to_string(index) : bn.name);
    n.op_type = bn.op_type;
    n.domain = bn.domain;
    n.doc = bn.doc;
    for (int in : bn.inputs) {
      if (in == kNoValue) {
        n.inputs.push_back(kNoValue);
        continue;
      }
      const std::string& name = renamed(renames, body_value(src, in, call).name, bn, index, call);
      n.inputs.push_back(name.empty() ? kNoValue : id_of(name));
    }
    for (int out : bn.outputs) {
      if (out == kNoValue) {
        n.outputs.push_back(kNoValue);
        continue;
      }
      const std::string& name = renamed(renames, body_value(src, out, call).name, bn, index, call);
      if (name.empty()) fail(call.where, bn.label(index), " writes to an omitted input");
      n.outputs.push_back(id_of(name));
    }
    set_opset(n, call.f);
    for (const Attribute& a : bn.attributes)
      if (std::optional<Attribute> bound = bind(a, call, renames))
        n.attributes.push_back(std::move(*bound));
    grow(call);
    return n;
  }

  // The attribute as the copy carries it: a reference resolved against the call
  // (an unset reference means the attribute is absent), a subgraph copied.
  std::optional<Attribute> bind(const Attribute& a, const Call& call, const Renames& renames) {
    if (a.ref_attr_name.empty()) {
      Attribute out = a;
      if (a.g) out.g = copy_graph(*a.g, call, renames);
      for (auto& sg : out.graphs)
        if (sg) sg = copy_graph(*sg, call, renames);
      return out;
    }
    const Attribute* source = call.node.find_attr(a.ref_attr_name);
    if (!source)
      for (const Attribute& d : call.f.attribute_defaults)
        if (d.name == a.ref_attr_name) source = &d;
    if (!source) return std::nullopt;
    if (a.type != AttrType::Undefined && source->type != a.type)
      fail(call.where, "attribute '", a.name, "' refers to '", a.ref_attr_name, "' of type ",
           attr_type_name(a.type), ", but the value given has type ", attr_type_name(source->type));
    Attribute out = *source;
    out.name = a.name;
    out.ref_attr_name.clear();
    return out;
  }

  std::shared_ptr<Graph> copy_graph(const Graph& src, const Call& call, const Renames& outer) {
    auto out = std::make_shared<Graph>();
    out->name = src.name;
    out->doc = src.doc;
    // Names defined here shadow outer ones and must be known before nested
    // subgraphs, which refer to them by name, are copied.
    Renames renames = outer;
    for (const Value& v : src.values)
      if (!v.outer_scope) renames[v.name] = fresh(call.prefix, v.name);

    std::vector<int> ids(src.values.size(), kNoValue);
    for (size_t v = 0; v < src.values.size(); ++v) {
      const Value& sv = src.values[v];
      auto it = renames.find(sv.name);
      if (it == renames.end())
        fail(call.where, "subgraph '", src.name, "' uses '", sv.name,
             "', which is neither an input of the function nor produced by its body");
      const std::string& name = it->second;
      if (name.empty()) continue;  // an omitted optional input
      const int id = out->intern(name);
      ids[v] = id;
      out->value(id).type = sv.type;
      out->value(id).doc = sv.doc;
      out->value(id).outer_scope = sv.outer_scope;
    }
    auto map_id = [&](int id, const char* what) {
      body_value(src, id, call);  // range check
      const int mapped = ids[static_cast<size_t>(id)];
      if (mapped == kNoValue)
        fail(call.where, "subgraph '", src.name, "' ", what, " '", src.value(id).name,
             "' is an optional input the call omits");
      return mapped;
    };
    for (int id : src.inputs) out->inputs.push_back(map_id(id, "input"));
    for (int id : src.outputs) out->outputs.push_back(map_id(id, "output"));
    for (const auto& [id, t] : src.initializers) out->initializers[map_id(id, "initializer")] = t;
    for (const SparseInitializer& s : src.sparse_initializers) {
      SparseInitializer copy = s;
      copy.value = map_id(s.value, "initializer");
      out->sparse_initializers.push_back(std::move(copy));
    }
    for (int id : src.declared_value_infos) {
      body_value(src, id, call);  // range check
      if (ids[static_cast<size_t>(id)] != kNoValue)
        out->declared_value_infos.push_back(ids[static_cast<size_t>(id)]);
    }

    Graph& dst = *out;
    for (size_t k = 0; k < src.nodes.size(); ++k)
      dst.nodes.push_back(copy_node(src, src.nodes[k], static_cast<int>(k), call, renames,
                                    [&](const std::string& name) { return dst.intern(name); }));
    adopt_free_names(dst);
    return out;
  }

  // A node's opset: the function's import for its domain, else the model's.
  void set_opset(Node& n, const Function& f) const {
    const int64_t own = find_opset(f.opset_imports, n.domain);
    n.opset_pinned = own > 0;
    n.opset = static_cast<int>(own > 0 ? own : model_.opset(n.domain));
  }

  std::string fresh(const std::string& prefix, const std::string& name) {
    std::string candidate = prefix + "/" + name;
    for (int k = 1; taken_.count(candidate); ++k)
      candidate = prefix + "/" + name + "_" + std::to_string(k);
    taken_.insert(candidate);
    return candidate;
  }

  void grow(const Call& call) {
    if (++nodes_ > limits_.max_nodes)
      fail_as(ErrorKind::limit_exceeded, call.where, "expanding functions grows the model past ",
              limits_.max_nodes, " nodes");
  }

  Model& model_;
  const FunctionLimits& limits_;
  std::map<std::pair<std::string, std::string>, const Function*> functions_;
  std::unordered_set<std::string> taken_;
  int64_t nodes_ = 0;
  int unnamed_calls_ = 0;
};

}  // namespace

void expand_functions(Model& model, const FunctionLimits& limits) { Expander(model, limits).run(); }

}  // namespace onyx
