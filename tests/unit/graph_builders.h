// Helpers for the graph-layer tests: small ModelProtos built field by field, small
// IR graphs built value by value, and a scratch folder on disk.
#pragma once

#include <stdlib.h>

#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "onyx/ir.h"
#include "onyx/proto/onnx_proto.h"

namespace onyx::test {

// ---- protobuf side ----

inline onnx::TensorProto raw_tensor(const std::string& name, int32_t dtype,
                                    std::initializer_list<int64_t> dims,
                                    std::initializer_list<uint8_t> bytes) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(dtype);
  for (int64_t d : dims) t.add_dims(d);
  t.set_raw_data(std::string(bytes.begin(), bytes.end()));
  return t;
}

// A float tensor stored in the typed float_data field.
inline onnx::TensorProto typed_floats(const std::string& name, std::initializer_list<int64_t> dims,
                                      std::initializer_list<float> values) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t.add_dims(d);
  for (float v : values) t.add_float_data(v);
  return t;
}

// Points `t` at external data: `location`, and `offset` and `length` where not empty.
inline void set_external_data(onnx::TensorProto& t, const std::string& location,
                              const std::string& offset = "", const std::string& length = "") {
  t.clear_raw_data();
  t.set_data_location(onnx::TensorProto::EXTERNAL);
  auto add = [&](const char* k, const std::string& v) {
    if (v.empty()) return;
    auto* kv = t.add_external_data();
    kv->set_key(k);
    kv->set_value(v);
  };
  add("location", location);
  add("offset", offset);
  add("length", length);
}

inline void set_tensor_type(onnx::TypeProto* tp, int32_t elem, std::vector<std::string> dims) {
  auto* tt = tp->mutable_tensor_type();
  tt->set_elem_type(elem);
  auto* shape = tt->mutable_shape();
  for (const std::string& d : dims) {
    auto* dim = shape->add_dim();
    if (d == "?") continue;
    if (!d.empty() && std::isdigit(static_cast<unsigned char>(d[0])))
      dim->set_dim_value(std::stoll(d));
    else
      dim->set_dim_param(d);
  }
}

inline void add_value(google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>* list,
                      const std::string& name, int32_t elem, std::vector<std::string> dims) {
  auto* vi = list->Add();
  vi->set_name(name);
  set_tensor_type(vi->mutable_type(), elem, std::move(dims));
}

inline onnx::NodeProto* add_node(onnx::GraphProto* g, const std::string& op,
                                 std::vector<std::string> inputs, std::vector<std::string> outputs,
                                 const std::string& name = "", const std::string& domain = "") {
  auto* n = g->add_node();
  n->set_op_type(op);
  if (!name.empty()) n->set_name(name);
  if (!domain.empty()) n->set_domain(domain);
  for (const auto& s : inputs) n->add_input(s);
  for (const auto& s : outputs) n->add_output(s);
  return n;
}

inline void add_int_attr(onnx::NodeProto* node, const std::string& name, int64_t v) {
  auto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

// A graph attribute of `node` (an If branch, a Loop body), returned for filling in.
inline onnx::GraphProto* add_graph_attr(onnx::NodeProto* node, const std::string& name) {
  auto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::GRAPH);
  a->mutable_g()->set_name(name);
  return a->mutable_g();
}

inline void add_opset(onnx::ModelProto& m, const std::string& domain, int64_t version) {
  auto* op = m.add_opset_import();
  op->set_domain(domain);
  op->set_version(version);
}

// y = Relu(x), x and y float[2]; opset 13.
inline onnx::ModelProto relu_model() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  add_opset(m, "", 13);
  auto* g = m.mutable_graph();
  g->set_name("main");
  add_value(g->mutable_input(), "x", onnx::TensorProto::FLOAT, {"2"});
  add_value(g->mutable_output(), "y", onnx::TensorProto::FLOAT, {"2"});
  add_node(g, "Relu", {"x"}, {"y"}, "relu");
  return m;
}

inline std::string bytes_of(const google::protobuf::MessageLite& m) { return proto::serialize(m); }

// An empty IR-8 model importing the default domain at `opset`, main graph named "main".
inline onnx::ModelProto model_at(int64_t opset) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  add_opset(m, "", opset);
  m.mutable_graph()->set_name("main");
  return m;
}

// ---- IR side ----

inline TypeInfo float_type(std::initializer_list<int64_t> dims) {
  return TypeInfo::tensor_of(DType::Float, Shape(dims));
}

inline int add_input(Graph& g, const std::string& name, TypeInfo type = float_type({2})) {
  int id = g.intern(name);
  g.value(id).type = std::move(type);
  g.inputs.push_back(id);
  return id;
}

inline int add_output(Graph& g, const std::string& name, TypeInfo type = float_type({2})) {
  int id = g.intern(name);
  g.value(id).type = std::move(type);
  g.outputs.push_back(id);
  return id;
}

inline Node& add_ir_node(Graph& g, const std::string& op, std::vector<std::string> inputs,
                         std::vector<std::string> outputs, const std::string& name = "",
                         const std::string& domain = "") {
  Node n;
  n.op_type = op;
  n.name = name;
  n.domain = domain;
  for (const auto& s : inputs) n.inputs.push_back(s.empty() ? kNoValue : g.intern(s));
  for (const auto& s : outputs) n.outputs.push_back(s.empty() ? kNoValue : g.intern(s));
  g.nodes.push_back(std::move(n));
  return g.nodes.back();
}

inline Attribute int_attr(const std::string& name, int64_t v) {
  Attribute a;
  a.name = name;
  a.type = AttrType::Int;
  a.i = v;
  return a;
}

inline Attribute float_attr(const std::string& name, float v) {
  Attribute a;
  a.name = name;
  a.type = AttrType::Float;
  a.f = v;
  return a;
}

inline Attribute ints_attr(const std::string& name, std::vector<int64_t> v) {
  Attribute a;
  a.name = name;
  a.type = AttrType::Ints;
  a.ints = std::move(v);
  return a;
}

inline Attribute graph_attr(const std::string& name, std::shared_ptr<Graph> g) {
  Attribute a;
  a.name = name;
  a.type = AttrType::Graph;
  a.g = std::move(g);
  return a;
}

// A subgraph value that refers to an enclosing graph.
inline int add_outer(Graph& g, const std::string& name) {
  int id = g.intern(name);
  g.value(id).outer_scope = true;
  return id;
}

// ---- files ----

// A fresh folder, removed with everything in it when the object goes away.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "onyx_test_XXXXXX").string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed");
    path_ = buf.data();
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  void write(const std::string& name, const std::string& bytes) const {
    std::filesystem::create_directories((path_ / name).parent_path());
    std::ofstream out(path_ / name, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }

 private:
  std::filesystem::path path_;
};

}  // namespace onyx::test
