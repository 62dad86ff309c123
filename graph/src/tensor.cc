#include "onyx/tensor.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <new>
#include <sstream>
#include <unordered_map>

namespace onyx {
namespace {

constexpr size_t kAlignment = 64;

// Large buffers are recycled. Each run frees its intermediates and asks for the same
// sizes again on the next run; memory handed back to the system returns as fresh pages,
// each costing a page fault and zeroing. Blocks of 64 KiB or more are kept, by size
// rounded up to whole pages, up to 256 MiB in all.
class BufferCache {
 public:
  static constexpr size_t kMinBytes = size_t{64} << 10;
  static constexpr size_t kMaxCachedBytes = size_t{256} << 20;

  static size_t size_class(size_t bytes) {
    return bytes < kMinBytes ? bytes : (bytes + 4095) / 4096 * 4096;
  }
  void* take(size_t bytes) {
    if (bytes < kMinBytes) return nullptr;
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = free_.find(bytes);
    if (it == free_.end()) return nullptr;
    void* p = it->second;
    free_.erase(it);
    cached_ -= bytes;
    return p;
  }
  // False when the block is not kept: the caller frees it.
  bool give(void* p, size_t bytes) {
    if (bytes < kMinBytes) return false;
    std::lock_guard<std::mutex> lock(mutex_);
    if (cached_ + bytes > kMaxCachedBytes) return false;
    free_.emplace(bytes, p);
    cached_ += bytes;
    return true;
  }

 private:
  std::mutex mutex_;
  std::unordered_multimap<size_t, void*> free_;
  size_t cached_ = 0;
};

BufferCache& buffer_cache() {
  static BufferCache* cache = new BufferCache;  // never destroyed: tensors may outlive exit
  return *cache;
}

// Allocates aligned storage, zeroed when `zero`; strings are constructed in place and
// destroyed by the deleter (never recycled), so every dtype goes through the same path.
std::atomic<int64_t> heap_allocation_count{0};

int64_t physical_memory_bytes() {
  static const int64_t bytes = [] {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? static_cast<int64_t>(pages) * page
                                 : std::numeric_limits<int64_t>::max();
  }();
  return bytes;
}

thread_local int64_t tensor_size_limit = 0;  // 0: physical memory

std::shared_ptr<void> allocate(DType dtype, const Shape& shape, int64_t numel, bool zero) {
  heap_allocation_count.fetch_add(1, std::memory_order_relaxed);
  size_t bytes = dtype_storage_bytes(dtype, numel);
  if (bytes > static_cast<uint64_t>(TensorSizeLimit::current()))
    fail_as(ErrorKind::limit_exceeded, "a ", dtype_name(dtype), shape_to_string(shape),
            " tensor needs ", bytes, " bytes, more than the limit of ", TensorSizeLimit::current(),
            " (RuntimeLimits::max_tensor_bytes)");
  size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  if (rounded == 0) rounded = kAlignment;
  rounded = BufferCache::size_class(rounded);
  void* p = dtype == DType::String ? nullptr : buffer_cache().take(rounded);
  if (!p) p = std::aligned_alloc(kAlignment, rounded);
  if (!p) fail("out of memory allocating ", bytes, " bytes for a ", dtype_name(dtype), " tensor");
  if (dtype == DType::String) {
    auto* s = static_cast<std::string*>(p);
    for (int64_t i = 0; i < numel; ++i) new (s + i) std::string();
    return std::shared_ptr<void>(p, [numel](void* q) {
      auto* strings = static_cast<std::string*>(q);
      for (int64_t i = 0; i < numel; ++i) strings[i].~basic_string();
      std::free(q);
    });
  }
  if (zero) std::memset(p, 0, rounded);
  return std::shared_ptr<void>(p, [rounded](void* q) {
    if (!buffer_cache().give(q, rounded)) std::free(q);
  });
}

}  // namespace

TensorSizeLimit::TensorSizeLimit(int64_t max_bytes) : previous_(tensor_size_limit) {
  tensor_size_limit = max_bytes;
}
TensorSizeLimit::~TensorSizeLimit() { tensor_size_limit = previous_; }
int64_t TensorSizeLimit::current() {
  return tensor_size_limit > 0 ? tensor_size_limit : physical_memory_bytes();
}

int64_t checked_numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) fail("negative dimension ", d, " in shape ", shape_to_string(shape));
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d)
      fail_as(ErrorKind::limit_exceeded, "shape ", shape_to_string(shape),
              " has more elements than int64 counts");
    n *= d;
  }
  return n;
}

std::string shape_to_string(const Shape& shape) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << "]";
  return out.str();
}

Tensor::Tensor(DType dtype, Shape shape) : Tensor(dtype, std::move(shape), true) {}

Tensor::Tensor(DType dtype, Shape shape, bool zero_fill) : dtype_(dtype), shape_(std::move(shape)) {
  if (!dtype_info(dtype).supported)
    fail("tensors of dtype ", dtype_name(dtype), " are not supported");
  numel_ = checked_numel(shape_);
  holder_ = allocate(dtype_, shape_, numel_, zero_fill);
  data_ = holder_.get();
}

int64_t Tensor::heap_allocations() { return heap_allocation_count.load(std::memory_order_relaxed); }

Tensor Tensor::uninitialized(DType dtype, Shape shape) {
  return Tensor(dtype, std::move(shape), false);  // strings are constructed all the same
}

Tensor Tensor::borrow(DType dtype, Shape shape, void* data) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.numel_ = checked_numel(t.shape_);
  t.data_ = data;
  return t;
}

Tensor Tensor::share(DType dtype, Shape shape, std::shared_ptr<void> holder, void* data) {
  Tensor t = borrow(dtype, std::move(shape), data);
  t.holder_ = std::move(holder);
  return t;
}

Tensor Tensor::reshaped(Shape shape) const {
  int64_t n = checked_numel(shape);
  if (n != numel_)
    fail("cannot view ", describe(), " with shape ", shape_to_string(shape),
         ": element counts differ");
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::bitcast(DType dtype) const {
  const DTypeInfo& from = dtype_info(dtype_);
  const DTypeInfo& to = dtype_info(dtype);
  if (from.bits != to.bits || dtype_ == DType::String || dtype == DType::String || !to.supported)
    fail("cannot reinterpret ", describe(), " as ", dtype_name(dtype));
  Tensor t = *this;
  t.dtype_ = dtype;
  return t;
}

Tensor Tensor::clone() const {
  if (!defined()) return Tensor();
  Tensor t(dtype_, shape_);
  if (dtype_ == DType::String) {
    const auto* src = static_cast<const std::string*>(data_);
    auto* dst = static_cast<std::string*>(t.data_);
    for (int64_t i = 0; i < numel_; ++i) dst[i] = src[i];
  } else if (numel_ > 0) {
    std::memcpy(t.data_, data_, nbytes());
  }
  return t;
}

std::string Tensor::describe() const {
  return std::string(dtype_name(dtype_)) + shape_to_string(shape_);
}

void Tensor::check_type(DType requested) const {
  if (requested != dtype_)
    fail("tensor of dtype ", dtype_name(dtype_), " accessed as ", dtype_name(requested));
}

}  // namespace onyx
