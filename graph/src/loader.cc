// ModelProto -> IR. Protobuf types stop here: nothing past this file sees them.
#include "onyx/loader.h"

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <unordered_set>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include "mapped_file.h"
#include "model_parse.h"
#include "onyx/proto/onnx_proto.h"
#include "tensor_proto.h"

namespace onyx {
namespace {

namespace fs = std::filesystem;
using detail::ExternalData;
using detail::RawDataView;
using NameSet = std::unordered_set<std::string>;

std::string canonical_domain(const std::string& d) { return d == "ai.onnx" ? std::string() : d; }

int64_t find_opset(const std::vector<OpsetImport>& imports, const std::string& domain) {
  for (const OpsetImport& imp : imports)
    if (canonical_domain(imp.domain) == canonical_domain(domain)) return imp.version;
  return 0;
}

template <class Ids>
std::vector<OpsetImport> load_imports(const Ids& ids, const std::string& where) {
  std::vector<OpsetImport> out;
  for (const onnx::OperatorSetIdProto& id : ids) {
    if (id.version() < 0 || id.version() > INT_MAX)
      fail(where, "opset_import for domain '", id.domain(), "' has invalid version ", id.version());
    out.push_back(OpsetImport{id.domain(), id.version()});
  }
  return out;
}

std::vector<Dim> shape_from_proto(const onnx::TensorShapeProto& shape) {
  std::vector<Dim> dims;
  dims.reserve(static_cast<size_t>(shape.dim_size()));
  for (const auto& d : shape.dim()) {
    if (d.has_dim_value() && d.dim_value() >= 0)
      dims.push_back(Dim::known(d.dim_value()));
    else if (d.has_dim_param() && !d.dim_param().empty())
      dims.push_back(Dim::symbol(d.dim_param()));
    else
      dims.push_back(Dim{});  // unknown (a negative dim_value declares nothing either)
  }
  return dims;
}

TypeInfo type_from_proto(const onnx::TypeProto& tp) {
  TypeInfo t;
  auto inner = [](bool has, const onnx::TypeProto& p) {
    return has ? std::make_shared<TypeInfo>(type_from_proto(p)) : nullptr;
  };
  switch (tp.value_case()) {
    case onnx::TypeProto::kTensorType:
      t.kind = TypeInfo::Kind::Tensor;
      t.elem = static_cast<DType>(tp.tensor_type().elem_type());
      if (tp.tensor_type().has_shape()) t.shape = shape_from_proto(tp.tensor_type().shape());
      break;
    case onnx::TypeProto::kSparseTensorType:
      t.kind = TypeInfo::Kind::SparseTensor;
      t.elem = static_cast<DType>(tp.sparse_tensor_type().elem_type());
      if (tp.sparse_tensor_type().has_shape())
        t.shape = shape_from_proto(tp.sparse_tensor_type().shape());
      break;
    case onnx::TypeProto::kSequenceType:
      t.kind = TypeInfo::Kind::Sequence;
      t.inner = inner(tp.sequence_type().has_elem_type(), tp.sequence_type().elem_type());
      break;
    case onnx::TypeProto::kOptionalType:
      t.kind = TypeInfo::Kind::Optional;
      t.inner = inner(tp.optional_type().has_elem_type(), tp.optional_type().elem_type());
      break;
    case onnx::TypeProto::kMapType:
      t.kind = TypeInfo::Kind::Map;
      t.elem = static_cast<DType>(tp.map_type().key_type());
      t.inner = inner(tp.map_type().has_value_type(), tp.map_type().value_type());
      break;
    case onnx::TypeProto::VALUE_NOT_SET:
      break;
  }
  return t;
}

void declare(Value& v, const onnx::ValueInfoProto& info) {
  if (info.has_type()) v.type = type_from_proto(info.type());
  if (!info.doc_string().empty()) v.doc = info.doc_string();
}

// Files from IR version 1 may omit the attribute type; the filled field tells it.
AttrType infer_attr_type(const onnx::AttributeProto& a) {
  if (a.has_f()) return AttrType::Float;
  if (a.has_i()) return AttrType::Int;
  if (a.has_s()) return AttrType::String;
  if (a.has_t()) return AttrType::Tensor;
  if (a.has_g()) return AttrType::Graph;
  if (a.has_sparse_tensor()) return AttrType::SparseTensor;
  if (a.has_tp()) return AttrType::TypeProto;
  if (a.floats_size()) return AttrType::Floats;
  if (a.ints_size()) return AttrType::Ints;
  if (a.strings_size()) return AttrType::Strings;
  if (a.tensors_size()) return AttrType::Tensors;
  if (a.graphs_size()) return AttrType::Graphs;
  if (a.sparse_tensors_size()) return AttrType::SparseTensors;
  if (a.type_protos_size()) return AttrType::TypeProtos;
  return AttrType::Undefined;
}

// FunctionProto.attribute_proto (field 11, a repeated AttributeProto) from the
// unknown fields protobuf-lite keeps as raw wire bytes.
std::vector<onnx::AttributeProto> attribute_defaults_of(const onnx::FunctionProto& fp,
                                                        const std::string& where) {
  namespace wire = google::protobuf::internal;
  std::vector<onnx::AttributeProto> out;
  const std::string& raw = fp.unknown_fields();
  if (raw.empty()) return out;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(raw.data()),
                                            static_cast<int>(raw.size()));
  while (uint32_t tag = in.ReadTag()) {
    if (wire::WireFormatLite::GetTagFieldNumber(tag) == 11 &&
        wire::WireFormatLite::GetTagWireType(tag) ==
            wire::WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      uint32_t size = 0;
      std::string bytes;
      if (!in.ReadVarint32(&size) || !in.ReadString(&bytes, static_cast<int>(size)))
        fail(where, "attribute default #", out.size(), " is truncated");
      out.emplace_back();
      if (!proto::parse(bytes.data(), bytes.size(), out.back()))
        fail(where, "attribute default #", out.size() - 1, " is not a valid AttributeProto");
    } else if (!wire::WireFormatLite::SkipField(&in, tag)) {
      break;  // protobuf accepted these bytes; whatever follows is not ours to judge
    }
  }
  return out;
}

class Loader {
 public:
  Loader(Model& model, ExternalData& external) : model_(model), external_(external) {}

