#include "onyx/ir.h"

#include <set>

namespace onyx {

std::string Dim::to_string() const {
  if (is_known()) return std::to_string(value);
  return param.empty() ? "?" : param;
}

TypeInfo TypeInfo::tensor(DType dt, std::optional<std::vector<Dim>> shape) {
  TypeInfo t;
  t.kind = Kind::Tensor;
  t.elem = dt;
  t.shape = std::move(shape);
  return t;
}

TypeInfo TypeInfo::tensor_of(DType dt, const Shape& concrete) {
  std::vector<Dim> dims;
  dims.reserve(concrete.size());
  for (int64_t d : concrete) dims.push_back(Dim::known(d));
  return tensor(dt, std::move(dims));
}

TypeInfo TypeInfo::sequence_of(TypeInfo element) {
  TypeInfo t;
  t.kind = Kind::Sequence;
  t.inner = std::make_shared<TypeInfo>(std::move(element));
  return t;
}

TypeInfo TypeInfo::optional_of(TypeInfo element) {
  TypeInfo t;
  t.kind = Kind::Optional;
  t.inner = std::make_shared<TypeInfo>(std::move(element));
  return t;
}

std::optional<Shape> TypeInfo::concrete_shape() const {
  if (!shape) return std::nullopt;
  Shape out;
  out.reserve(shape->size());
  for (const Dim& d : *shape) {
    if (!d.is_known()) return std::nullopt;
    out.push_back(d.value);
  }
  return out;
}

std::string TypeInfo::to_string() const {
  auto dims = [this] {
    if (!shape) return std::string("[...]");
    std::string s = "[";
    for (size_t i = 0; i < shape->size(); ++i) s += (i ? ", " : "") + (*shape)[i].to_string();
    return s + "]";
  };
  auto inner_str = [this] { return inner ? inner->to_string() : std::string("?"); };
  switch (kind) {
    case Kind::Tensor:
      return std::string(dtype_name(elem)) + dims();
    case Kind::SparseTensor:
      return std::string("sparse(") + dtype_name(elem) + dims() + ")";
    case Kind::Sequence:
      return "seq(" + inner_str() + ")";
    case Kind::Optional:
      return "optional(" + inner_str() + ")";
    case Kind::Map:
      return std::string("map(") + dtype_name(elem) + ", " + inner_str() + ")";
    case Kind::Unknown:
      break;
  }
  return "?";
}

const char* attr_type_name(AttrType t) {
  switch (t) {
    case AttrType::Float:
      return "float";
    case AttrType::Int:
      return "int";
    case AttrType::String:
      return "string";
    case AttrType::Tensor:
      return "tensor";
    case AttrType::Graph:
      return "graph";
    case AttrType::SparseTensor:
      return "sparse_tensor";
    case AttrType::TypeProto:
      return "type_proto";
    case AttrType::Floats:
      return "floats";
    case AttrType::Ints:
      return "ints";
    case AttrType::Strings:
      return "strings";
    case AttrType::Tensors:
      return "tensors";
    case AttrType::Graphs:
      return "graphs";
    case AttrType::SparseTensors:
      return "sparse_tensors";
    case AttrType::TypeProtos:
      return "type_protos";
    case AttrType::Undefined:
      break;
  }
  return "undefined";
}

const Attribute* Node::find_attr(const std::string& attr_name) const {
  for (const Attribute& a : attributes)
    if (a.name == attr_name) return &a;
  return nullptr;
}

std::string Node::label(int index) const {
  // Built for every node at session creation: plain appends, no stream.
  std::string out = "node '" + name + "' (#" + std::to_string(index) + ", ";
  if (!is_default_domain()) out += domain + "::";
  return out + op_type + ")";
}

int Graph::find(const std::string& value_name) const {
  auto it = ids_.find(value_name);
  return it == ids_.end() ? kNoValue : it->second;
}

int Graph::intern(const std::string& value_name) {
  auto it = ids_.find(value_name);
  if (it != ids_.end()) return it->second;
  int id = static_cast<int>(values.size());
  values.push_back(Value{value_name, TypeInfo{}, false, {}});
  ids_.emplace(value_name, id);
  return id;
}

std::vector<int> Graph::feed_inputs() const {
  std::vector<int> out;
  for (int id : inputs)
    if (!is_initializer(id)) out.push_back(id);
  return out;
}

int64_t Model::opset(const std::string& node_domain) const {
  auto canonical = [](const std::string& d) { return d == "ai.onnx" ? std::string() : d; };
  for (const OpsetImport& imp : opset_imports)
    if (canonical(imp.domain) == canonical(node_domain)) return imp.version;
  return 0;
}

namespace {

void resolve_graph_opsets(const Model& model, Graph& graph) {
  for (Node& node : graph.nodes) {
    if (!node.opset_pinned) node.opset = static_cast<int>(model.opset(node.domain));
    for (Attribute& a : node.attributes) {
      if (a.g) resolve_graph_opsets(model, *a.g);
      for (auto& g : a.graphs) resolve_graph_opsets(model, *g);
    }
  }
}

}  // namespace

namespace {

// Names a subgraph takes from enclosing graphs, including those its own nested
// subgraphs take and it does not define.
void collect_free_names(const Graph& g, std::set<std::string>& out) {
  for (const Value& v : g.values)
    if (v.outer_scope) out.insert(v.name);
  for (const Node& n : g.nodes)
    for (const Attribute& a : n.attributes) {
      std::vector<const Graph*> subs;
      if (a.g) subs.push_back(a.g.get());
      for (const auto& sg : a.graphs)
        if (sg) subs.push_back(sg.get());
      for (const Graph* sg : subs) {
        std::set<std::string> inner;
        collect_free_names(*sg, inner);
        for (const std::string& name : inner) {
          int id = g.find(name);
          if (id == kNoValue || g.value(id).outer_scope) out.insert(name);
        }
      }
    }
}

}  // namespace

std::vector<int> implicit_inputs(const Graph& graph, const Node& node) {
  std::set<std::string> free;
  for (const Attribute& a : node.attributes) {
    if (a.g) collect_free_names(*a.g, free);
    for (const auto& sg : a.graphs)
      if (sg) collect_free_names(*sg, free);
  }
  std::vector<int> ids;
  for (const std::string& name : free) {
    int id = graph.find(name);
    if (id != kNoValue) ids.push_back(id);
  }
  return ids;
}

void resolve_opsets(Model& model) { resolve_graph_opsets(model, model.graph); }

}  // namespace onyx
