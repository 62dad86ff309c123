// Onyx's own in-memory model: what the loader builds from an .onnx file, what the
// checker, printer, shape inference and the session read. No protobuf here.
//
// Values are numbered per graph: Node::inputs/outputs hold value ids into
// Graph::values (kNoValue marks an omitted optional input). A subgraph (the body
// of If/Loop/Scan) has its own value table; names it uses from enclosing graphs
// appear there as values with `outer_scope = true`.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "onyx/tensor.h"

namespace onyx {

constexpr int kNoValue = -1;

// One dimension: a known size, a named symbol (dim_param) or unknown.
struct Dim {
  int64_t value = -1;  // >= 0 when known
  std::string param;   // symbolic name when value < 0; empty = unknown
  static Dim known(int64_t v) { return Dim{v, {}}; }
  static Dim symbol(std::string s) { return Dim{-1, std::move(s)}; }
  bool is_known() const { return value >= 0; }
  bool operator==(const Dim& o) const { return value == o.value && param == o.param; }
  std::string to_string() const;  // "3", "batch" or "?"
};

// The type of a value: a tensor (element type + optional shape), a sequence or an
// optional of an inner type, a map, or a sparse tensor.
struct TypeInfo {
  enum class Kind { Unknown, Tensor, SparseTensor, Sequence, Optional, Map };
  Kind kind = Kind::Unknown;
  DType elem = DType::Undefined;          // tensor element type (map: key type)
  std::optional<std::vector<Dim>> shape;  // absent: rank unknown
  std::shared_ptr<TypeInfo> inner;        // sequence/optional element, map value

  static TypeInfo tensor(DType dt, std::optional<std::vector<Dim>> shape = std::nullopt);
  static TypeInfo tensor_of(DType dt, const Shape& concrete);
  static TypeInfo sequence_of(TypeInfo element);
  static TypeInfo optional_of(TypeInfo element);
  bool is_tensor() const { return kind == Kind::Tensor; }
  bool has_shape() const { return shape.has_value(); }
  // All dims known: the concrete shape; otherwise nullopt.
  std::optional<Shape> concrete_shape() const;
  std::string to_string() const;  // "float[1, 3, ?, W]", "seq(float[?])"
};

struct Graph;

enum class AttrType {
  Undefined = 0,
  Float = 1,
  Int = 2,
  String = 3,
  Tensor = 4,
  Graph = 5,
  SparseTensor = 11,
  TypeProto = 13,
  Floats = 6,
  Ints = 7,
  Strings = 8,
  Tensors = 9,
  Graphs = 10,
  SparseTensors = 12,
  TypeProtos = 14,
};
const char* attr_type_name(AttrType t);

struct Attribute {
  std::string name;
  AttrType type = AttrType::Undefined;
  std::string ref_attr_name;  // inside a function body: refers to a caller attribute
  std::string doc;
  float f = 0;
  int64_t i = 0;
  std::string s;  // bytes
  Tensor t;
  std::shared_ptr<Graph> g;
  TypeInfo tp;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  std::vector<Tensor> tensors;
  std::vector<std::shared_ptr<Graph>> graphs;
  std::vector<TypeInfo> tps;
};

struct Node {
  std::string name;
  std::string op_type;
  std::string domain;  // "" is the default ONNX domain
  std::vector<int> inputs;
  std::vector<int> outputs;
  std::vector<Attribute> attributes;
  std::string doc;
  int opset = 0;  // resolved from the model's imports by the loader
  // Set by function expansion when `opset` comes from the function's own imports,
  // which may differ from the model's: resolve_opsets then leaves it alone.
  bool opset_pinned = false;

  const Attribute* find_attr(const std::string& attr_name) const;
  // "node 'conv1' (#3, Conv)" for error messages; index is the position in the graph.
  std::string label(int index) const;
  bool is_default_domain() const { return domain.empty() || domain == "ai.onnx"; }
};

struct Value {
  std::string name;
  TypeInfo type;             // Kind::Unknown when the file declares nothing
  bool outer_scope = false;  // defined in an enclosing graph
  std::string doc;
};

struct SparseInitializer {
  int value = kNoValue;  // the value it defines (densified into Graph::initializers)
  Tensor values;
  Tensor indices;
  Shape dims;
};

// The bytes in a memory-mapped model file that an initializer was copied from (its raw
// data was not aligned for its type, so it could not be used in place).
struct FileBytes {
  std::shared_ptr<const char> file;  // keeps the mapping
  const char* data = nullptr;
  size_t size = 0;
  const void* copy = nullptr;  // the copy's storage, to tell the initializer is still that copy
};

struct Graph {
  std::string name;
  std::string doc;
  std::vector<Value> values;
  std::vector<Node> nodes;
  std::vector<int> inputs;  // graph inputs in file order (may include initializer names)
  std::vector<int> outputs;
  std::map<int, Tensor> initializers;  // value id -> constant data
  // Initializers the file stores sparse, kept in file form so the writer can
  // write them back as such; their dense data is in `initializers` too. A pass
  // that replaces such an initializer drops its entry here.
  std::vector<SparseInitializer> sparse_initializers;
  // Where each initializer copied out of a mapped file came from: a kernel that only
  // moves bytes (Gather from an embedding table) reads the file in place instead, and
  // the copy goes. A pass that replaces or drops such an initializer drops its entry.
  std::map<int, FileBytes> initializer_file_bytes;
  std::vector<int> declared_value_infos;  // ids with a value_info entry in the file

  // The id of `name`, or kNoValue.
  int find(const std::string& value_name) const;
  // The id of `name`, creating an untyped value when new.
  int intern(const std::string& value_name);
  const Value& value(int id) const { return values.at(static_cast<size_t>(id)); }
  Value& value(int id) { return values.at(static_cast<size_t>(id)); }
  bool is_initializer(int id) const { return initializers.count(id) != 0; }
  // Inputs the caller must feed: graph inputs that are not initializers.
  std::vector<int> feed_inputs() const;

 private:
  std::unordered_map<std::string, int> ids_;
};

struct OpsetImport {
  std::string domain;
  int64_t version = 0;
};

// A model-local function (ModelProto.functions): a named subgraph with formal
// inputs, outputs and attribute names, called by nodes of op type `name`.
struct Function {
  std::string name;
  std::string domain;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::vector<std::string> attributes;        // attribute names without defaults
  std::vector<Attribute> attribute_defaults;  // attribute_proto (with defaults)
  std::vector<OpsetImport> opset_imports;
  std::shared_ptr<Graph> body;  // nodes over values named as in the file
  std::string doc;
};

struct Model {
  int64_t ir_version = 0;
  std::vector<OpsetImport> opset_imports;
  std::string producer_name;
  std::string producer_version;
  std::string domain;
  int64_t model_version = 0;
  std::string doc;
  std::vector<std::pair<std::string, std::string>> metadata;
  Graph graph;
  std::vector<Function> functions;
  std::string base_dir;  // folder external data is resolved against ("" for in-memory)

  // The imported opset version for `domain` ("" and "ai.onnx" are the same), or 0.
  int64_t opset(const std::string& node_domain) const;
};

// Ids in `graph` of the names that `node`'s subgraphs (at any depth) read from
// enclosing scopes and `graph` holds: dependencies beyond the node's inputs.
std::vector<int> implicit_inputs(const Graph& graph, const Node& node);

// Sets Node::opset of every node (subgraphs included, pinned nodes excepted) from
// the model's imports. Idempotent; the loader calls it, and so does Session for
// models built in memory.
void resolve_opsets(Model& model);

}  // namespace onyx
