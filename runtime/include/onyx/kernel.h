// What an operator implementation sees: KernelInit when it is built (once per node,
// at session creation) and KernelContext when it runs. run() is const: a session's
// kernels are shared by concurrent Session::run calls and must not mutate state.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "onyx/ir.h"
#include "onyx/node_scope.h"
#include "onyx/runtime_value.h"
#include "onyx/tensor.h"
#include "onyx/thread_pool.h"

namespace onyx {

class Subgraph;
struct Frame;

// Places a step's outputs: in the session's planned arena where the plan has a block
// of the right size for it, else on the heap (GraphExecutor supplies one per step).
class OutputPlacer {
 public:
  virtual ~OutputPlacer() = default;
  virtual Tensor place(int output, DType dtype, Shape shape, bool zero_fill) = 0;
};

// What the memory planner may assume about an output's buffer (Kernel::output_reuse).
struct OutputReuse {
  int output = 0;
  int input = 0;
  // true: the output is always a view of the input's buffer (Reshape), so that buffer
  // lives on as long as the output does. false: the kernel may write the output over
  // the input when the input dies at this node, because it reads each input element
  // before writing the output element at the same place (elementwise kernels).
  bool view = false;
};

// Output 0 is always a view of input 0 (Reshape, Squeeze, Identity, ...).
inline std::vector<OutputReuse> view_of_input0() { return {{0, 0, true}}; }
// Output 0 may be written over any of `inputs` that dies at the node: an elementwise
// kernel reads each element of them before writing the output element at the same place.
inline std::vector<OutputReuse> elementwise_over(std::initializer_list<int> inputs = {0}) {
  std::vector<OutputReuse> reuse;
  for (int i : inputs) reuse.push_back({0, i, false});
  return reuse;
}

// Caps that keep untrusted models in check at run time.
struct RuntimeLimits {
  int64_t max_loop_iterations = 1'000'000;  // per Loop node execution
  int64_t max_sequence_length = 1'000'000;  // tensors in one sequence
  int max_subgraph_depth = 32;              // If/Loop/Scan bodies nested in each other
  // Bytes one tensor may take while the session runs (TensorSizeLimit): a kernel asking
  // for more (ConstantOfShape, Expand, Tile, Range, Resize, Pad, any size that comes from
  // data) is refused before it allocates. 0: the machine's physical memory.
  int64_t max_tensor_bytes = 0;
};

// Builds a graph attribute into a runnable Subgraph (the session supplies it).
using SubgraphCompiler =
    std::function<std::unique_ptr<Subgraph>(const Graph&, const std::vector<TypeInfo>& hints)>;

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
class KernelInit final : public NodeScope {
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
  // Declares that the kernel keeps what it needs of constant input i (packed or
  // transformed) and never reads that input at run time: the session then frees the
  // original once no other reader needs it.
  void drop_constant_input(int i) const;
  // The model-file bytes constant input i was copied from (Graph::initializer_file_bytes),
  // when it still holds that copy: for a kernel that can read the file in place and
  // drop the input. nullptr otherwise.
  const FileBytes* constant_file_bytes(int i) const;
  bool constant_input_dropped(int i) const;
  // Compiles graph attribute `name` (an If branch, a Loop or Scan body) once, here.
  // `input_hints` fill in subgraph input types the file leaves undeclared.
  std::unique_ptr<Subgraph> subgraph(const std::string& name,
                                     const std::vector<TypeInfo>& input_hints = {}) const;
  // Compiles a graph the kernel built itself (it must outlive the Subgraph).
  std::unique_ptr<Subgraph> compile(const Graph& graph,
                                    const std::vector<TypeInfo>& input_hints = {}) const;
  void set_subgraph_compiler(const SubgraphCompiler* compiler) { compiler_ = compiler; }
  // The graph the node belongs to, for operators defined over it (Gradient).
  const Graph* graph() const { return graph_; }
  void set_graph(const Graph* graph) { graph_ = graph; }
  // Whether the session asked for the reference kernels only: a kernel with a fast
  // path then prepares and runs its reference loop instead.
  bool reference() const { return reference_; }
  void set_reference(bool reference) { reference_ = reference; }
  std::string label() const override;

 private:
  const Node& node_;
  int index_;
  Attrs attrs_;
  std::vector<TypeInfo> input_types_;
  std::vector<TypeInfo> output_types_;
  std::vector<const Tensor*> constants_;
  mutable std::vector<bool> dropped_;  // per input, set by drop_constant_input
  const SubgraphCompiler* compiler_ = nullptr;
  const Graph* graph_ = nullptr;
  bool reference_ = false;
};

// Inputs, outputs and threads of one kernel invocation. Most kernels see tensors
// only (input/allocate_output/set_output); sequence, optional and control-flow
// kernels use the RuntimeValue accessors.
class KernelContext final : public NodeScope {
 public:
  KernelContext(const std::string* label, std::vector<const RuntimeValue*> inputs,
                std::vector<RuntimeValue>* outputs, const ThreadPool* pool,
                const Frame* frame = nullptr, const RuntimeLimits* limits = nullptr,
                OutputPlacer* placer = nullptr)
      : label_(label),
        inputs_(std::move(inputs)),
        outputs_(outputs),
        pool_(pool),
        frame_(frame),
        limits_(limits),
        placer_(placer) {}

  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  // Whether input i holds a value (an omitted input or an empty optional does not).
  bool has_input(int i) const;
  const Tensor& input(int i) const;  // fails clearly when absent or not a tensor
  // Input i as given: Unset when omitted.
  const RuntimeValue& value(int i) const;
  const TensorSequence& sequence(int i) const;  // fails clearly when not a sequence
  int num_outputs() const { return static_cast<int>(outputs_->size()); }
  // Whether the node lists output i (optional outputs may be left off).
  bool has_output(int i) const { return i >= 0 && i < num_outputs(); }
  // Allocates output i (zero-filled) and returns it for writing.
  Tensor& allocate_output(int i, DType dtype, Shape shape);
  // The same without zero-filling, for kernels that write every element.
  Tensor& allocate_uninitialized_output(int i, DType dtype, Shape shape);
  // Sets output i to an existing tensor (a view or a shared buffer).
  void set_output(int i, Tensor tensor);
  void set_output_value(int i, RuntimeValue value);
  const ThreadPool& pool() const { return *pool_; }
  // The running graph's values, for subgraphs that read names from enclosing scopes.
  const Frame* frame() const { return frame_; }
  const RuntimeLimits& limits() const;
  std::string label() const override;

 private:
  const std::string* label_;
  std::vector<const RuntimeValue*> inputs_;
  std::vector<RuntimeValue>* outputs_;
  const ThreadPool* pool_;
  const Frame* frame_;
  const RuntimeLimits* limits_;
  OutputPlacer* placer_;
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual void run(KernelContext& ctx) const = 0;
  // Outputs that may share an input's buffer; the memory planner reads this once.
  virtual std::vector<OutputReuse> output_reuse() const { return {}; }
};

}  // namespace onyx
