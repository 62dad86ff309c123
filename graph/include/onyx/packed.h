// Element access for the types stored below one byte: int4, uint4 and float4e2m1 two
// per byte, int2 and uint2 four per byte. As ONNX stores them (raw_data, and each
// int32_data value holding one such byte), element i sits in byte i / per_byte, at bit
// (i % per_byte) * bits: the first element in the low bits. The bits past the last
// element of an odd-sized tensor are padding, written as zero.
#pragma once

#include <cstdint>

#include "onyx/dtype.h"

namespace onyx {

// The code (the element's raw bits, zero-extended) of element i of a packed buffer.
inline uint8_t packed_get(const uint8_t* data, int64_t i, int bits) {
  const int per_byte = 8 / bits;
  const int shift = static_cast<int>(i % per_byte) * bits;
  return static_cast<uint8_t>((data[i / per_byte] >> shift) & ((1u << bits) - 1));
}

// Writes the low `bits` bits of `code` as element i, leaving its neighbours as they are.
inline void packed_set(uint8_t* data, int64_t i, int bits, uint8_t code) {
  const int per_byte = 8 / bits;
  const int shift = static_cast<int>(i % per_byte) * bits;
  const unsigned mask = ((1u << bits) - 1) << shift;
  uint8_t& byte = data[i / per_byte];
  byte = static_cast<uint8_t>((byte & ~mask) | ((static_cast<unsigned>(code) << shift) & mask));
}

// A `bits`-wide two's complement code as a number: for int4, 0b1000 is -8 and 0b0111 is 7.
inline int sign_extend(uint8_t code, int bits) {
  const int sign = 1 << (bits - 1);
  return (static_cast<int>(code) ^ sign) - sign;
}

}  // namespace onyx
