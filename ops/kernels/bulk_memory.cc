#include "kernels/bulk_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
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

}  // namespace onyx::kernels
