#include "onyx/shape_inference.h"

#include "onyx/topo.h"

namespace onyx {
namespace {

const TypeInfo kUnknownType{};

// Inferred types refine declared ones: a declared unknown dim takes an inferred
// static or symbolic dim; declared static dims must not contradict inferred ones.
TypeInfo merge(const TypeInfo& declared, const TypeInfo& inferred, const std::string& where) {
  if (declared.kind == TypeInfo::Kind::Unknown) return inferred;
  if (inferred.kind == TypeInfo::Kind::Unknown) return declared;
  if (declared.kind != inferred.kind) return declared;
  if (declared.kind != TypeInfo::Kind::Tensor) return declared;
  TypeInfo out = declared;
  if (declared.elem != DType::Undefined && inferred.elem != DType::Undefined &&
      declared.elem != inferred.elem)
    fail(where, ": declared dtype ", dtype_name(declared.elem), " but the node produces ",
         dtype_name(inferred.elem));
  if (out.elem == DType::Undefined) out.elem = inferred.elem;
  if (!declared.shape) {
    out.shape = inferred.shape;
  } else if (inferred.shape) {
    // Like ONNX Runtime, a declared shape that contradicts inference yields to the
    // inferred one: inference is derived from the actual inputs.
    if (declared.shape->size() != inferred.shape->size()) {
      out.shape = inferred.shape;
      return out;
    }
    for (size_t i = 0; i < declared.shape->size(); ++i) {
      const Dim& d = (*declared.shape)[i];
      const Dim& n = (*inferred.shape)[i];
      if (n.is_known() || (!d.is_known() && d.param.empty())) (*out.shape)[i] = n;
    }
  }
  return out;
}

}  // namespace

InferContext::InferContext(const Graph& graph, const Node& node, int index,
                           std::vector<const TypeInfo*> inputs,
                           std::vector<const Tensor*> constants)
    : graph_(graph),
      node_(node),
      index_(index),
      inputs_(std::move(inputs)),
      constants_(std::move(constants)),
      outputs_(node.outputs.size()),
      output_constants_(node.outputs.size()) {}

bool InferContext::has_input(int i) const {
  return i >= 0 && i < num_inputs() && node_.inputs[i] != kNoValue;
}

const TypeInfo& InferContext::input(int i) const {
  if (!has_input(i) || !inputs_[i]) return kUnknownType;
  return *inputs_[i];
}

const Tensor* InferContext::constant(int i) const {
  if (!has_input(i)) return nullptr;
  return constants_[i];
}

void InferContext::set_output(int i, TypeInfo type) {
  if (i < 0 || i >= num_outputs()) return;  // optional output not present in the node
  outputs_[i] = std::move(type);
}

void InferContext::set_output_constant(int i, Tensor value) {
  if (i < 0 || i >= num_outputs()) return;
  outputs_[i] = TypeInfo::tensor_of(value.dtype(), value.shape());
  output_constants_[i] = std::move(value);
}

InferenceResult infer_shapes(const Graph& graph, const ShapeRuleLookup& rules,
                             const std::map<int, TypeInfo>& known, bool refine_declared) {
  InferenceResult result;
  result.types.resize(graph.values.size());
  result.constants.resize(graph.values.size());
  for (size_t id = 0; id < graph.values.size(); ++id) result.types[id] = graph.values[id].type;
  for (const auto& [id, type] : known) {
    if (id < 0 || static_cast<size_t>(id) >= result.types.size()) continue;
    TypeInfo& t = result.types[id];
    if (t.kind == TypeInfo::Kind::Unknown)
      t = type;
    else if (refine_declared)
      t = merge(t, type, graph.values[id].name);
  }
  for (const auto& [id, tensor] : graph.initializers) {
    TypeInfo from_data = TypeInfo::tensor_of(tensor.dtype(), tensor.shape());
    // An initializer that is also a graph input may be overridden by a feed:
    // keep its declared type but do not treat its value as a constant.
    bool overridable = false;
    for (int in : graph.inputs) overridable |= (in == id);
    if (overridable) {
      result.types[id] = merge(from_data, graph.values[id].type, graph.values[id].name);
    } else {
      result.types[id] = from_data;
      result.constants[id] = tensor;
    }
  }

  for (int index : topological_order(graph)) {
    const Node& node = graph.nodes[index];
    std::vector<const TypeInfo*> in_types;
    std::vector<const Tensor*> in_consts;
    for (int v : node.inputs) {
      in_types.push_back(v == kNoValue ? nullptr : &result.types[v]);
      in_consts.push_back(v != kNoValue && result.constants[v].defined() ? &result.constants[v]
                                                                         : nullptr);
    }
    const ShapeRule* rule = rules ? rules(node) : nullptr;
    if (!rule || !*rule) continue;  // unknown ops keep their declared types
    InferContext ctx(graph, node, index, std::move(in_types), std::move(in_consts));
    try {
      (*rule)(ctx);
    } catch (const Error& e) {
      if (e.detail().rfind("node '", 0) == 0) throw;
      throw e.with_context(node.label(index) + ": shape inference: ");
    }
    for (size_t k = 0; k < node.outputs.size(); ++k) {
      int v = node.outputs[k];
      if (v == kNoValue) continue;
      result.types[v] = merge(result.types[v], ctx.outputs()[k],
                              node.label(index) + " output '" + graph.values[v].name + "'");
      if (ctx.output_constants()[k].defined()) result.constants[v] = ctx.output_constants()[k];
    }
  }
  return result;
}

}  // namespace onyx
