// What an operator implementation sees: KernelInit when it is built (once per node,
// at session creation) and KernelContext when it runs. run() is const: a session's
// kernels are shared by concurrent Session::run calls and must not mutate state.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "onyx/ir.h"
#include "onyx/tensor.h"
#include "onyx/thread_pool.h"

namespace onyx {

// Typed, validated access to a node's attributes. Errors name the node.
class Attrs {
 public:
  Attrs(const Node& node, std::string label) : node_(node), label_(std::move(label)) {}

  bool has(const std::string& name) const { return node_.find_attr(name) != nullptr; }
  int64_t get_int(const std::string& name, int64_t fallback) const;
  int64_t required_int(const std::string& name) const;
  float get_float(const std::string& name, float fallback) const;
  std::string get_string(const std::string& name, const std::string& fallback) const;
  std::vector<int64_t> get_ints(const std::string& name, std::vector<int64_t> fallback = {}) const;
  std::vector<float> get_floats(const std::string& name, std::vector<float> fallback = {}) const;
  std::vector<std::string> get_strings(const std::string& name,
                                       std::vector<std::string> fallback = {}) const;
  // Tensor/graph attributes: nullptr when absent.
  const Tensor* get_tensor(const std::string& name) const;
  const Graph* get_graph(const std::string& name) const;
  const Attribute* find(const std::string& name) const { return node_.find_attr(name); }

 private:
  const Attribute& typed(const std::string& name, AttrType type) const;
  const Node& node_;
  std::string label_;
};

// Everything known about a node when its kernel is constructed.
class KernelInit {
 public:
  KernelInit(const Node& node, int index, std::vector<TypeInfo> input_types,
             std::vector<TypeInfo> output_types, std::vector<const Tensor*> constant_inputs);

  const Node& node() const { return node_; }
  int opset() const { return node_.opset; }
  const Attrs& attrs() const { return attrs_; }
  int num_inputs() const { return static_cast<int>(node_.inputs.size()); }
  int num_outputs() const { return static_cast<int>(node_.outputs.size()); }
  bool has_input(int i) const { return i < num_inputs() && node_.inputs[i] != kNoValue; }
  const TypeInfo& input_type(int i) const;  // inferred; Kind::Unknown if not known
  const TypeInfo& output_type(int i) const;
  DType input_dtype(int i) const { return input_type(i).elem; }
  // Initializer data of input i, for validating or prepacking weights; else nullptr.
  const Tensor* constant_input(int i) const;
  std::string label() const;  // "node 'x' (#i, Conv, opset 13)"
  [[noreturn]] void fail(const std::string& message) const;

 private:
  const Node& node_;
  int index_;
  Attrs attrs_;
  std::vector<TypeInfo> input_types_;
  std::vector<TypeInfo> output_types_;
  std::vector<const Tensor*> constants_;
};

// Inputs, outputs and threads of one kernel invocation.
class KernelContext {
 public:
  KernelContext(const std::string* label, std::vector<const Tensor*> inputs,
                std::vector<Tensor>* outputs, const ThreadPool* pool)
      : label_(label), inputs_(std::move(inputs)), outputs_(outputs), pool_(pool) {}

  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  bool has_input(int i) const { return i < num_inputs() && inputs_[i] && inputs_[i]->defined(); }
  const Tensor& input(int i) const;  // fails clearly when absent
  int num_outputs() const { return static_cast<int>(outputs_->size()); }
  // Whether the node lists output i (optional outputs may be left off).
  bool has_output(int i) const { return i >= 0 && i < num_outputs(); }
  // Allocates output i (zero-filled) and returns it for writing.
  Tensor& allocate_output(int i, DType dtype, Shape shape);
  // Sets output i to an existing tensor (a view or a shared buffer).
  void set_output(int i, Tensor tensor);
  const ThreadPool& pool() const { return *pool_; }
  [[noreturn]] void fail(const std::string& message) const;

 private:
  const std::string* label_;
  std::vector<const Tensor*> inputs_;
  std::vector<Tensor>* outputs_;
  const ThreadPool* pool_;
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual void run(KernelContext& ctx) const = 0;
};

}  // namespace onyx
