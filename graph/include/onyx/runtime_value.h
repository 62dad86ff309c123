// What flows along a graph edge at run time: a tensor, a sequence of tensors, or an
// optional that holds nothing. An optional that holds something is represented by
// that something (a tensor or a sequence); its optional-ness lives in the graph's
// types, not in the value.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "onyx/tensor.h"

namespace onyx {

// ONNX seq(tensor(T)): tensors of one element type, each with its own shape.
struct TensorSequence {
  DType elem = DType::Undefined;  // known even when the sequence is empty
  std::vector<Tensor> tensors;
};

class RuntimeValue {
 public:
  enum class Kind { Unset, Tensor, Sequence, EmptyOptional };

  RuntimeValue() = default;
  RuntimeValue(Tensor tensor);            // NOLINT(google-explicit-constructor): the common case
  RuntimeValue(TensorSequence sequence);  // NOLINT(google-explicit-constructor)
  static RuntimeValue empty_optional();

  Kind kind() const;
  bool is_set() const { return kind() != Kind::Unset; }
  bool is_tensor() const { return kind() == Kind::Tensor; }
  bool is_sequence() const { return kind() == Kind::Sequence; }
  bool is_empty_optional() const { return kind() == Kind::EmptyOptional; }

  // The held tensor or sequence; fail clearly (naming `what`) on another kind.
  const Tensor& tensor(const std::string& what = "value") const;
  Tensor& tensor(const std::string& what = "value");
  const TensorSequence& sequence(const std::string& what = "value") const;

  // True when any tensor held here views the buffer of `t`.
  bool shares_storage_with(const Tensor& t) const;
  // A deep copy (every tensor cloned).
  RuntimeValue clone() const;
  std::string describe() const;  // "float[2, 3]", "seq(float) of 4", "optional(empty)"

 private:
  struct Empty {};
  std::variant<std::monostate, Tensor, TensorSequence, Empty> v_;
};

}  // namespace onyx
