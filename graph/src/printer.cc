// A listing in the spirit of onnx.helper.printable_graph:
//
//   ir_version: 8
//   opset_import: ai.onnx 13
//   producer: exporter 1.0
//   graph main (
//     %x: float[N, 3]
//   ) initializers (
//     %w: float[3, 4]
//   ) {
//     %y = Gemm[alpha = 0.5, transB = 1](%x, %w)
//     return %y
//   }
//
// Subgraphs are printed beneath their node, indented two more spaces. Initializers
// show name, dtype and shape only; small attribute tensors also show their values.
#include "onyx/printer.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <type_traits>

#include "onyx/narrow_tensor.h"

namespace onyx {
namespace {

constexpr int64_t kMaxTensorValuesShown = 8;

// Shortest text that reads back to the same value, always with a '.' or exponent so
// it does not read as an integer ("1.0", "0.1", "1e-05").
template <class F>
std::string format_float(F v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  std::string s(buf, ec == std::errc() ? end : buf);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (unsigned char c : s) {
    if (c == '\'' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "'";
}

template <class T>
std::string format_element(const T& v) {
  if constexpr (std::is_same_v<T, std::string>)
    return quote(v);
  else if constexpr (std::is_same_v<T, bool>)
    return v ? "true" : "false";
  else if constexpr (std::is_same_v<T, float16_t> || std::is_same_v<T, bfloat16_t>)
    return format_float(static_cast<float>(v));
  else if constexpr (std::is_floating_point_v<T>)
    return format_float(v);
  else
    return std::to_string(v);  // int8/uint8 print as numbers, not characters
}

std::string tensor_to_string(const Tensor& t, const char* kind) {
  if (!t.defined()) return std::string("<") + kind + "undefined>";
  std::string out = std::string("<") + kind + t.describe();
  const bool narrow = dtype_is_narrow(t.dtype());
  if (t.numel() <= kMaxTensorValuesShown && (narrow || dtype_in(AllTypes{}, t.dtype()))) {
    // The 8-, 4- and 2-bit types show their values, read through their wide type.
    const Tensor values = narrow ? widen(t) : t;
    out += " {";
    dispatch<AllTypes>(values.dtype(), "print", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* p = values.data<T>();
      for (int64_t i = 0; i < values.numel(); ++i) out += (i ? ", " : "") + format_element(p[i]);
    });
    out += "}";
  }
  return out + ">";
}

std::string graph_ref(const std::shared_ptr<Graph>& g) {
  return g ? "<graph " + g->name + ">" : "<graph null>";
}

template <class T, class Fn>
std::string list(const std::vector<T>& items, Fn&& fn) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + fn(items[i]);
  return out + "]";
}

std::string value_ref(const Graph& g, int id) {
  if (id == kNoValue) return "\"\"";
  if (id < 0 || static_cast<size_t>(id) >= g.values.size())
    return "%<bad id " + std::to_string(id) + ">";
  return "%" + g.value(id).name;
}

std::string value_refs(const Graph& g, const std::vector<int>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + value_ref(g, ids[i]);
  return out;
}

std::string imports_to_string(const std::vector<OpsetImport>& imports) {
  std::string out;
  for (size_t i = 0; i < imports.size(); ++i)
    out += (i ? ", " : "") +
           (imports[i].domain.empty() ? std::string("ai.onnx") : imports[i].domain) + " " +
           std::to_string(imports[i].version);
  return out;
}

void print_node(const Graph& g, const Node& n, std::ostream& out, int indent) {
  std::string pad(static_cast<size_t>(indent), ' ');
  out << pad;
  if (!n.outputs.empty()) out << value_refs(g, n.outputs) << " = ";
  if (!n.is_default_domain()) out << n.domain << "::";
  out << n.op_type;
  if (!n.attributes.empty()) {
    out << "[";
    for (size_t i = 0; i < n.attributes.size(); ++i)
      out << (i ? ", " : "") << attribute_to_string(n.attributes[i]);
    out << "]";
  }
  out << "(" << value_refs(g, n.inputs) << ")\n";
  for (const Attribute& a : n.attributes) {
    if (a.g) print_graph(*a.g, out, indent + 2);
    for (const auto& sg : a.graphs)
      if (sg) print_graph(*sg, out, indent + 2);
  }
}

}  // namespace

std::string attribute_to_string(const Attribute& a) {
  std::string head = a.name + " = ";
  if (!a.ref_attr_name.empty()) return head + "@" + a.ref_attr_name;
  switch (a.type) {
    case AttrType::Float:
      return head + format_float(a.f);
    case AttrType::Int:
      return head + std::to_string(a.i);
    case AttrType::String:
      return head + quote(a.s);
    case AttrType::Tensor:
      return head + tensor_to_string(a.t, "");
    case AttrType::Graph:
      return head + graph_ref(a.g);
    case AttrType::SparseTensor:
      return head + tensor_to_string(a.t, "sparse ");
    case AttrType::TypeProto:
      return head + "<type " + a.tp.to_string() + ">";
    case AttrType::Floats:
      return head + list(a.floats, [](float f) { return format_float(f); });
    case AttrType::Ints:
      return head + list(a.ints, [](int64_t i) { return std::to_string(i); });
    case AttrType::Strings:
      return head + list(a.strings, quote);
    case AttrType::Tensors:
      return head + list(a.tensors, [](const Tensor& t) { return tensor_to_string(t, ""); });
    case AttrType::Graphs:
      return head + list(a.graphs, graph_ref);
    case AttrType::SparseTensors:
      return head + list(a.tensors, [](const Tensor& t) { return tensor_to_string(t, "sparse "); });
    case AttrType::TypeProtos:
      return head + list(a.tps, [](const TypeInfo& t) { return "<type " + t.to_string() + ">"; });
    case AttrType::Undefined:
      break;
  }
  return head + "<undefined>";
}

void print_graph(const Graph& graph, std::ostream& out, int indent) {
  std::string pad(static_cast<size_t>(indent), ' ');
  out << pad << "graph" << (graph.name.empty() ? "" : " ") << graph.name << " (\n";
  for (int id : graph.inputs)
    if (!graph.is_initializer(id))
      out << pad << "  %" << graph.value(id).name << ": " << graph.value(id).type.to_string()
          << "\n";
  if (!graph.initializers.empty()) {
    out << pad << ") initializers (\n";
    for (const auto& [id, t] : graph.initializers) {
      out << pad << "  %" << graph.value(id).name << ": " << t.describe();
      for (const SparseInitializer& s : graph.sparse_initializers)
        if (s.value == id) out << " (sparse, " << s.values.numel() << " values)";
      out << "\n";
    }
  }
  out << pad << ") {\n";
  for (const Node& n : graph.nodes) print_node(graph, n, out, indent + 2);
  out << pad << "  return";
  if (!graph.outputs.empty()) out << " " << value_refs(graph, graph.outputs);
  out << "\n" << pad << "}\n";
}

void print_model(const Model& model, std::ostream& out) {
  out << "ir_version: " << model.ir_version << "\n";
  out << "opset_import: "
      << (model.opset_imports.empty() ? "(none)" : imports_to_string(model.opset_imports)) << "\n";
  if (!model.producer_name.empty() || !model.producer_version.empty()) {
    out << "producer: " << model.producer_name;
    if (!model.producer_version.empty())
      out << (model.producer_name.empty() ? "" : " ") << model.producer_version;
    out << "\n";
  }
  if (!model.domain.empty()) out << "domain: " << model.domain << "\n";
  if (model.model_version != 0) out << "model_version: " << model.model_version << "\n";
  for (const auto& [key, value] : model.metadata)
    out << "metadata: " << key << " = " << quote(value) << "\n";
  print_graph(model.graph, out, 0);
  for (const Function& f : model.functions) {
    out << "function " << (f.domain.empty() ? "" : f.domain + "::") << f.name << "(";
    for (size_t i = 0; i < f.inputs.size(); ++i) out << (i ? ", " : "") << "%" << f.inputs[i];
    out << ") -> (";
    for (size_t i = 0; i < f.outputs.size(); ++i) out << (i ? ", " : "") << "%" << f.outputs[i];
    out << ") {\n";
    if (!f.attributes.empty()) {
      out << "  attributes:";
      for (const std::string& a : f.attributes) out << " " << a;
      out << "\n";
    }
    if (!f.opset_imports.empty())
      out << "  opset_import: " << imports_to_string(f.opset_imports) << "\n";
    if (f.body)
      for (const Node& n : f.body->nodes) print_node(*f.body, n, out, 2);
    out << "}\n";
  }
}

}  // namespace onyx
