// Memory for large, long-lived buffers: packed weights and the weights copied at load.
// Each block of 64 KiB or more gets mapped pages of its own, so that freeing it (a weight
// whose kernel packed it) returns the memory to the system at once. From 2 MiB on the
// block starts on a 2 MiB boundary and its pages are asked for as transparent huge
// pages: a fresh page costs a fault and a zeroing, and one 2 MiB page replaces 512
// faults (about 5 times faster to fill here). The tail past the last whole 2 MiB stays
// in small pages, so no memory is added. BERT-base has 48 weights of 2.25 MiB; huge
// pages for them cut its session creation's page faults from 62,000 to 19,500.
#pragma once

#include <cstddef>

namespace onyx::kernels {

// At least 64-byte aligned; throws std::bad_alloc when the system refuses.
void* bulk_allocate(size_t bytes);
// `bytes` must be the size the block was allocated with.
void bulk_free(void* p, size_t bytes) noexcept;

// A std::allocator for bulk blocks that leaves new elements uninitialised, for buffers
// written in full right after they are sized (packed weights: zeroing them first costs
// a pass).
template <class T>
struct BulkAllocator {
  using value_type = T;
  BulkAllocator() = default;
  template <class U>
  BulkAllocator(const BulkAllocator<U>&) noexcept {}  // NOLINT: converting, as allocators do
  T* allocate(size_t n) { return static_cast<T*>(bulk_allocate(n * sizeof(T))); }
  void deallocate(T* p, size_t n) noexcept { bulk_free(p, n * sizeof(T)); }
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U>
  bool operator==(const BulkAllocator<U>&) const noexcept {
    return true;
  }
  template <class U>
  bool operator!=(const BulkAllocator<U>&) const noexcept {
    return false;
  }
};

}  // namespace onyx::kernels
