#include "tensor_proto.h"

#include "onyx/narrow_tensor.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

namespace onyx::detail {
namespace {

namespace fs = std::filesystem;

static_assert(std::endian::native == std::endian::little,
              "raw_data is little-endian; a big-endian host would need byte swapping");

DType checked_dtype(int32_t code, const std::string& what) {
  DType dt = static_cast<DType>(code);
  if (!dtype_in(AllTypes{}, dt) && !dtype_is_narrow(dt))
    fail(what, ": unsupported data type ", dtype_name_of_code(code));
  return dt;
}

template <class Dims>
Shape checked_dims(const Dims& dims, const std::string& what, int64_t* numel) {
  Shape shape(dims.begin(), dims.end());
  for (int64_t d : shape)
    if (d < 0) fail(what, ": negative dimension ", d, " in dims ", shape_to_string(shape));
  try {
    *numel = checked_numel(shape);
  } catch (const Error& e) {
    throw e.with_context(what + ": ");
  }
  return shape;
}

size_t checked_bytes(DType dt, int64_t numel, const std::string& what) {
  try {
    return dtype_storage_bytes(dt, numel);
  } catch (const Error& e) {
    throw e.with_context(what + ": ");
  }
}

std::string describe(DType dt, const Shape& shape) {
  return std::string(dtype_name(dt)) + shape_to_string(shape);
}

Tensor from_raw(onnx::TensorProto& proto, const RawDataView* view, DType dt, Shape shape,
                int64_t numel, const std::string& what) {
  if (dt == DType::String) fail(what, ": string tensors cannot use raw_data");
  size_t expected = checked_bytes(dt, numel, what);
  size_t size = view ? view->size : proto.raw_data().size();
  if (size != expected)
    fail(what, ": raw_data has ", size, " bytes, expected ", expected, " for ",
         describe(dt, shape));
  if (view) return tensor_from_bytes(*view->file, dt, std::move(shape), view->data, expected);
  if (expected == 0) return Tensor(dt, std::move(shape));
  // The message's own string becomes the tensor's storage (heap strings are aligned).
  std::shared_ptr<std::string> bytes(proto.release_raw_data());
  char* data = bytes->data();
  if (dt != DType::Bool && reinterpret_cast<uintptr_t>(data) % alignof(std::max_align_t) == 0)
    return Tensor::share(dt, std::move(shape), std::move(bytes), data);
  return tensor_from_bytes(MappedFile{}, dt, std::move(shape), data, expected);
}

// The typed field ONNX uses for each storage type.
template <class T>
const auto& typed_field(const onnx::TensorProto& p) {
  if constexpr (std::is_same_v<T, float>)
    return p.float_data();
  else if constexpr (std::is_same_v<T, double>)
    return p.double_data();
  else if constexpr (std::is_same_v<T, int64_t>)
    return p.int64_data();
  else if constexpr (std::is_same_v<T, uint32_t> || std::is_same_v<T, uint64_t>)
    return p.uint64_data();
  else if constexpr (std::is_same_v<T, std::string>)
    return p.string_data();
  else
    return p.int32_data();  // narrow ints, bool, and float16/bfloat16 bit patterns
}

template <class T>
const char* typed_field_name() {
  if constexpr (std::is_same_v<T, float>)
    return "float_data";
  else if constexpr (std::is_same_v<T, double>)
    return "double_data";
  else if constexpr (std::is_same_v<T, int64_t>)
    return "int64_data";
  else if constexpr (std::is_same_v<T, uint32_t> || std::is_same_v<T, uint64_t>)
    return "uint64_data";
  else if constexpr (std::is_same_v<T, std::string>)
    return "string_data";
  else
    return "int32_data";
}

template <class T>
constexpr bool is_half = std::is_same_v<T, float16_t> || std::is_same_v<T, bfloat16_t>;

// Whether a typed-field value is representable in T (a wider field holds narrow types).
template <class T, class S>
bool fits(S v) {
  if constexpr (is_half<T>)
    return v >= -0x8000 && v <= 0xffff;  // 16 bits, either signedness
  else if constexpr (std::is_same_v<T, bool>)
    return true;  // non-zero is true
  else if constexpr (std::is_integral_v<T> && std::is_integral_v<S>)
    return std::in_range<T>(v);
  else
    return true;
}

template <class T, class S>
T from_field(S v) {
  if constexpr (is_half<T>) {
    T out;
    out.bits = static_cast<uint16_t>(v);
    return out;
  } else if constexpr (std::is_same_v<T, bool>) {
    return v != 0;
  } else {
    return static_cast<T>(v);
  }
}

// The narrow types in int32_data, as ONNX's reference reads them: each value one byte of
// the tensor's storage, so one element of an 8-bit type, or two int4/uint4/float4e2m1 or
// four int2/uint2 elements packed as in raw_data.
Tensor from_int32_bytes(onnx::TensorProto& proto, DType dt, Shape shape, int64_t numel,
                        const std::string& what) {
  const size_t expected = checked_bytes(dt, numel, what);
  const auto& field = proto.int32_data();
  if (static_cast<size_t>(field.size()) != expected)
    fail(what, ": int32_data has ", field.size(), " values, expected ", expected, " (bytes) for ",
         describe(dt, shape));
  Tensor t(dt, std::move(shape));
  uint8_t* out = static_cast<uint8_t*>(t.raw());
  for (size_t i = 0; i < expected; ++i) {
    const int32_t v = field[static_cast<int>(i)];
    if (v < 0 || v > 0xff)
      fail(what, ": int32_data[", i, "] = ", v, " is not a byte of ", dtype_name(dt), " data");
    out[i] = static_cast<uint8_t>(v);
  }
  return t;
}

Tensor from_typed(onnx::TensorProto& proto, DType dt, Shape shape, int64_t numel,
                  const std::string& what) {
  if (dtype_is_narrow(dt)) return from_int32_bytes(proto, dt, std::move(shape), numel, what);
  return dispatch<AllTypes>(dt, what.c_str(), [&](auto tag) -> Tensor {
    using T = typename decltype(tag)::type;
    const auto& field = typed_field<T>(proto);
    if (static_cast<int64_t>(field.size()) != numel)
      fail(what, ": ", typed_field_name<T>(), " has ", field.size(), " values, expected ", numel,
           " for ", describe(dt, shape));
    Tensor t(dt, std::move(shape));
    T* out = t.data<T>();
    for (int64_t i = 0; i < numel; ++i) {
      if constexpr (std::is_same_v<T, std::string>) {
        out[i] = std::move(*proto.mutable_string_data(static_cast<int>(i)));
      } else {
        auto v = field[static_cast<int>(i)];
        if (!fits<T>(v))
          fail(what, ": ", typed_field_name<T>(), "[", i, "] = ", v, " does not fit ",
               dtype_name(dt));
        out[i] = from_field<T>(v);
      }
    }
    return t;
  });
}

// A non-negative decimal integer, as external_data stores offsets and lengths.
std::optional<int64_t> parse_size(const std::string& s) {
  int64_t v = 0;
  const char* end = s.data() + s.size();
  if (s.empty() || s[0] == '-' || s[0] == '+') return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || p != end) return std::nullopt;
  return v;
}

Tensor from_external(onnx::TensorProto& proto, DType dt, Shape shape, int64_t numel,
                     ExternalData& external, const std::string& what) {
  if (dt == DType::String) fail(what, ": string tensors cannot use external data");
  std::optional<std::string> location;
  int64_t offset = 0;
  std::optional<int64_t> length;
  for (const auto& kv : proto.external_data()) {
    if (kv.key() == "location") {
      location = kv.value();
    } else if (kv.key() == "offset" || kv.key() == "length") {
      std::optional<int64_t> v = parse_size(kv.value());
      if (!v)
        fail(what, ": external data ", kv.key(), " '", kv.value(),
             "' is not a non-negative integer");
      if (kv.key() == "offset")
        offset = *v;
      else
        length = v;
    }
  }
  if (!location || location->empty()) fail(what, ": external data has no location");
  size_t expected = checked_bytes(dt, numel, what);
  if (length && static_cast<uint64_t>(*length) != expected)
    fail(what, ": external data length ", *length, " does not match the ", expected, " bytes of ",
         describe(dt, shape));
  const MappedFile& file = external.open(*location, what);
  uint64_t begin = static_cast<uint64_t>(offset);
  if (begin > file.size || expected > file.size - begin)
    fail(what, ": external data range [", begin, ", ", begin + expected, ") is past the end of '",
         *location, "' (", file.size, " bytes)");
  return tensor_from_bytes(file, dt, std::move(shape), file.data + begin, expected);
}

// True when `target` is `base` or lies beneath it (both canonical).
bool is_within(const fs::path& base, const fs::path& target) {
  auto [b, t] = std::mismatch(base.begin(), base.end(), target.begin(), target.end());
  // "dir/" ends in an empty component that a path beneath it does not share.
  return b == base.end() || (b->empty() && std::next(b) == base.end());
}

}  // namespace