  // `initializer_raw`: the raw_data of the main graph's initializers, left out of `mp`.
  void load(onnx::ModelProto& mp, const std::vector<std::optional<RawDataView>>& initializer_raw) {
    main_graph_ = mp.has_graph() ? mp.mutable_graph() : nullptr;
    main_raw_ = &initializer_raw;
    model_.ir_version = mp.ir_version();
    model_.opset_imports = load_imports(mp.opset_import(), "model: ");
    model_.producer_name = mp.producer_name();
    model_.producer_version = mp.producer_version();
    model_.domain = mp.domain();
    model_.model_version = mp.model_version();
    model_.doc = mp.doc_string();
    for (const auto& kv : mp.metadata_props()) model_.metadata.emplace_back(kv.key(), kv.value());
    if (!mp.has_graph()) fail("model has no graph");
    load_graph(*mp.mutable_graph(), model_.graph,
               Context{&model_.opset_imports, nullptr, false, ""});
    for (onnx::FunctionProto& fp : *mp.mutable_functions())
      model_.functions.push_back(load_function(fp));
  }

 private:
  struct Context {
    const std::vector<OpsetImport>* imports;
    const std::vector<OpsetImport>* fallback;  // the model's imports, inside a function body
    bool subgraph;                             // free names refer to enclosing graphs
    std::string where;                         // error prefix locating this graph
  };

  // The id for a name used in `g`; in a subgraph, a name not defined locally is
  // a reference to an enclosing graph.
  static int use(Graph& g, const std::string& name, const Context& ctx, const NameSet& local) {
    int id = g.intern(name);
    if (ctx.subgraph && !local.count(name)) g.value(id).outer_scope = true;
    return id;
  }

