#include "onyx/kernel.h"

#include "onyx/subgraph.h"

namespace onyx {

// ---- Attrs ----

const Attribute& Attrs::typed(const std::string& name, AttrType type) const {
  const Attribute* a = node_.find_attr(name);
  if (a->type != type)
    fail(label_, ": attribute '", name, "' must be of type ", attr_type_name(type), ", got ",
         attr_type_name(a->type));
  return *a;
}

int64_t Attrs::get_int(const std::string& name, int64_t fallback) const {
  return has(name) ? typed(name, AttrType::Int).i : fallback;
}

int64_t Attrs::required_int(const std::string& name) const {
  if (!has(name)) fail(label_, ": required attribute '", name, "' is missing");
  return typed(name, AttrType::Int).i;
}

float Attrs::get_float(const std::string& name, float fallback) const {
  return has(name) ? typed(name, AttrType::Float).f : fallback;
}

std::string Attrs::get_string(const std::string& name, const std::string& fallback) const {
  return has(name) ? typed(name, AttrType::String).s : fallback;
}

std::vector<int64_t> Attrs::get_ints(const std::string& name, std::vector<int64_t> fallback) const {
  return has(name) ? typed(name, AttrType::Ints).ints : fallback;
}

std::vector<float> Attrs::get_floats(const std::string& name, std::vector<float> fallback) const {
  return has(name) ? typed(name, AttrType::Floats).floats : fallback;
}

std::vector<std::string> Attrs::get_strings(const std::string& name,
                                            std::vector<std::string> fallback) const {
  return has(name) ? typed(name, AttrType::Strings).strings : fallback;
}

const Tensor* Attrs::get_tensor(const std::string& name) const {
  return has(name) ? &typed(name, AttrType::Tensor).t : nullptr;
}

const Graph* Attrs::get_graph(const std::string& name) const {
  return has(name) ? typed(name, AttrType::Graph).g.get() : nullptr;
}

// ---- KernelInit ----

namespace {
const TypeInfo kUnknownType{};
}

KernelInit::KernelInit(const Node& node, int index, std::vector<TypeInfo> input_types,
                       std::vector<TypeInfo> output_types,
                       std::vector<const Tensor*> constant_inputs)
    : node_(node),
      index_(index),
      attrs_(node, node.label(index)),
      input_types_(std::move(input_types)),
      output_types_(std::move(output_types)),
      constants_(std::move(constant_inputs)) {}

const TypeInfo& KernelInit::input_type(int i) const {
  if (!has_input(i) || i >= static_cast<int>(input_types_.size())) return kUnknownType;
  return input_types_[i];
}

const TypeInfo& KernelInit::output_type(int i) const {
  if (i < 0 || i >= static_cast<int>(output_types_.size())) return kUnknownType;
  return output_types_[i];
}

const Tensor* KernelInit::constant_input(int i) const {
  if (!has_input(i) || i >= static_cast<int>(constants_.size())) return nullptr;
  return constants_[i];
}

void KernelInit::drop_constant_input(int i) const {
  if (!constant_input(i)) fail("input " + std::to_string(i) + " is not a constant to drop");
  dropped_.resize(constants_.size(), false);
  dropped_[static_cast<size_t>(i)] = true;
}

const FileBytes* KernelInit::constant_file_bytes(int i) const {
  const Tensor* t = constant_input(i);
  if (!t || !graph_) return nullptr;
  const auto it = graph_->initializer_file_bytes.find(node_.inputs[static_cast<size_t>(i)]);
  if (it == graph_->initializer_file_bytes.end()) return nullptr;
  const FileBytes& bytes = it->second;
  return bytes.copy == t->raw() && bytes.size == t->nbytes() ? &bytes : nullptr;
}

bool KernelInit::constant_input_dropped(int i) const {
  return i >= 0 && i < static_cast<int>(dropped_.size()) && dropped_[static_cast<size_t>(i)];
}

std::string KernelInit::label() const {
  std::string l = node_.label(index_);
  l.pop_back();  // drop ')' to append the opset
  return l + ", opset " + std::to_string(node_.opset) + ")";
}


std::unique_ptr<Subgraph> KernelInit::subgraph(const std::string& name,
                                               const std::vector<TypeInfo>& input_hints) const {
  const Graph* g = attrs_.get_graph(name);
  if (!g) fail("graph attribute '" + name + "' is required");
  if (!compiler_) fail("subgraphs cannot be compiled here");
  try {
    return (*compiler_)(*g, input_hints);
  } catch (const Error& e) {
    throw e.with_context(label() + ": in graph attribute '" + name + "': ");
  }
}

std::unique_ptr<Subgraph> KernelInit::compile(const Graph& graph,
                                              const std::vector<TypeInfo>& input_hints) const {
  if (!compiler_) fail("graphs cannot be compiled here");
  return (*compiler_)(graph, input_hints);
}

// ---- KernelContext ----

namespace {
const RuntimeValue kUnsetValue;
const RuntimeLimits kDefaultLimits;
const std::string kKernelLabel = "kernel";
}  // namespace

bool KernelContext::has_input(int i) const {
  if (i < 0 || i >= num_inputs() || !inputs_[i]) return false;
  auto kind = inputs_[i]->kind();
  return kind == RuntimeValue::Kind::Tensor || kind == RuntimeValue::Kind::Sequence;
}

const RuntimeValue& KernelContext::value(int i) const {
  if (i < 0 || i >= num_inputs() || !inputs_[i]) return kUnsetValue;
  return *inputs_[i];
}

const Tensor& KernelContext::input(int i) const {
  if (!has_input(i)) fail("input " + std::to_string(i) + " is required but was not given");
  if (!inputs_[i]->is_tensor())
    fail("input " + std::to_string(i) + " must be a tensor, got " + inputs_[i]->describe());
  return inputs_[i]->tensor();
}

const TensorSequence& KernelContext::sequence(int i) const {
  if (!has_input(i)) fail("input " + std::to_string(i) + " is required but was not given");
  if (!inputs_[i]->is_sequence())
    fail("input " + std::to_string(i) + " must be a sequence, got " + inputs_[i]->describe());
  return inputs_[i]->sequence();
}

Tensor& KernelContext::allocate_output(int i, DType dtype, Shape shape) {
  if (i < 0 || i >= num_outputs()) fail("output index " + std::to_string(i) + " out of range");
  (*outputs_)[i] =
      placer_ ? placer_->place(i, dtype, std::move(shape), true) : Tensor(dtype, std::move(shape));
  return (*outputs_)[i].tensor();
}

Tensor& KernelContext::allocate_uninitialized_output(int i, DType dtype, Shape shape) {
  if (i < 0 || i >= num_outputs()) fail("output index " + std::to_string(i) + " out of range");
  (*outputs_)[i] = placer_ ? placer_->place(i, dtype, std::move(shape), false)
                           : Tensor::uninitialized(dtype, std::move(shape));
  return (*outputs_)[i].tensor();
}

void KernelContext::set_output(int i, Tensor tensor) {
  if (i < 0 || i >= num_outputs()) fail("output index " + std::to_string(i) + " out of range");
  (*outputs_)[i] = std::move(tensor);
}

void KernelContext::set_output_value(int i, RuntimeValue value) {
  if (i < 0 || i >= num_outputs()) fail("output index " + std::to_string(i) + " out of range");
  (*outputs_)[i] = std::move(value);
}

const RuntimeLimits& KernelContext::limits() const { return limits_ ? *limits_ : kDefaultLimits; }

std::string KernelContext::label() const { return label_ ? *label_ : kKernelLabel; }

}  // namespace onyx
