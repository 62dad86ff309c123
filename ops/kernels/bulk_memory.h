// Memory for large, long-lived buffers: the run arena and (below) weights.
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

// Memory for weights: those copied at load (unaligned in the file) and those packed at
// session creation. They are many and mostly small (a Winograd layer packs 36 matrices
// of a few KiB each), so blocks under 512 KiB are carved one after another from shared
// 2 MiB slabs asked for as huge pages: filling them costs a few faults instead of one
// per 4 KiB page (super_resolution's session creation: 340 faults down to about 50,
// 1.8 ms down to 1.1). A slab goes back to the system when its last block is freed;
// space freed before that is not reused. That suits the order of a load: every copy is
// made before any packing, so the copies that packing frees fill slabs of their own,
// kept only by the copies no kernel packs (biases, say). Larger blocks are bulk blocks.
void* weight_allocate(size_t bytes);
// `bytes` must be the size the block was allocated with.
void weight_free(void* p, size_t bytes) noexcept;

// A std::allocator for weight blocks that leaves new elements uninitialised: they
// are written in full right after they are sized (zeroing them first costs a pass).
template <class T>
struct WeightAllocator {
  using value_type = T;
  WeightAllocator() = default;
  template <class U>
  WeightAllocator(const WeightAllocator<U>&) noexcept {}  // NOLINT: converting, as allocators do
  T* allocate(size_t n) { return static_cast<T*>(weight_allocate(n * sizeof(T))); }
  void deallocate(T* p, size_t n) noexcept { weight_free(p, n * sizeof(T)); }
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U>
  bool operator==(const WeightAllocator<U>&) const noexcept {
    return true;
  }
  template <class U>
  bool operator!=(const WeightAllocator<U>&) const noexcept {
    return false;
  }
};

}  // namespace onyx::kernels
