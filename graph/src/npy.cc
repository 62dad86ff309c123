#include "onyx/npy.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include "onyx/loader.h"  // read_file_bytes
#include "onyx/narrow_tensor.h"
#include "onyx/packed.h"

namespace onyx {
namespace {

// numpy's type strings for the dtypes it has ('|' where byte order does not apply).
const std::pair<DType, const char*> kDescrs[] = {
    {DType::Float, "<f4"},  {DType::Double, "<f8"}, {DType::Float16, "<f2"}, {DType::Int8, "|i1"},
    {DType::Int16, "<i2"},  {DType::Int32, "<i4"},  {DType::Int64, "<i8"},   {DType::UInt8, "|u1"},
    {DType::UInt16, "<u2"}, {DType::UInt32, "<u4"}, {DType::UInt64, "<u8"},  {DType::Bool, "|b1"}};

DType dtype_of_descr(const std::string& descr, const std::string& what) {
  // '<' and '|' alike: a one-byte type may be written either way.
  if (descr.size() == 3 && (descr[0] == '<' || descr[0] == '|'))
    for (const auto& [dtype, known] : kDescrs)
      if (descr.compare(1, 2, known + 1) == 0) return dtype;
  fail(what, ": unsupported .npy dtype '", descr, "' (little-endian numeric or bool only)");
}

// The stand-in dtype of a type numpy lacks (see npy.h), or Undefined for the others.
DType stand_in(DType t) {
  if (t == DType::BFloat16) return DType::UInt16;
  if (t == DType::Int4 || t == DType::Int2) return DType::Int8;
  return dtype_is_narrow(t) ? DType::UInt8 : DType::Undefined;
}

// The value of `key` in the .npy header dict, e.g. 'descr': '<f4' -> <f4.
std::string header_field(const std::string& header, const std::string& key,
                         const std::string& what) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) fail(what, ": .npy header has no '", key, "'");
  size_t colon = header.find(':', k);
  if (colon == std::string::npos) fail(what, ": malformed .npy header");
  size_t start = header.find_first_not_of(" ", colon + 1);
  if (start == std::string::npos) fail(what, ": malformed .npy header");
  if (header[start] == '\'') {
    size_t end = header.find('\'', start + 1);
    if (end == std::string::npos) fail(what, ": malformed .npy header");
    return header.substr(start + 1, end - start - 1);
  }
  if (header[start] == '(') {
    size_t end = header.find(')', start);
    if (end == std::string::npos) fail(what, ": malformed .npy header");
    return header.substr(start + 1, end - start - 1);
  }
  size_t end = header.find_first_of(",}", start);
  return header.substr(start, end - start);
}

}  // namespace

Tensor parse_npy(std::string_view bytes, const std::string& what) {
  if (bytes.size() < 10 || bytes.substr(0, 6) != "\x93NUMPY") fail(what, ": not a .npy file");
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    offset = 10;
  } else {
    if (bytes.size() < 12) fail(what, ": truncated .npy header");
    for (int i = 3; i >= 0; --i)
      header_len = (header_len << 8) | static_cast<unsigned char>(bytes[8 + i]);
    offset = 12;
  }
  if (header_len > bytes.size() - offset) fail(what, ": truncated .npy header");
  const std::string header(bytes.substr(offset, header_len));
  const DType dtype = dtype_of_descr(header_field(header, "descr", what), what);
  if (header_field(header, "fortran_order", what) != "False")
    fail(what, ": Fortran-ordered .npy arrays are not supported");
  Shape shape;
  std::stringstream dims(header_field(header, "shape", what));
  std::string item;
  while (std::getline(dims, item, ',')) {
    item.erase(std::remove(item.begin(), item.end(), ' '), item.end());
    if (item.empty()) continue;
    try {
      shape.push_back(std::stoll(item));
    } catch (const std::exception&) {
      fail(what, ": malformed .npy shape");
    }
  }
  // The size is checked against the data before anything is allocated.
  const size_t data_offset = offset + header_len;
  const size_t need = dtype_storage_bytes(dtype, checked_numel(shape));
  if (bytes.size() - data_offset != need)
    fail(what, ": .npy holds ", bytes.size() - data_offset, " data bytes, shape ",
         shape_to_string(shape), " needs ", need);
  Tensor t = Tensor::uninitialized(dtype, shape);
  if (need) std::memcpy(t.raw(), bytes.data() + data_offset, need);
  return t;
}