  void load_graph(onnx::GraphProto& gp, Graph& g, const Context& ctx) {
    g.name = gp.name();
    g.doc = gp.doc_string();
    const std::string where = ctx.where + "graph '" + g.name + "': ";

    NameSet local;
    for (const auto& vi : gp.input()) local.insert(vi.name());
    for (const auto& t : gp.initializer()) local.insert(t.name());
    for (const auto& s : gp.sparse_initializer()) local.insert(s.values().name());
    for (const auto& n : gp.node())
      for (const std::string& out : n.output())
        if (!out.empty()) local.insert(out);

    for (int i = 0; i < gp.input_size(); ++i) {
      const onnx::ValueInfoProto& vi = gp.input(i);
      if (vi.name().empty()) fail(where, "input #", i, " has no name");
      if (g.find(vi.name()) != kNoValue) fail(where, "input '", vi.name(), "' is listed twice");
      int id = g.intern(vi.name());
      declare(g.value(id), vi);
      g.inputs.push_back(id);
    }
    for (int i = 0; i < gp.initializer_size(); ++i) {
      onnx::TensorProto& tp = *gp.mutable_initializer(i);
      if (tp.name().empty()) fail(where, "initializer #", i, " has no name");
      int id = add_initializer(g, tp.name(), where);
      const RawDataView* raw = nullptr;
      if (&gp == main_graph_ && static_cast<size_t>(i) < main_raw_->size() && (*main_raw_)[i])
        raw = &*(*main_raw_)[i];
      const Tensor& t = g.initializers[id] =
          detail::tensor_from_proto(tp, external_, where + "initializer '" + tp.name() + "'", raw);
      if (raw && raw->file->holder && t.dtype() != DType::Bool && t.raw() != raw->data)
        g.initializer_file_bytes[id] = FileBytes{raw->file->holder, raw->data, raw->size, t.raw()};
      tp.Clear();  // what is left of the message is not needed again
      type_from_tensor(g, id);
    }
    for (int i = 0; i < gp.sparse_initializer_size(); ++i) {
      onnx::SparseTensorProto& sp = *gp.mutable_sparse_initializer(i);
      const std::string name = sp.values().name();
      if (name.empty()) fail(where, "sparse initializer #", i, " has no name");
      int id = add_initializer(g, name, where);
      detail::SparseTensor s =
          detail::sparse_from_proto(sp, external_, where + "sparse initializer '" + name + "'");
      g.initializers[id] = s.dense;
      g.sparse_initializers.push_back(SparseInitializer{id, s.values, s.indices, s.dims});
      type_from_tensor(g, id);
    }
    std::unordered_set<int> declared;
    for (const auto& vi : gp.value_info()) {
      if (vi.name().empty()) continue;  // names nothing; nothing to declare
      int id = g.intern(vi.name());
      declare(g.value(id), vi);
      if (declared.insert(id).second) g.declared_value_infos.push_back(id);
    }
    load_nodes(*gp.mutable_node(), g, ctx, local);
    for (int i = 0; i < gp.output_size(); ++i) {
      const onnx::ValueInfoProto& vi = gp.output(i);
      if (vi.name().empty()) fail(where, "output #", i, " has no name");
      int id = use(g, vi.name(), ctx, local);
      declare(g.value(id), vi);
      g.outputs.push_back(id);
    }
  }

  static int add_initializer(Graph& g, const std::string& name, const std::string& where) {
    int id = g.intern(name);
    if (g.is_initializer(id)) fail(where, "initializer '", name, "' is defined twice");
    return id;
  }

  // An initializer that no input declares is typed by its data.
  static void type_from_tensor(Graph& g, int id) {
    Value& v = g.value(id);
    const Tensor& t = g.initializers.at(id);
    if (v.type.kind == TypeInfo::Kind::Unknown) v.type = TypeInfo::tensor_of(t.dtype(), t.shape());
  }

  template <class Nodes>
  void load_nodes(Nodes& nodes, Graph& g, const Context& ctx, const NameSet& local) {
    for (onnx::NodeProto& np : nodes) {
      const int index = static_cast<int>(g.nodes.size());
      Node n;
      n.name = np.name();
      n.op_type = np.op_type();
      n.domain = np.domain();
      n.doc = np.doc_string();
      int64_t version = find_opset(*ctx.imports, n.domain);
      if (version == 0 && ctx.fallback) version = find_opset(*ctx.fallback, n.domain);
      n.opset = static_cast<int>(version);
      for (const std::string& in : np.input())
        n.inputs.push_back(in.empty() ? kNoValue : use(g, in, ctx, local));
      for (const std::string& out : np.output())
        n.outputs.push_back(out.empty() ? kNoValue : g.intern(out));

      const std::string where = ctx.where + n.label(index) + ": ";
      for (onnx::AttributeProto& ap : *np.mutable_attribute()) {
        n.attributes.push_back(load_attribute(ap, ctx, where));
        // Names a subgraph takes from outside are, in turn, used by this graph.
        const Attribute& a = n.attributes.back();
        std::vector<const Graph*> subs;
        if (a.g) subs.push_back(a.g.get());
        for (const auto& sg : a.graphs) subs.push_back(sg.get());
        for (const Graph* sg : subs)
          for (const Value& v : sg->values)
            if (v.outer_scope && ctx.subgraph && !local.count(v.name)) use(g, v.name, ctx, local);
      }
      g.nodes.push_back(std::move(n));
    }
  }

  std::shared_ptr<Graph> load_subgraph(onnx::GraphProto& gp, const Context& ctx,
                                       const std::string& where) {
    auto g = std::make_shared<Graph>();
    load_graph(gp, *g, Context{ctx.imports, ctx.fallback, true, where});
    return g;
  }

