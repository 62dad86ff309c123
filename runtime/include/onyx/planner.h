// The static memory plan: when each intermediate value dies (so its buffer is
// released right after its last reader), the peak bytes of live intermediates, and
// the arena: one buffer in which every intermediate of static shape has an offset,
// computed from value lifetimes so that no two values alive at once share a byte.
#pragma once

#include <cstdint>
#include <vector>

#include "onyx/ir.h"
#include "onyx/kernel.h"

namespace onyx {

struct MemoryPlan {
  // A run of bytes in the arena. Values that share a buffer by design are one block:
  // a view and its source, an output written over the input that dies at its node.
  struct Block {
    int64_t offset = 0;
    int64_t bytes = 0;
    int first = 0, last = 0;   // the steps between which some member is alive
    std::vector<int> members;  // value ids
    // Blocks in use before this one that share some of its bytes: they must be free
    // (held by nobody) when this one is first written.
    std::vector<int> earlier_overlaps;
  };

  // release_after[k]: value ids whose last reader is the k-th step of `order`.
  std::vector<std::vector<int>> release_after;
  // The most bytes of blocks alive at one step: what the arena would be, perfectly
  // packed (views and outputs written over their inputs take no bytes of their own).
  int64_t peak_bytes = 0;

  std::vector<Block> blocks;
  std::vector<int> block_of;             // per value id: its block, or -1 (heap)
  std::vector<int64_t> placeable_bytes;  // per value id: bytes it may take at its block's offset
  std::vector<int> written_over;         // per value id: the input it is written over, or -1
  int64_t arena_bytes = 0;
};

// `reuse[k]` is what the k-th step's kernel says of its outputs (Kernel::output_reuse);
// left empty, no output shares an input's buffer.
MemoryPlan plan_memory(const Graph& graph, const std::vector<int>& order,
                       const std::vector<TypeInfo>& types,
                       const std::vector<std::vector<OutputReuse>>& reuse = {});

}  // namespace onyx
