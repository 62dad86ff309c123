// numpy's .npy files for tensors: read (format versions 1 to 3, little-endian numeric and
// bool dtypes) and written (version 1).
//
// numpy has no bfloat16, float8, float4 or sub-byte integer dtype, so a tensor of such a
// type is written as a stand-in array, laid out byte for byte as the ml_dtypes package
// (and ONNX's numpy_helper) hold these types:
//
//   bfloat16                              uint16, each element's bit pattern
//   float8e4m3fn, float8e4m3fnuz,
//   float8e5m2, float8e5m2fnuz,
//   float8e8m0                            uint8, each element's byte
//   float4e2m1                            uint8, one element per byte: its 4-bit code
//   int4, int2                            int8, one element per byte: its value
//   uint4, uint2                          uint8, one element per byte: its value
//
// Reading one back needs the type it stands for (a model input's declared type).
#pragma once

#include <string>
#include <string_view>

#include "onyx/tensor.h"

namespace onyx {

// The array held by .npy bytes, in its own dtype. `what` names the file in errors.
Tensor parse_npy(std::string_view bytes, const std::string& what);
Tensor load_npy(const std::string& path);

// The .npy bytes holding `t` (through its stand-in, as above); strings are refused.
std::string npy_bytes(const Tensor& t);
void save_npy(const Tensor& t, const std::string& path);

// The stand-in array `t` is written as (`t` itself for the dtypes numpy has).
Tensor to_npy_array(const Tensor& t);
// The tensor of dtype `want` that an array read from .npy holds: the stand-in undone when
// `want` is one of the types above, else the array as it is (a dtype numpy has needs no
// translation). Fails naming `what` when the array is neither `want` nor its stand-in,
// or holds a value `want` cannot (an int4 of 9, a float4e2m1 code above 15).
Tensor from_npy_array(const Tensor& array, DType want, const std::string& what);

}  // namespace onyx