const MappedFile& ExternalData::open(const std::string& location, const std::string& what) {
  if (base_dir_.empty())
    fail(what, ": external data '", location,
         "' cannot be resolved: the model was loaded from memory without a base folder");
  if (location.find('\0') != std::string::npos)
    fail(what, ": external data location contains a NUL byte");
  fs::path relative(location);
  if (relative.is_absolute() || relative.has_root_path())
    fail(what, ": external data path '", location,
         "' is absolute; it must be relative to the model's folder");

  // Canonical forms resolve "..", "." and symlinks, so an escape by any route shows.
  std::error_code ec;
  fs::path base = fs::weakly_canonical(fs::absolute(base_dir_, ec), ec);
  if (ec) fail(what, ": cannot resolve the model folder '", base_dir_, "': ", ec.message());
  fs::path target = fs::weakly_canonical(base / relative, ec);
  if (ec) fail(what, ": cannot resolve external data path '", location, "': ", ec.message());
  if (!is_within(base, target))
    fail(what, ": external data path '", location, "' resolves outside the model's folder");
  // A hard link has no path to resolve: the same bytes may have another name anywhere on
  // the file system, so one with several names is refused outright.
  const uintmax_t names = fs::hard_link_count(target, ec);
  if (!ec && names > 1 && fs::is_regular_file(target, ec))
    fail(what, ": external data file '", location, "' is a hard link (", names,
         " names); it may be a file outside the model's folder");

  std::string key = target.string();
  if (auto it = files_.find(key); it != files_.end()) return it->second;

  MappedFile file =
      map_file(key, max_file_bytes_, what + ": ", "external data file '" + location + "'");
  return files_.emplace(key, std::move(file)).first->second;
}