  Attribute load_attribute(onnx::AttributeProto& ap, const Context& ctx,
                           const std::string& node_where) {
    Attribute a;
    a.name = ap.name();
    a.ref_attr_name = ap.ref_attr_name();
    a.doc = ap.doc_string();
    a.type = ap.has_type() ? static_cast<AttrType>(ap.type()) : infer_attr_type(ap);
    const std::string where = node_where + "attribute '" + a.name + "'";
    const bool is_ref = !a.ref_attr_name.empty();  // the value comes from the caller
    switch (a.type) {
      case AttrType::Float:
        a.f = ap.f();
        break;
      case AttrType::Int:
        a.i = ap.i();
        break;
      case AttrType::String:
        a.s = ap.s();
        break;
      case AttrType::Tensor:
        if (ap.has_t())
          a.t = detail::tensor_from_proto(*ap.mutable_t(), external_, where);
        else if (!is_ref)
          fail(where, " of type tensor holds no tensor");
        break;
      case AttrType::Graph:
        if (ap.has_g())
          a.g = load_subgraph(*ap.mutable_g(), ctx, where + " > ");
        else if (!is_ref)
          fail(where, " of type graph holds no graph");
        break;
      case AttrType::SparseTensor:
        if (ap.has_sparse_tensor())
          a.t = detail::sparse_from_proto(*ap.mutable_sparse_tensor(), external_, where).dense;
        else if (!is_ref)
          fail(where, " of type sparse_tensor holds no tensor");
        break;
      case AttrType::TypeProto:
        a.tp = type_from_proto(ap.tp());
        break;
      case AttrType::Floats:
        a.floats.assign(ap.floats().begin(), ap.floats().end());
        break;
      case AttrType::Ints:
        a.ints.assign(ap.ints().begin(), ap.ints().end());
        break;
      case AttrType::Strings:
        a.strings.assign(ap.strings().begin(), ap.strings().end());
        break;
      case AttrType::Tensors:
        for (int i = 0; i < ap.tensors_size(); ++i)
          a.tensors.push_back(detail::tensor_from_proto(*ap.mutable_tensors(i), external_,
                                                        where + " tensor #" + std::to_string(i)));
        break;
      case AttrType::Graphs:
        for (int i = 0; i < ap.graphs_size(); ++i)
          a.graphs.push_back(load_subgraph(*ap.mutable_graphs(i), ctx,
                                           where + " graph #" + std::to_string(i) + " > "));
        break;
      case AttrType::SparseTensors:
        for (int i = 0; i < ap.sparse_tensors_size(); ++i)
          a.tensors.push_back(detail::sparse_from_proto(*ap.mutable_sparse_tensors(i), external_,
                                                        where + " tensor #" + std::to_string(i))
                                  .dense);
        break;
      case AttrType::TypeProtos:
        for (const auto& tp : ap.type_protos()) a.tps.push_back(type_from_proto(tp));
        break;
      case AttrType::Undefined:
        break;  // the checker reports it
      default:
        fail(where, " has unknown type code ", static_cast<int>(a.type));
    }
    return a;
  }

  Function load_function(onnx::FunctionProto& fp) {
    Function f;
    f.name = fp.name();
    f.domain = fp.domain();
    f.doc = fp.doc_string();
    f.inputs.assign(fp.input().begin(), fp.input().end());
    f.outputs.assign(fp.output().begin(), fp.output().end());
    f.attributes.assign(fp.attribute().begin(), fp.attribute().end());
    const std::string where = "function '" + f.domain + "::" + f.name + "': ";
    f.opset_imports = load_imports(fp.opset_import(), where);
    f.body = std::make_shared<Graph>();
    f.body->name = f.name;
    f.body->doc = f.doc;
    for (const std::string& in : f.inputs) f.body->inputs.push_back(f.body->intern(in));
    load_nodes(*fp.mutable_node(), *f.body,
               Context{&f.opset_imports, &model_.opset_imports, false, where}, NameSet{});
    for (const std::string& out : f.outputs) f.body->outputs.push_back(f.body->intern(out));
    // attribute_proto (defaults) is newer than the onnx.proto we compile: it arrives
    // among the unknown fields.
    std::vector<onnx::AttributeProto> defaults = attribute_defaults_of(fp, where);
    for (size_t i = 0; i < defaults.size(); ++i)
      f.attribute_defaults.push_back(load_attribute(
          defaults[i], Context{&f.opset_imports, &model_.opset_imports, false, where},
          where + "default #" + std::to_string(i) + " "));
    return f;
  }

