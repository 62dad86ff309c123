// A model as Graphviz DOT (onyx/printer.h): boxes for nodes, ellipses for the graph's
// inputs and outputs, an edge per value labelled with its name, dtype and shape, and
// each subgraph (If branches, Loop and Scan bodies) as a dashed cluster beneath its
// node, its reads of outer names drawn as edges from their producers outside.
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "onyx/printer.h"

namespace onyx {
namespace {

// `s` as a DOT string, quotes included; "\n" stays a line break of the label.
std::string dot_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

class DotWriter {
 public:
  explicit DotWriter(std::ostream& out) : out_(out) {}

  // `types` (per value id of `g`) are the inferred types; null: the declared ones.
  void graph(const Graph& g, const std::vector<TypeInfo>* types, const std::string& pad) {
    scopes_.emplace_back();
    auto type_of = [&](int id) {
      const TypeInfo& t =
          types && static_cast<size_t>(id) < types->size() ? (*types)[id] : g.value(id).type;
      return t.kind == TypeInfo::Kind::Unknown ? std::string("?") : t.to_string();
    };
    for (int id : g.inputs) {
      if (g.is_initializer(id)) continue;
      const std::string dot = fresh("in");
      out_ << pad << dot << " [shape=ellipse, label=" << dot_string(g.value(id).name) << "];\n";
      scopes_.back()[g.value(id).name] = {dot, type_of(id)};
    }
    for (size_t k = 0; k < g.nodes.size(); ++k) {
      const Node& n = g.nodes[k];
      const std::string dot = fresh("n");
      std::string label = (n.is_default_domain() ? "" : n.domain + "::") + n.op_type;
      if (!n.name.empty()) label += "\n" + n.name;
      for (int id : n.inputs)  // weights go in the box rather than on edges of their own
        if (id != kNoValue && g.is_initializer(id))
          label += "\n" + g.value(id).name + ": " + g.initializers.at(id).describe();
      out_ << pad << dot << " [shape=box, label=" << dot_string(label) << "];\n";
      for (int id : n.inputs)
        if (id != kNoValue && !g.is_initializer(id)) edge(g.value(id).name, dot, pad);
      for (const Attribute& a : n.attributes) {
        if (a.g) subgraph(*a.g, dot, n, a.name, pad);
        for (size_t i = 0; i < a.graphs.size(); ++i)
          if (a.graphs[i])
            subgraph(*a.graphs[i], dot, n, a.name + "[" + std::to_string(i) + "]", pad);
      }
      for (int id : n.outputs)
        if (id != kNoValue) scopes_.back()[g.value(id).name] = {dot, type_of(id)};
    }
    for (int id : g.outputs) {
      const std::string dot = fresh("out");
      out_ << pad << dot << " [shape=ellipse, style=bold, label=" << dot_string(g.value(id).name)
           << "];\n";
      edge(g.value(id).name, dot, pad);
    }
    scopes_.pop_back();
  }

 private:
  struct Producer {
    std::string dot;   // the DOT node that makes the value
    std::string type;  // its type, for the edge's label
  };

  // A new DOT name; names_[k] is the k-th made.
  std::string fresh(const char* prefix) {
    names_.push_back(prefix + std::to_string(names_.size()));
    return names_.back();
  }

  // An edge from the producer of `name` (in this scope or an enclosing one) to `to`.
  void edge(const std::string& name, const std::string& to, const std::string& pad) {
    for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope) {
      auto found = scope->find(name);
      if (found == scope->end()) continue;
      out_ << pad << found->second.dot << " -> " << to
           << " [label=" << dot_string(name + "\n" + found->second.type)
           << (scope == scopes_.rbegin() ? "" : ", style=dashed") << "];\n";
      return;
    }
  }

  void subgraph(const Graph& g, const std::string& parent, const Node& n, const std::string& attr,
                const std::string& pad) {
    const std::string cluster = fresh("cluster_");
    out_ << pad << "subgraph " << cluster << " {\n"
         << pad << "  label=" << dot_string((n.name.empty() ? n.op_type : n.name) + ": " + attr)
         << ";\n"
         << pad << "  style=dashed;\n";
    const size_t first = names_.size();  // the first DOT node the subgraph makes
    graph(g, nullptr, pad + "  ");
    out_ << pad << "}\n";
    // Ties the cluster to its node: a dotted line from the node to the cluster's border.
    if (names_.size() > first)
      out_ << pad << parent << " -> " << names_[first] << " [style=dotted, lhead=" << cluster
           << ", arrowhead=none];\n";
  }

  std::ostream& out_;
  std::vector<std::string> names_;
  std::vector<std::map<std::string, Producer>> scopes_;
};

}  // namespace

void print_dot(const Model& model, std::ostream& out, const std::vector<TypeInfo>* types) {
  out << "digraph " << dot_string(model.graph.name.empty() ? "model" : model.graph.name) << " {\n"
      << "  compound=true;\n"
      << "  node [fontname=\"Helvetica\", fontsize=10];\n"
      << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  DotWriter(out).graph(model.graph, types, "  ");
  out << "}\n";
}

}  // namespace onyx
