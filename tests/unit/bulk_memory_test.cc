// The bulk allocator behind the run arena and the weights copied at load, and the slab
// allocator behind packed weights: every size class (heap, pages of its own, huge-page
// aligned, slab) gives aligned, writable memory of the asked size that no other live
// block overlaps, and std::vector works over it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
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

TEST(BulkMemory, PackedBlocksKeepTheirBytesAcrossSlabsAndFreesInAnyOrder) {
  // Enough blocks to fill several slabs, with sizes from tiny to past the slab limit;
  // each is filled with its own byte, then checked after all the others were written.
  std::mt19937 rng(7);
  std::uniform_int_distribution<size_t> small(0, 70'000);
  std::vector<std::pair<unsigned char*, size_t>> blocks;
  for (int i = 0; i < 300; ++i) {
    const size_t bytes = i % 50 == 49 ? (size_t{600} << 10) + small(rng) : small(rng);
    auto* p = static_cast<unsigned char*>(kernels::weight_allocate(bytes));
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u);
    std::memset(p, i & 0xFF, bytes);
    blocks.emplace_back(p, bytes);
  }
  for (size_t i = 0; i < blocks.size(); ++i) {
    auto [p, bytes] = blocks[i];
    if (bytes == 0) continue;
    for (size_t at : {size_t{0}, bytes / 2, bytes - 1}) {
      ASSERT_EQ(p[at], i & 0xFF) << "block " << i << " at " << at;
    }
  }
  std::shuffle(blocks.begin(), blocks.end(), rng);
  for (auto [p, bytes] : blocks) kernels::weight_free(p, bytes);
  // Every slab went back; new blocks come from a fresh one.
  void* again = kernels::weight_allocate(100);
  std::memset(again, 1, 100);
  kernels::weight_free(again, 100);
}

TEST(BulkMemory, VectorsGrowAndKeepTheirElements) {
  std::vector<float, kernels::WeightAllocator<float>> v;
  for (int i = 0; i < 3'000'000; ++i) v.push_back(static_cast<float>(i));  // crosses 4 MiB
  v.resize(5'000'000);  // new elements uninitialised: written before use
  for (int i = 0; i < 3'000'000; i += 99'991) EXPECT_EQ(v[static_cast<size_t>(i)], float(i));
  std::vector<float, kernels::WeightAllocator<float>> copy = v;
  EXPECT_EQ(copy[2'999'999], 2'999'999.0f);
}

}  // namespace
}  // namespace onyx
