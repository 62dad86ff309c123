// IR -> ModelProto bytes: the loader's mapping in reverse. Initializers are written
// inline (raw_data), so a loaded model with external data saves as one file.
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <unordered_set>

#include "onyx/loader.h"
#include "onyx/proto/onnx_proto.h"
#include "tensor_proto.h"

namespace onyx {
namespace {

void shape_to_proto(const std::vector<Dim>& dims, onnx::TensorShapeProto* shape) {
  for (const Dim& d : dims) {
    auto* out = shape->add_dim();
    if (d.is_known())
      out->set_dim_value(d.value);
    else if (!d.param.empty())
      out->set_dim_param(d.param);
  }
}

void type_to_proto(const TypeInfo& t, onnx::TypeProto* tp) {
  switch (t.kind) {
    case TypeInfo::Kind::Tensor: {
      auto* tt = tp->mutable_tensor_type();
      tt->set_elem_type(static_cast<int32_t>(t.elem));
      if (t.shape) shape_to_proto(*t.shape, tt->mutable_shape());
      break;
    }
    case TypeInfo::Kind::SparseTensor: {
      auto* st = tp->mutable_sparse_tensor_type();
      st->set_elem_type(static_cast<int32_t>(t.elem));
      if (t.shape) shape_to_proto(*t.shape, st->mutable_shape());
      break;
    }
    case TypeInfo::Kind::Sequence: {
      auto* seq = tp->mutable_sequence_type();
      if (t.inner) type_to_proto(*t.inner, seq->mutable_elem_type());
      break;
    }
    case TypeInfo::Kind::Optional: {
      auto* opt = tp->mutable_optional_type();
      if (t.inner) type_to_proto(*t.inner, opt->mutable_elem_type());
      break;
    }
    case TypeInfo::Kind::Map: {
      auto* map = tp->mutable_map_type();
      map->set_key_type(static_cast<int32_t>(t.elem));
      if (t.inner) type_to_proto(*t.inner, map->mutable_value_type());
      break;
    }
    case TypeInfo::Kind::Unknown:
      break;
  }
}

void value_to_proto(const Value& v, onnx::ValueInfoProto* vi) {
  vi->set_name(v.name);
  if (v.type.kind != TypeInfo::Kind::Unknown) type_to_proto(v.type, vi->mutable_type());
  if (!v.doc.empty()) vi->set_doc_string(v.doc);
}

template <class Imports>
void imports_to_proto(const std::vector<OpsetImport>& imports, Imports* out) {
  for (const OpsetImport& imp : imports) {
    auto* id = out->Add();
    id->set_domain(imp.domain);
    id->set_version(imp.version);
  }
}

void graph_to_proto(const Graph& g, onnx::GraphProto* gp);

void attribute_to_proto(const Attribute& a, onnx::AttributeProto* ap) {
  ap->set_name(a.name);
  ap->set_type(static_cast<onnx::AttributeProto::AttributeType>(a.type));
  if (!a.ref_attr_name.empty()) ap->set_ref_attr_name(a.ref_attr_name);
  if (!a.doc.empty()) ap->set_doc_string(a.doc);
  switch (a.type) {
    case AttrType::Float:
      ap->set_f(a.f);
      break;
    case AttrType::Int:
      ap->set_i(a.i);
      break;
    case AttrType::String:
      ap->set_s(a.s);
      break;
    case AttrType::Tensor:
      if (a.t.defined()) detail::tensor_to_proto(a.t, "", ap->mutable_t());
      break;
    case AttrType::Graph:
      if (a.g) graph_to_proto(*a.g, ap->mutable_g());
      break;
    case AttrType::SparseTensor:
      if (a.t.defined()) detail::dense_to_sparse_proto(a.t, "", ap->mutable_sparse_tensor());
      break;
    case AttrType::TypeProto:
      type_to_proto(a.tp, ap->mutable_tp());
      break;
    case AttrType::Floats:
      for (float f : a.floats) ap->add_floats(f);
      break;
    case AttrType::Ints:
      for (int64_t i : a.ints) ap->add_ints(i);
      break;
    case AttrType::Strings:
      for (const std::string& s : a.strings) ap->add_strings(s);
      break;
    case AttrType::Tensors:
      for (const Tensor& t : a.tensors) detail::tensor_to_proto(t, "", ap->add_tensors());
      break;
    case AttrType::Graphs:
      for (const auto& sg : a.graphs)
        if (sg) graph_to_proto(*sg, ap->add_graphs());
      break;
    case AttrType::SparseTensors:
      for (const Tensor& t : a.tensors)
        detail::dense_to_sparse_proto(t, "", ap->add_sparse_tensors());
      break;
    case AttrType::TypeProtos:
      for (const TypeInfo& t : a.tps) type_to_proto(t, ap->add_type_protos());
      break;
    case AttrType::Undefined:
      break;
  }
}

void node_to_proto(const Graph& g, const Node& n, onnx::NodeProto* np) {
  auto name_of = [&g](int id) { return id == kNoValue ? std::string() : g.value(id).name; };
  for (int id : n.inputs) np->add_input(name_of(id));
  for (int id : n.outputs) np->add_output(name_of(id));
  if (!n.name.empty()) np->set_name(n.name);
  np->set_op_type(n.op_type);
  if (!n.domain.empty()) np->set_domain(n.domain);
  if (!n.doc.empty()) np->set_doc_string(n.doc);
  for (const Attribute& a : n.attributes) attribute_to_proto(a, np->add_attribute());
}

void graph_to_proto(const Graph& g, onnx::GraphProto* gp) {
  if (!g.name.empty()) gp->set_name(g.name);
  if (!g.doc.empty()) gp->set_doc_string(g.doc);
  for (const Node& n : g.nodes) node_to_proto(g, n, gp->add_node());

  std::unordered_set<int> sparse;
  for (const SparseInitializer& s : g.sparse_initializers) {
    if (!g.is_initializer(s.value)) continue;  // a pass removed the initializer
    sparse.insert(s.value);
    auto* sp = gp->add_sparse_initializer();
    detail::tensor_to_proto(s.values, g.value(s.value).name, sp->mutable_values());
    detail::tensor_to_proto(s.indices, "", sp->mutable_indices());
    for (int64_t d : s.dims) sp->add_dims(d);
  }
  for (const auto& [id, t] : g.initializers)
    if (!sparse.count(id)) detail::tensor_to_proto(t, g.value(id).name, gp->add_initializer());

  for (int id : g.inputs) value_to_proto(g.value(id), gp->add_input());
  for (int id : g.outputs) value_to_proto(g.value(id), gp->add_output());
  for (int id : g.declared_value_infos) value_to_proto(g.value(id), gp->add_value_info());
}

void append_varint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void append_length_delimited(uint32_t field, const std::string& bytes, std::string* out) {
  append_varint(uint64_t{field} << 3 | 2, out);  // wire type 2: length-delimited
  append_varint(bytes.size(), out);
  out->append(bytes);
}

void function_to_proto(const Function& f, onnx::FunctionProto* fp) {
  fp->set_name(f.name);
  if (!f.domain.empty()) fp->set_domain(f.domain);
  if (!f.doc.empty()) fp->set_doc_string(f.doc);
  for (const std::string& s : f.inputs) fp->add_input(s);
  for (const std::string& s : f.outputs) fp->add_output(s);
  for (const std::string& s : f.attributes) fp->add_attribute(s);
  imports_to_proto(f.opset_imports, fp->mutable_opset_import());
  if (f.body)
    for (const Node& n : f.body->nodes) node_to_proto(*f.body, n, fp->add_node());
  // attribute_proto (field 11) is unknown to our onnx.proto: append it as raw wire
  // bytes, which protobuf-lite serializes after the known fields.
  for (const Attribute& a : f.attribute_defaults) {
    onnx::AttributeProto ap;
    attribute_to_proto(a, &ap);
    append_length_delimited(11, proto::serialize(ap), fp->mutable_unknown_fields());
  }
}

std::string serialize_checked(const google::protobuf::MessageLite& message, const char* what) {
  // Protobuf cannot write messages of 2 GiB or more.
  if (message.ByteSizeLong() > static_cast<size_t>(INT_MAX))
    fail("cannot serialize ", what, ": ", message.ByteSizeLong(),
         " bytes exceeds protobuf's 2 GiB limit");
  return proto::serialize(message);
}

}  // namespace

void write_file(const std::string& path, const std::string& bytes) {
  // Written beside the target and renamed over it: rename is atomic within a folder, so
  // an interrupted write never leaves a half-written file under the final name.
  const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out)
      fail_as(ErrorKind::io_error, "cannot open '", path, "' for writing (through '", temporary,
              "')");
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      std::remove(temporary.c_str());
      fail_as(ErrorKind::io_error, "cannot write '", path, "' (through '", temporary, "')");
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    std::remove(temporary.c_str());
    fail_as(ErrorKind::io_error, "cannot write '", path, "': renaming '", temporary,
            "' to it failed: ", std::strerror(error));
  }
}

