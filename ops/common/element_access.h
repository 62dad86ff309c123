// Element access by storage, for data-movement kernels (Transpose, Pad, ConstantOfShape):
// they copy elements without reading their values, so one loop serves every dtype of
// the same storage. Whole-byte elements are indexed as ElementBytes<N> (or strings); the
// packed 4- and 2-bit types are not addressable per element (element i is not byte i), so
// they move as codes through onyx/packed.h.
#pragma once

#include <cstdint>
#include <utility>

#include "common/shape_utils.h"  // ElementBytes, dispatch_by_size
#include "onyx/packed.h"

namespace onyx {

// A packed element (int4, uint4, float4e2m1: 4 bits; int2, uint2: 2 bits) as data
// movement sees it: its code, whatever it means.
template <int Bits>
struct PackedCode {
  uint8_t code;
};

// Element i of a buffer holding elements of U.
template <class U>
struct ElementAccess {
  static const U& get(const void* base, int64_t i) { return static_cast<const U*>(base)[i]; }
  static void set(void* base, int64_t i, const U& v) { static_cast<U*>(base)[i] = v; }
};
template <int Bits>
struct ElementAccess<PackedCode<Bits>> {
  static PackedCode<Bits> get(const void* base, int64_t i) {
    return {packed_get(static_cast<const uint8_t*>(base), i, Bits)};
  }
  static void set(void* base, int64_t i, PackedCode<Bits> v) {
    packed_set(static_cast<uint8_t*>(base), i, Bits, v.code);
  }
};

// dispatch_by_size, and for the packed types U = PackedCode<bits>: calls fn(type_tag<U>)
// for a kernel that moves elements through ElementAccess<U>.
template <class Fn>
void dispatch_by_storage(DType t, const char* what, Fn&& fn) {
  if (!dtype_is_packed(t)) return dispatch_by_size(t, what, std::forward<Fn>(fn));
  switch (dtype_info(t).bits) {
    case 4:
      return fn(type_tag<PackedCode<4>>{});
    case 2:
      return fn(type_tag<PackedCode<2>>{});
    default:
      fail(what, ": unsupported dtype ", dtype_name(t));
  }
}

}  // namespace onyx
