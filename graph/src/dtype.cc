#include "onyx/dtype.h"

#include <limits>

namespace onyx {
namespace {

// Indexed by the ONNX TensorProto.DataType code.
constexpr DTypeInfo kTable[] = {
    {DType::Undefined, "undefined", 0, false, false, false, false},
    {DType::Float, "float", 32, true, true, false, true},
    {DType::UInt8, "uint8", 8, false, false, true, true},
    {DType::Int8, "int8", 8, false, true, true, true},
    {DType::UInt16, "uint16", 16, false, false, true, true},
    {DType::Int16, "int16", 16, false, true, true, true},
    {DType::Int32, "int32", 32, false, true, true, true},
    {DType::Int64, "int64", 64, false, true, true, true},
    {DType::String, "string", 8 * sizeof(std::string), false, false, false, true},
    {DType::Bool, "bool", 8, false, false, false, true},
    {DType::Float16, "float16", 16, true, true, false, true},
    {DType::Double, "double", 64, true, true, false, true},
    {DType::UInt32, "uint32", 32, false, false, true, true},
    {DType::UInt64, "uint64", 64, false, false, true, true},
    {DType::Complex64, "complex64", 64, false, true, false, false},
    {DType::Complex128, "complex128", 128, false, true, false, false},
    {DType::BFloat16, "bfloat16", 16, true, true, false, true},
    {DType::Float8E4M3FN, "float8e4m3fn", 8, true, true, false, true},
    {DType::Float8E4M3FNUZ, "float8e4m3fnuz", 8, true, true, false, true},
    {DType::Float8E5M2, "float8e5m2", 8, true, true, false, true},
    {DType::Float8E5M2FNUZ, "float8e5m2fnuz", 8, true, true, false, true},
    {DType::UInt4, "uint4", 4, false, false, true, true},
    {DType::Int4, "int4", 4, false, true, true, true},
    {DType::Float4E2M1, "float4e2m1", 4, true, true, false, true},
    {DType::Float8E8M0, "float8e8m0", 8, true, false, false, true},  // no sign bit
    {DType::UInt2, "uint2", 2, false, false, true, true},
    {DType::Int2, "int2", 2, false, true, true, true},
};
constexpr int kTableSize = static_cast<int>(sizeof(kTable) / sizeof(kTable[0]));
const DTypeInfo kUnknown = {DType::Undefined, "unknown-dtype", 0, false, false, false, false};

}  // namespace

const DTypeInfo& dtype_info(DType t) {
  int code = static_cast<int>(t);
  if (code < 0 || code >= kTableSize) return kUnknown;
  return kTable[code];
}

std::string dtype_name_of_code(int32_t code) {
  if (code >= 0 && code < kTableSize) return kTable[code].name;
  return "dtype(" + std::to_string(code) + ")";
}

bool dtype_code_known(int32_t code) { return code > 0 && code < kTableSize; }

size_t dtype_storage_bytes(DType t, int64_t n) {
  int bits = dtype_info(t).bits;
  if (n < 0) fail("negative element count ", n);
  if (bits == 0) return 0;
  if (n > std::numeric_limits<int64_t>::max() / bits)
    fail_as(ErrorKind::limit_exceeded, "a ", dtype_name(t), " tensor of ", n,
            " elements has more bytes than int64 counts");
  return static_cast<size_t>((n * bits + 7) / 8);
}

}  // namespace onyx
