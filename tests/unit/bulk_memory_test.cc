// The bulk allocator behind packed weights and the weights copied at load: every size
// class (heap, pages of its own, huge-page aligned) gives aligned, writable memory of
// the asked size, and std::vector works over it.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "kernels/bulk_memory.h"

namespace onyx {
namespace {

TEST(BulkMemory, EverySizeClassIsAlignedAndWritableToItsEnd) {
  const size_t kib = 1024, mib = 1024 * kib;
  for (size_t bytes : {size_t{0}, size_t{1}, 63 * kib, 64 * kib - 1, 64 * kib, 64 * kib + 1,
                       4 * mib - 1, 4 * mib, 9 * mib + 3}) {
    SCOPED_TRACE(bytes);
    void* p = kernels::bulk_allocate(bytes);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u);
    if (bytes >= 4 * mib) {
      EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % (2 * mib), 0u);
    }
    auto* bytes_p = static_cast<unsigned char*>(p);
    std::memset(bytes_p, 0xA5, bytes);
    if (bytes > 0) {
      EXPECT_EQ(bytes_p[0], 0xA5);
      EXPECT_EQ(bytes_p[bytes - 1], 0xA5);
    }
    kernels::bulk_free(p, bytes);
  }
}

TEST(BulkMemory, VectorsGrowAndKeepTheirElements) {
  std::vector<float, kernels::BulkAllocator<float>> v;
  for (int i = 0; i < 3'000'000; ++i) v.push_back(static_cast<float>(i));  // crosses 4 MiB
  v.resize(5'000'000);  // new elements uninitialised: written before use
  for (int i = 0; i < 3'000'000; i += 99'991) EXPECT_EQ(v[static_cast<size_t>(i)], float(i));
  std::vector<float, kernels::BulkAllocator<float>> copy = v;
  EXPECT_EQ(copy[2'999'999], 2'999'999.0f);
}

}  // namespace
}  // namespace onyx
