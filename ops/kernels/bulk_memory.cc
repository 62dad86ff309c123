#include "kernels/bulk_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>

namespace onyx::kernels {
namespace {

constexpr size_t kOwnPages = size_t{64} << 10;
constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kHugeFrom = kHugePage;

size_t page_size() {
  static const size_t size = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

size_t whole_pages(size_t bytes) { return (bytes + page_size() - 1) / page_size() * page_size(); }

// Packed-weight slabs: a slab is one 2 MiB bulk block (so huge-page aligned); its
// bookkeeping lies in its first 64 bytes, and a block finds its slab by rounding its
// address down to 2 MiB.
constexpr size_t kSlabBytes = kHugePage;
constexpr size_t kSlabHeader = 64;
constexpr size_t kSlabBlockLimit = size_t{512} << 10;  // a quarter slab wastes little at the end

struct SlabHeader {
  size_t used;  // bytes handed out, the header included
  size_t live;  // blocks not yet freed
};

std::mutex slab_mutex;
SlabHeader* open_slab = nullptr;  // the slab new blocks come from

size_t slab_block_size(size_t bytes) { return std::max<size_t>(64, (bytes + 63) / 64 * 64); }

SlabHeader* slab_of(void* p) {
  return reinterpret_cast<SlabHeader*>(reinterpret_cast<uintptr_t>(p) & ~(kSlabBytes - 1));
}

}  // namespace

void* bulk_allocate(size_t bytes) {
  if (bytes < kOwnPages) {
    void* p = std::aligned_alloc(64, (bytes + 63) / 64 * 64 + (bytes == 0 ? 64 : 0));
    if (!p) throw std::bad_alloc();
    return p;
  }
  const size_t size = whole_pages(bytes);
  // Huge pages need a 2 MiB-aligned start: map a little more and trim both ends.
  const size_t slack = size >= kHugeFrom ? kHugePage : 0;
  void* mapped =
      ::mmap(nullptr, size + slack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) throw std::bad_alloc();
  if (slack == 0) return mapped;
  char* start = static_cast<char*>(mapped);
  char* aligned = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(start) + kHugePage - 1) /
                                          kHugePage * kHugePage);
  if (aligned > start) ::munmap(start, static_cast<size_t>(aligned - start));
  char* end = start + size + slack;
  if (aligned + size < end) ::munmap(aligned + size, static_cast<size_t>(end - aligned - size));
  ::madvise(aligned, size, MADV_HUGEPAGE);  // a hint: ignored where the system has none
  return aligned;
}

void bulk_free(void* p, size_t bytes) noexcept {
  if (!p) return;
  if (bytes < kOwnPages)
    std::free(p);
  else
    ::munmap(p, whole_pages(bytes));
}

void* weight_allocate(size_t bytes) {
  const size_t size = slab_block_size(bytes);
  if (size > kSlabBlockLimit) return bulk_allocate(bytes);
  std::lock_guard<std::mutex> lock(slab_mutex);
  if (!open_slab || open_slab->used + size > kSlabBytes) {
    // The full slab stays until its last block is freed.
    open_slab = static_cast<SlabHeader*>(bulk_allocate(kSlabBytes));
    *open_slab = SlabHeader{kSlabHeader, 0};
  }
  char* p = reinterpret_cast<char*>(open_slab) + open_slab->used;
  open_slab->used += size;
  ++open_slab->live;
  return p;
}

void weight_free(void* p, size_t bytes) noexcept {
  if (!p) return;
  if (slab_block_size(bytes) > kSlabBlockLimit) return bulk_free(p, bytes);
  std::lock_guard<std::mutex> lock(slab_mutex);
  SlabHeader* slab = slab_of(p);
  if (--slab->live > 0) return;
  if (slab == open_slab) open_slab = nullptr;
  bulk_free(slab, kSlabBytes);
}

}  // namespace onyx::kernels