std::string serialize_model(const Model& model) {
  onnx::ModelProto mp;
  mp.set_ir_version(model.ir_version);
  imports_to_proto(model.opset_imports, mp.mutable_opset_import());
  if (!model.producer_name.empty()) mp.set_producer_name(model.producer_name);
  if (!model.producer_version.empty()) mp.set_producer_version(model.producer_version);
  if (!model.domain.empty()) mp.set_domain(model.domain);
  if (model.model_version != 0) mp.set_model_version(model.model_version);
  if (!model.doc.empty()) mp.set_doc_string(model.doc);
  for (const auto& [key, value] : model.metadata) {
    auto* kv = mp.add_metadata_props();
    kv->set_key(key);
    kv->set_value(value);
  }
  graph_to_proto(model.graph, mp.mutable_graph());
  for (const Function& f : model.functions) function_to_proto(f, mp.add_functions());
  return serialize_checked(mp, "model");
}

void save_model(const Model& model, const std::string& path) {
  write_file(path, serialize_model(model));
}

std::string serialize_tensor(const Tensor& tensor, const std::string& name) {
  onnx::TensorProto tp;
  detail::tensor_to_proto(tensor, name, &tp);
  return serialize_checked(tp, "tensor");
}

void save_tensor(const Tensor& tensor, const std::string& path, const std::string& name) {
  write_file(path, serialize_tensor(tensor, name));
}

}  // namespace onyx