Tensor load_npy(const std::string& path) {
  return classify_errors(ErrorKind::invalid_input,
                         [&] { return parse_npy(read_file_bytes(path), path); });
}

Tensor to_npy_array(const Tensor& t) {
  const DType as = stand_in(t.dtype());
  if (as == DType::Undefined) return t;
  if (!dtype_is_packed(t.dtype())) return t.bitcast(as);  // bfloat16, float8: the bits
  // One element per byte: the integers' values, float4e2m1's codes.
  const int bits = dtype_info(t.dtype()).bits;
  const bool is_signed = as == DType::Int8;
  Tensor out = Tensor::uninitialized(as, t.shape());
  const auto* in = static_cast<const uint8_t*>(t.raw());
  auto* p = static_cast<uint8_t*>(out.raw());
  for (int64_t i = 0; i < t.numel(); ++i) {
    const uint8_t code = packed_get(in, i, bits);
    p[i] = is_signed ? static_cast<uint8_t>(sign_extend(code, bits)) : code;
  }
  return out;
}

Tensor from_npy_array(const Tensor& array, DType want, const std::string& what) {
  const DType as = stand_in(want);
  if (as == DType::Undefined || array.dtype() == want) return array;
  if (array.dtype() != as)
    fail(what, ": a ", dtype_name(want), " tensor is read from a .npy of ", dtype_name(as),
         ", not ", dtype_name(array.dtype()));
  if (!dtype_is_packed(want)) return array.bitcast(want);
  // Each byte one element, which must fit `want`'s bits.
  const int bits = dtype_info(want).bits;
  const bool is_signed = as == DType::Int8;
  const int lo = is_signed ? -(1 << (bits - 1)) : 0;
  const int hi = is_signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
  Tensor out(want, array.shape());  // zeroed: the padding bits stay 0
  const auto* in = static_cast<const uint8_t*>(array.raw());
  for (int64_t i = 0; i < array.numel(); ++i) {
    const int v = is_signed ? static_cast<int8_t>(in[i]) : in[i];
    if (v < lo || v > hi)
      fail(what, ": element ", i, " is ", v, ", outside ", dtype_name(want), "'s [", lo, ", ", hi,
           "]", want == DType::Float4E2M1 ? " (float4e2m1 is read as 4-bit codes)" : "");
    packed_set(static_cast<uint8_t*>(out.raw()), i, bits, static_cast<uint8_t>(v));
  }
  return out;
}

std::string npy_bytes(const Tensor& t) {
  const Tensor array = to_npy_array(t);
  const char* descr = nullptr;
  for (const auto& [dtype, known] : kDescrs)
    if (dtype == array.dtype()) descr = known;
  if (!descr) fail("cannot write a ", dtype_name(t.dtype()), " tensor to .npy");
  std::string shape;
  for (int64_t d : array.shape()) shape += std::to_string(d) + ", ";
  if (array.rank() > 1) shape.resize(shape.size() - 2);  // (3,) but (2, 3)
  if (array.rank() == 1) shape.pop_back();
  std::string header =
      std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (" + shape + "), }";
  // Version 1.0: magic, version, 2-byte length; the header is space-padded so that the
  // data starts at a multiple of 64 bytes, and ends with a newline (as numpy pads it:
  // never by nothing).
  const size_t unpadded = 10 + header.size() + 1;
  header.append(64 - unpadded % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  out.append(static_cast<const char*>(array.raw()), array.nbytes());
  return out;
}

void save_npy(const Tensor& t, const std::string& path) { write_file(path, npy_bytes(t)); }

}  // namespace onyx