Tensor tensor_from_proto(onnx::TensorProto& proto, ExternalData& external, const std::string& what,
                         const RawDataView* raw) {
  DType dt = checked_dtype(proto.data_type(), what);
  int64_t numel = 0;
  Shape shape = checked_dims(proto.dims(), what, &numel);
  if (proto.has_segment())
    fail_as(ErrorKind::unsupported_model, what, ": segmented tensors are not supported");
  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    return from_external(proto, dt, std::move(shape), numel, external, what);
  if (raw || proto.has_raw_data()) return from_raw(proto, raw, dt, std::move(shape), numel, what);
  return from_typed(proto, dt, std::move(shape), numel, what);
}

SparseTensor sparse_from_proto(onnx::SparseTensorProto& proto, ExternalData& external,
                               const std::string& what) {
  SparseTensor s;
  int64_t numel = 0;
  s.dims = checked_dims(proto.dims(), what, &numel);
  if (!proto.has_values()) fail(what, ": sparse tensor has no values");
  if (!proto.has_indices()) fail(what, ": sparse tensor has no indices");
  s.values = tensor_from_proto(*proto.mutable_values(), external, what + " (values)");
  s.indices = tensor_from_proto(*proto.mutable_indices(), external, what + " (indices)");
  if (s.values.rank() != 1) fail(what, ": sparse values must be 1-D, got ", s.values.describe());
  if (s.indices.dtype() != DType::Int64)
    fail(what, ": sparse indices must be int64, got ", dtype_name(s.indices.dtype()));

  const int64_t nnz = s.values.numel();
  const int64_t rank = static_cast<int64_t>(s.dims.size());
  const Shape& ishape = s.indices.shape();
  bool linear = ishape.size() == 1 && ishape[0] == nnz;
  bool coords = ishape.size() == 2 && ishape[0] == nnz && ishape[1] == rank;
  if (!linear && !coords)
    fail(what, ": sparse indices have shape ", shape_to_string(ishape), ", expected [", nnz,
         "] or [", nnz, ", ", rank, "]");

  // Linear positions, checked in bounds and strictly increasing (no duplicates).
  const int64_t* idx = s.indices.data<int64_t>();
  std::vector<int64_t> pos(static_cast<size_t>(nnz));
  for (int64_t k = 0; k < nnz; ++k) {
    int64_t p = 0;
    if (linear) {
      p = idx[k];
      if (p < 0 || p >= numel)
        fail(what, ": sparse index ", p, " is out of range for ", shape_to_string(s.dims));
    } else {
      for (int64_t d = 0; d < rank; ++d) {
        int64_t c = idx[k * rank + d];
        if (c < 0 || c >= s.dims[static_cast<size_t>(d)])
          fail(what, ": sparse index ", c, " (entry ", k, ", axis ", d, ") is out of range for ",
               shape_to_string(s.dims));
        p = p * s.dims[static_cast<size_t>(d)] + c;
      }
    }
    if (k > 0 && p <= pos[static_cast<size_t>(k - 1)])
      fail(what, ": sparse indices must be strictly increasing (entry ", k, ")");
    pos[static_cast<size_t>(k)] = p;
  }

  DType dt = s.values.dtype();
  size_t dense_bytes = checked_bytes(dt, numel, what);
  if (dense_bytes > static_cast<size_t>(external.max_bytes()))
    fail_as(ErrorKind::limit_exceeded, what, ": dense form of ", describe(dt, s.dims),
            " exceeds the limit of ", external.max_bytes(), " bytes");
  s.dense = Tensor(dt, s.dims);
  dispatch<AllTypes>(dt, what.c_str(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* in = s.values.data<T>();
    T* out = s.dense.data<T>();
    for (int64_t k = 0; k < nnz; ++k) out[pos[static_cast<size_t>(k)]] = in[k];
  });
  return s;
}

