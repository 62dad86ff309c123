#include "onyx/kernel.h"

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

std::string KernelInit::label() const {
  std::string l = node_.label(index_);
  l.pop_back();  // drop ')' to append the opset
  return l + ", opset " + std::to_string(node_.opset) + ")";
}

void KernelInit::fail(const std::string& message) const { onyx::fail(label(), ": ", message); }

// ---- KernelContext ----

const Tensor& KernelContext::input(int i) const {
  if (!has_input(i)) fail("input " + std::to_string(i) + " is required but was not given");
  return *inputs_[i];
}

Tensor& KernelContext::allocate_output(int i, DType dtype, Shape shape) {
  if (i < 0 || i >= num_outputs()) fail("output index " + std::to_string(i) + " out of range");
  (*outputs_)[i] = Tensor(dtype, std::move(shape));
  return (*outputs_)[i];
}

void KernelContext::set_output(int i, Tensor tensor) {
  if (i < 0 || i >= num_outputs()) fail("output index " + std::to_string(i) + " out of range");
  (*outputs_)[i] = std::move(tensor);
}

void KernelContext::fail(const std::string& message) const {
  onyx::fail(label_ ? *label_ : std::string("kernel"), ": ", message);
}

}  // namespace onyx
