// A dense tensor: dtype, shape and a reference-counted, 64-byte aligned buffer.
// Copies share the buffer (cheap); clone() copies the bytes. A tensor may also
// borrow memory it does not own (caller keeps it alive) or share an external
// holder (a memory-mapped file, a parsed protobuf string).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "onyx/dtype.h"

namespace onyx {

using Shape = std::vector<int64_t>;

// Product of dims, refusing negative dims and int64 overflow.
int64_t checked_numel(const Shape& shape);
std::string shape_to_string(const Shape& shape);  // "[2, 3, 4]"

// The most bytes one tensor may take on this thread. Session::run sets it from
// RuntimeLimits::max_tensor_bytes for the length of a run, so a kernel asked for an
// absurd size (ConstantOfShape of [1e6, 1e6], say) fails with limit_exceeded before
// allocating. Outside such a scope, and on the pool's worker threads, the limit is the
// machine's physical memory.
class TensorSizeLimit {
 public:
  explicit TensorSizeLimit(int64_t max_bytes);  // 0: the machine's physical memory
  ~TensorSizeLimit();                           // puts the enclosing limit back
  TensorSizeLimit(const TensorSizeLimit&) = delete;
  TensorSizeLimit& operator=(const TensorSizeLimit&) = delete;
  static int64_t current();

 private:
  int64_t previous_;
};

class Tensor {
 public:
  Tensor() = default;  // undefined: dtype Undefined, no storage
  // Allocates zero-filled storage (strings: empty strings).
  Tensor(DType dtype, Shape shape);

  // Storage left unfilled, for a kernel that writes every element (not for strings).
  static Tensor uninitialized(DType dtype, Shape shape);
  static Tensor borrow(DType dtype, Shape shape, void* data);
  static Tensor share(DType dtype, Shape shape, std::shared_ptr<void> holder, void* data);

  // Convenience for tests and constants: a tensor holding copies of `values`.
  template <class T>
  static Tensor from_vector(Shape shape, const std::vector<T>& values);
  template <class T>
  static Tensor scalar(T value) {
    return from_vector<T>({}, {value});
  }

  bool defined() const { return dtype_ != DType::Undefined; }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t dim(int i) const { return shape_.at(static_cast<size_t>(i)); }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t numel() const { return numel_; }
  size_t nbytes() const { return dtype_storage_bytes(dtype_, numel_); }

  void* raw() { return data_; }
  const void* raw() const { return data_; }
  template <class T>
  T* data() {
    check_type(dtype_v<T>);
    return static_cast<T*>(data_);
  }
  template <class T>
  const T* data() const {
    check_type(dtype_v<T>);
    return static_cast<const T*>(data_);
  }
  template <class T>
  std::vector<T> to_vector() const {
    const T* p = data<T>();
    return std::vector<T>(p, p + numel_);
  }

  // Same bytes viewed with another shape of equal element count.
  Tensor reshaped(Shape shape) const;
  // The same bytes read as another dtype of equal width (uint16 <-> bfloat16, ...).
  Tensor bitcast(DType dtype) const;
  // A deep copy with its own storage.
  Tensor clone() const;
  // True when both tensors view the same buffer.
  bool shares_storage_with(const Tensor& other) const { return data_ && data_ == other.data_; }
  // How many tensors hold this one's storage (0 when it is borrowed: someone else owns it).
  long storage_holders() const { return holder_ ? holder_.use_count() : 0; }

  std::string describe() const;  // "float[1, 3, 224, 224]"

  // How many tensor buffers the heap has given out in this process so far (borrowed,
  // shared and arena-placed tensors not counted): for checking that a run allocates
  // nothing it should not.
  static int64_t heap_allocations();

 private:
  Tensor(DType dtype, Shape shape, bool zero_fill);
  void check_type(DType requested) const;

  DType dtype_ = DType::Undefined;
  Shape shape_;
  int64_t numel_ = 0;
  std::shared_ptr<void> holder_;  // keeps data_ alive; null when borrowed
  void* data_ = nullptr;
};

template <class T>
Tensor Tensor::from_vector(Shape shape, const std::vector<T>& values) {
  Tensor t(dtype_v<T>, std::move(shape));
  if (static_cast<int64_t>(values.size()) != t.numel())
    fail("Tensor::from_vector: ", values.size(), " values for shape ", shape_to_string(t.shape()));
  T* p = t.data<T>();
  for (size_t i = 0; i < values.size(); ++i) p[i] = values[i];
  return t;
}

}  // namespace onyx