void tensor_to_proto(const Tensor& tensor, const std::string& name, onnx::TensorProto* proto) {
  if (!tensor.defined()) fail("cannot serialize tensor '", name, "': it is undefined");
  if (!dtype_in(AllTypes{}, tensor.dtype()) && !dtype_is_narrow(tensor.dtype()))
    fail("cannot serialize tensor '", name, "' of dtype ", dtype_name(tensor.dtype()));
  if (!name.empty()) proto->set_name(name);
  for (int64_t d : tensor.shape()) proto->add_dims(d);
  proto->set_data_type(static_cast<int32_t>(tensor.dtype()));
  if (tensor.dtype() == DType::String) {
    const std::string* s = tensor.data<std::string>();
    for (int64_t i = 0; i < tensor.numel(); ++i) proto->add_string_data(s[i]);
  } else {
    proto->set_raw_data(static_cast<const char*>(tensor.raw()), tensor.nbytes());
  }
}

void dense_to_sparse_proto(const Tensor& dense, const std::string& name,
                           onnx::SparseTensorProto* proto) {
  if (!dense.defined()) fail("cannot serialize sparse tensor '", name, "': it is undefined");
  dispatch<AllTypes>(dense.dtype(), "sparse tensor", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* d = dense.data<T>();
    // Bitwise zero, so -0.0 survives as a stored value.
    auto is_zero = [](const T& v) {
      if constexpr (std::is_same_v<T, std::string>) {
        return v.empty();
      } else {
        T zero{};
        return std::memcmp(&v, &zero, sizeof(T)) == 0;
      }
    };
    std::vector<int64_t> idx;
    std::vector<T> vals;
    for (int64_t i = 0; i < dense.numel(); ++i) {
      if (is_zero(d[i])) continue;
      idx.push_back(i);
      vals.push_back(d[i]);
    }
    int64_t nnz = static_cast<int64_t>(idx.size());
    tensor_to_proto(Tensor::from_vector<T>({nnz}, vals), name, proto->mutable_values());
    tensor_to_proto(Tensor::from_vector<int64_t>({nnz}, idx), "", proto->mutable_indices());
  });
  for (int64_t d : dense.shape()) proto->add_dims(d);
}

}  // namespace onyx::detail
