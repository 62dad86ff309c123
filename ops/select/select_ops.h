// Internals shared by the files of ops/select: each file's registration entry and the
// dtype lists of the ONNX type constraints these ops use.
#pragma once

#include <string>
#include <type_traits>
#include <vector>

#include "common/dtype_lists.h"
#include "onyx/dtype.h"
#include "onyx/registry.h"

namespace onyx {

void register_compress(Registry& registry);          // compress.cc: Compress
void register_non_zero(Registry& registry);          // non_zero.cc: NonZero
void register_unique(Registry& registry);            // unique.cc: Unique
void register_reverse_sequence(Registry& registry);  // reverse_sequence.cc: ReverseSequence

// Helpers in a namespace of their own so they cannot clash with other families' helpers.
namespace sel {

// Whether an element counts as "true": non-zero numbers (NaN included), non-empty strings.
template <class T>
bool is_nonzero(const T& v) {
  if constexpr (std::is_same_v<T, std::string>) {
    return !v.empty();
  } else if constexpr (std::is_same_v<T, float16_t> || std::is_same_v<T, bfloat16_t>) {
    return static_cast<float>(v) != 0.0f;
  } else {
    return v != T(0);
  }
}

}  // namespace sel
}  // namespace onyx
