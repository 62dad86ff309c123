// The element-type table. Codes are ONNX's TensorProto.DataType values so the
// loader can map them one to one. Sizes are in bits: the 4-bit types (INT4/UINT4,
// FLOAT4E2M1) are stored two per byte and the 2-bit ones (INT2/UINT2) four per
// byte, low bits first (onyx/packed.h reads and writes them).
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>

#include "onyx/error.h"
#include "onyx/float16.h"

namespace onyx {

enum class DType : int32_t {
  Undefined = 0,
  Float = 1,
  UInt8 = 2,
  Int8 = 3,
  UInt16 = 4,
  Int16 = 5,
  Int32 = 6,
  Int64 = 7,
  String = 8,
  Bool = 9,
  Float16 = 10,
  Double = 11,
  UInt32 = 12,
  UInt64 = 13,
  Complex64 = 14,
  Complex128 = 15,
  BFloat16 = 16,
  Float8E4M3FN = 17,
  Float8E4M3FNUZ = 18,
  Float8E5M2 = 19,
  Float8E5M2FNUZ = 20,
  UInt4 = 21,
  Int4 = 22,
  Float4E2M1 = 23,
  Float8E8M0 = 24,  // exponent only: a power of two, as used for block scales
  UInt2 = 25,
  Int2 = 26,
};

struct DTypeInfo {
  DType dtype;
  const char* name;  // ONNX spelling: "float", "int64", "float16", ...
  int bits;          // storage bits per element (4 for packed types)
  bool is_float;     // floating point (incl. float16/bfloat16/float8)
  bool is_signed;    // signed integer or float
  bool is_integer;
  bool supported;  // storage implemented in this build (loader/tensors)
};

// Info for any code, including unknown ones (reported as unsupported "dtype(N)").
const DTypeInfo& dtype_info(DType t);
inline const char* dtype_name(DType t) { return dtype_info(t).name; }
std::string dtype_name_of_code(int32_t code);
// Whether `code` names an element type of the ONNX spec (Onyx may still not support it).
bool dtype_code_known(int32_t code);
// Bytes for n elements, rounding packed types up; throws on overflow.
size_t dtype_storage_bytes(DType t, int64_t n);
// Types stored below one byte per element: their elements are not addressable as T*.
inline bool dtype_is_packed(DType t) { return dtype_info(t).bits > 0 && dtype_info(t).bits < 8; }

// C++ storage type <-> DType.
template <class T>
struct dtype_of;
template <>
struct dtype_of<float> {
  static constexpr DType value = DType::Float;
};
template <>
struct dtype_of<double> {
  static constexpr DType value = DType::Double;
};
template <>
struct dtype_of<float16_t> {
  static constexpr DType value = DType::Float16;
};
template <>
struct dtype_of<bfloat16_t> {
  static constexpr DType value = DType::BFloat16;
};
template <>
struct dtype_of<int8_t> {
  static constexpr DType value = DType::Int8;
};
template <>
struct dtype_of<int16_t> {
  static constexpr DType value = DType::Int16;
};
template <>
struct dtype_of<int32_t> {
  static constexpr DType value = DType::Int32;
};
template <>
struct dtype_of<int64_t> {
  static constexpr DType value = DType::Int64;
};
template <>
struct dtype_of<uint8_t> {
  static constexpr DType value = DType::UInt8;
};
template <>
struct dtype_of<uint16_t> {
  static constexpr DType value = DType::UInt16;
};
template <>
struct dtype_of<uint32_t> {
  static constexpr DType value = DType::UInt32;
};
template <>
struct dtype_of<uint64_t> {
  static constexpr DType value = DType::UInt64;
};
template <>
struct dtype_of<bool> {
  static constexpr DType value = DType::Bool;
};
template <>
struct dtype_of<std::string> {
  static constexpr DType value = DType::String;
};
template <class T>
inline constexpr DType dtype_v = dtype_of<T>::value;

// ---- dispatch: write a kernel once as a generic lambda, instantiate per dtype ----
//
//   dispatch<FloatTypes>(x.dtype(), "Relu", [&](auto tag) {
//     using T = typename decltype(tag)::type;
//     ...
//   });

template <class T>
struct type_tag {
  using type = T;
};
template <class... Ts>
struct type_list {};

using FloatTypes = type_list<float, double, float16_t, bfloat16_t>;
using SignedIntTypes = type_list<int8_t, int16_t, int32_t, int64_t>;
using UnsignedIntTypes = type_list<uint8_t, uint16_t, uint32_t, uint64_t>;
using IntTypes =
    type_list<int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t>;
using NumericTypes = type_list<float, double, float16_t, bfloat16_t, int8_t, int16_t, int32_t,
                               int64_t, uint8_t, uint16_t, uint32_t, uint64_t>;
using AllTypes = type_list<float, double, float16_t, bfloat16_t, int8_t, int16_t, int32_t, int64_t,
                           uint8_t, uint16_t, uint32_t, uint64_t, bool, std::string>;

template <class T, class... Rest>
struct first_type {
  using type = T;
};

template <class... Ts, class Fn>
decltype(auto) dispatch_impl(type_list<Ts...>, DType t, const char* what, Fn&& fn) {
  // The result type comes from the list's own first type, so the lambda body is
  // never instantiated for a type outside the list.
  using R = decltype(fn(type_tag<typename first_type<Ts...>::type>{}));
  if constexpr (std::is_void_v<R>) {
    bool done = ((t == dtype_v<Ts> ? (fn(type_tag<Ts>{}), true) : false) || ...);
    if (!done) fail(what, ": unsupported dtype ", dtype_name(t));
  } else {
    R result{};
    bool done = ((t == dtype_v<Ts> ? (result = fn(type_tag<Ts>{}), true) : false) || ...);
    if (!done) fail(what, ": unsupported dtype ", dtype_name(t));
    return result;
  }
}

template <class List, class Fn>
decltype(auto) dispatch(DType t, const char* what, Fn&& fn) {
  return dispatch_impl(List{}, t, what, std::forward<Fn>(fn));
}

template <class... Ts>
constexpr bool dtype_in(type_list<Ts...>, DType t) {
  return ((t == dtype_v<Ts>) || ...);
}

}  // namespace onyx