  Model& model_;
  ExternalData& external_;
  const onnx::GraphProto* main_graph_ = nullptr;
  const std::vector<std::optional<RawDataView>>* main_raw_ = nullptr;
};

// `bytes` lie inside `file` when it maps them; initializers may point into it.
Model load_parsed(const detail::MappedFile& file, std::string_view bytes,
                  const std::string& base_dir, const LoadOptions& options,
                  const std::string& source) {
  if (bytes.empty()) fail("failed to parse ", source, ": it is empty");
  if (static_cast<int64_t>(bytes.size()) > options.max_file_bytes)
    fail_as(ErrorKind::limit_exceeded, "cannot parse ", source, ": ", bytes.size(),
            " bytes is more than the limit of ", options.max_file_bytes);
  if (bytes.size() > static_cast<size_t>(INT_MAX))
    fail("cannot parse ", source, ": ", bytes.size(),
         " bytes is past protobuf's 2 GiB limit on one message (weights that large belong in "
         "external data files)");
  Model model;
  {
    auto parsed = std::make_unique<detail::ParsedModel>();
    if (!detail::parse_model(file, bytes, *parsed))
      fail("failed to parse ", source, ": not a valid ONNX model (truncated or corrupt bytes)");
    model.base_dir = base_dir;
    ExternalData external(base_dir, options.max_file_bytes);
    Loader(model, external).load(parsed->proto, parsed->initializer_raw);
  }  // the message is freed here, before anything else is built
  // The pages parsing read are not needed again; tensors fault theirs back in.
  if (file.holder) detail::release_pages(file.data, file.size);
  return model;
}

Tensor parse_tensor(std::string_view bytes, const std::string& base_dir, std::string* name,
                    const std::string& source) {
  onnx::TensorProto proto;
  if (!proto::parse(bytes.data(), bytes.size(), proto))
    fail("failed to parse ", source, ": not a valid TensorProto (truncated or corrupt bytes)");
  if (name) *name = proto.name();
  ExternalData external(base_dir, LoadOptions{}.max_file_bytes);
  return detail::tensor_from_proto(proto, external, "tensor '" + proto.name() + "'");
}

std::string folder_of(const std::string& path) {
  std::string dir = fs::path(path).parent_path().string();
  return dir.empty() ? std::string(".") : dir;
}

}  // namespace

Model load_model(const std::string& path, const LoadOptions& options) {
  return classify_errors(ErrorKind::invalid_model, [&] {
    std::error_code ec;
    if (!fs::exists(path, ec))
      fail_as(ErrorKind::io_error, "cannot open '", path, "': no such file");
    // Mapped, not read: initializers point into the file or are copied from it once.
    detail::MappedFile file = detail::map_file(path, options.max_file_bytes, "", "'" + path + "'");
    return load_parsed(file, std::string_view(file.data, file.size), folder_of(path), options,
                       "'" + path + "'");
  });
}

Model load_model_from_bytes(std::string_view bytes, const std::string& base_dir,
                            const LoadOptions& options) {
  return classify_errors(ErrorKind::invalid_model, [&] {
    return load_parsed(detail::MappedFile{}, bytes, base_dir, options, "model bytes");
  });
}

// Tensor files are what callers feed a model: a bad one is a bad input.
Tensor load_tensor_proto(std::string_view bytes, const std::string& base_dir, std::string* name) {
  return classify_errors(ErrorKind::invalid_input,
                         [&] { return parse_tensor(bytes, base_dir, name, "tensor bytes"); });
}

Tensor load_tensor_file(const std::string& path, std::string* name) {
  return classify_errors(ErrorKind::invalid_input, [&] {
    std::string bytes = read_file_bytes(path);
    return parse_tensor(bytes, folder_of(path), name, "'" + path + "'");
  });
}

std::string read_file_bytes(const std::string& path, int64_t max_bytes) {
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  constexpr ErrorKind io = ErrorKind::io_error;
  if (ec || !fs::exists(st)) fail_as(io, "cannot open '", path, "': no such file");
  if (!fs::is_regular_file(st)) fail_as(io, "cannot read '", path, "': not a regular file");
  uintmax_t size = fs::file_size(path, ec);
  if (ec) fail_as(io, "cannot read '", path, "': ", ec.message());
  if (size > static_cast<uintmax_t>(max_bytes))
    fail_as(ErrorKind::limit_exceeded, "cannot read '", path, "': ", size,
            " bytes is more than the limit of ", max_bytes);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_as(io, "cannot open '", path, "': ", std::strerror(errno));
  std::string bytes(static_cast<size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (static_cast<uintmax_t>(in.gcount()) != size)
    fail_as(io, "cannot read '", path, "': short read");
  return bytes;
}

}  // namespace onyx
