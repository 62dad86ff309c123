#include "onyx/narrow_tensor.h"

#include "onyx/packed.h"

namespace onyx {

bool dtype_is_narrow(DType t) {
  switch (t) {
    case DType::Int4:
    case DType::UInt4:
    case DType::Int2:
    case DType::UInt2:
      return true;
    default:
      return dtype_is_small_float(t);
  }
}

DType widened_dtype(DType t) {
  if (dtype_is_small_float(t)) return DType::Float;
  if (t == DType::Int4 || t == DType::Int2) return DType::Int8;
  if (t == DType::UInt4 || t == DType::UInt2) return DType::UInt8;
  fail("widened_dtype: ", dtype_name(t), " is not a narrow type");
}

namespace {

// The code of element i: a byte of its own for the 8-bit types, else packed.
uint8_t code_at(const Tensor& t, int64_t i) {
  const uint8_t* p = static_cast<const uint8_t*>(t.raw());
  return dtype_is_packed(t.dtype()) ? packed_get(p, i, dtype_info(t.dtype()).bits) : p[i];
}

void set_code(Tensor& t, int64_t i, uint8_t code) {
  uint8_t* p = static_cast<uint8_t*>(t.raw());
  if (dtype_is_packed(t.dtype()))
    packed_set(p, i, dtype_info(t.dtype()).bits, code);
  else
    p[i] = code;
}

}  // namespace

Tensor widen(const Tensor& t) {
  const DType to = widened_dtype(t.dtype());
  const int bits = dtype_info(t.dtype()).bits;
  Tensor out = Tensor::uninitialized(to, t.shape());
  const int64_t n = t.numel();
  if (to == DType::Float) {
    float* p = out.data<float>();
    for (int64_t i = 0; i < n; ++i) p[i] = small_float_decode(t.dtype(), code_at(t, i));
  } else if (to == DType::Int8) {
    int8_t* p = out.data<int8_t>();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<int8_t>(sign_extend(code_at(t, i), bits));
  } else {
    uint8_t* p = out.data<uint8_t>();
    for (int64_t i = 0; i < n; ++i) p[i] = code_at(t, i);
  }
  return out;
}

void narrow_into(const Tensor& wide, Tensor& out, const NarrowingOptions& options) {
  const DType to = out.dtype();
  if (wide.dtype() != widened_dtype(to) || wide.numel() != out.numel())
    fail("narrow_into: ", wide.describe(), " cannot be written into ", out.describe());
  const int64_t n = wide.numel();
  if (wide.dtype() == DType::Float) {
    const float* p = wide.data<float>();
    for (int64_t i = 0; i < n; ++i)
      set_code(out, i, small_float_encode(to, p[i], options.saturate, options.e8m0));
  } else {
    // int8 and uint8 alike: the low bits are the narrow two's complement code.
    const uint8_t* p = static_cast<const uint8_t*>(wide.raw());
    for (int64_t i = 0; i < n; ++i) set_code(out, i, p[i]);
  }
  // Zero the padding past the last packed element, so equal tensors have equal bytes.
  const int bits = dtype_info(to).bits;
  for (int64_t i = n; dtype_is_packed(to) && (i * bits) % 8 != 0; ++i)
    packed_set(static_cast<uint8_t*>(out.raw()), i, bits, 0);
}

}  // namespace onyx
