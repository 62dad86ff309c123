#include "onyx/runtime_value.h"

#include <algorithm>

#include "onyx/error.h"

namespace onyx {

RuntimeValue::RuntimeValue(Tensor tensor) : v_(std::move(tensor)) {}
RuntimeValue::RuntimeValue(TensorSequence sequence) : v_(std::move(sequence)) {}

RuntimeValue RuntimeValue::empty_optional() {
  RuntimeValue r;
  r.v_ = Empty{};
  return r;
}

RuntimeValue::Kind RuntimeValue::kind() const {
  switch (v_.index()) {
    case 1:
      return Kind::Tensor;
    case 2:
      return Kind::Sequence;
    case 3:
      return Kind::EmptyOptional;
    default:
      return Kind::Unset;
  }
}

const Tensor& RuntimeValue::tensor(const std::string& what) const {
  if (!is_tensor()) fail(what, " must be a tensor, got ", describe());
  return std::get<Tensor>(v_);
}

Tensor& RuntimeValue::tensor(const std::string& what) {
  if (!is_tensor()) fail(what, " must be a tensor, got ", describe());
  return std::get<Tensor>(v_);
}

const TensorSequence& RuntimeValue::sequence(const std::string& what) const {
  if (!is_sequence()) fail(what, " must be a sequence of tensors, got ", describe());
  return std::get<TensorSequence>(v_);
}

bool RuntimeValue::shares_storage_with(const Tensor& t) const {
  if (is_tensor()) return std::get<Tensor>(v_).shares_storage_with(t);
  if (!is_sequence()) return false;
  const auto& items = std::get<TensorSequence>(v_).tensors;
  return std::any_of(items.begin(), items.end(),
                     [&](const Tensor& item) { return item.shares_storage_with(t); });
}

RuntimeValue RuntimeValue::clone() const {
  if (is_tensor()) return std::get<Tensor>(v_).clone();
  if (!is_sequence()) return *this;
  TensorSequence copy{std::get<TensorSequence>(v_).elem, {}};
  for (const Tensor& item : std::get<TensorSequence>(v_).tensors)
    copy.tensors.push_back(item.clone());
  return copy;
}

std::string RuntimeValue::describe() const {
  switch (kind()) {
    case Kind::Tensor:
      return std::get<Tensor>(v_).describe();
    case Kind::Sequence: {
      const auto& s = std::get<TensorSequence>(v_);
      return "seq(" + std::string(dtype_name(s.elem)) + ") of " + std::to_string(s.tensors.size());
    }
    case Kind::EmptyOptional:
      return "optional(empty)";
    default:
      return "nothing";
  }
}

}  // namespace onyx
