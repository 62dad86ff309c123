// The C API (onyx_c.h) over the C++ one: each entry point runs its body inside
// `guarded`, which turns every exception into an OnyxStatus, so none crosses into C.
#include "onyx/onyx_c.h"

#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "onyx/onyx.h"

struct OnyxStatus {
  OnyxErrorKind kind;
  std::string message;
};

struct OnyxSessionOptions {
  onyx::SessionOptions options;
};

struct OnyxTensor {
  onyx::Tensor tensor;
  std::vector<int64_t> dims;  // the shape as C reads it
  explicit OnyxTensor(onyx::Tensor t)
      : tensor(std::move(t)), dims(tensor.shape().begin(), tensor.shape().end()) {}
};

namespace {

// Storage behind an OnyxValueInfo's pointers.
struct ValueInfoStorage {
  std::string name;
  std::vector<int64_t> dims;
  std::vector<std::string> dim_names;
  std::vector<const char*> dim_name_ptrs;
  OnyxValueInfo info{};

  explicit ValueInfoStorage(const onyx::IOInfo& io) : name(io.name) {
    const onyx::TypeInfo& t = io.type;
    info.is_tensor = t.is_tensor() ? 1 : 0;
    info.elem_type = t.is_tensor() ? static_cast<int32_t>(t.elem) : 0;
    info.rank = t.is_tensor() && t.shape ? static_cast<int64_t>(t.shape->size()) : -1;
    if (info.rank > 0) {
      for (const onyx::Dim& d : *t.shape) {
        dims.push_back(d.is_known() ? d.value : -1);
        dim_names.push_back(d.param);
      }
      for (const std::string& n : dim_names)
        dim_name_ptrs.push_back(n.empty() ? nullptr : n.c_str());
    }
    info.name = name.c_str();
    info.dims = dims.data();
    info.dim_names = dim_name_ptrs.data();
  }
};

}  // namespace

struct OnyxSession {
  onyx::Session session;
  std::vector<std::unique_ptr<ValueInfoStorage>> inputs, outputs;

  explicit OnyxSession(onyx::Session s) : session(std::move(s)) {
    for (const onyx::IOInfo& io : session.inputs())
      inputs.push_back(std::make_unique<ValueInfoStorage>(io));
    for (const onyx::IOInfo& io : session.outputs())
      outputs.push_back(std::make_unique<ValueInfoStorage>(io));
  }
};

namespace {

// A mistake in using the API itself (a NULL pointer, an index past the end).
struct ArgumentError {
  std::string message;
};

OnyxStatus* status(OnyxErrorKind kind, std::string message) {
  return new (std::nothrow) OnyxStatus{kind, std::move(message)};
}

OnyxErrorKind c_kind(onyx::ErrorKind kind) {
  switch (kind) {
    case onyx::ErrorKind::invalid_model:
      return ONYX_ERROR_INVALID_MODEL;
    case onyx::ErrorKind::unsupported_operator:
      return ONYX_ERROR_UNSUPPORTED_OPERATOR;
    case onyx::ErrorKind::unsupported_model:
      return ONYX_ERROR_UNSUPPORTED_MODEL;
    case onyx::ErrorKind::invalid_input:
      return ONYX_ERROR_INVALID_INPUT;
    case onyx::ErrorKind::limit_exceeded:
      return ONYX_ERROR_LIMIT_EXCEEDED;
    case onyx::ErrorKind::io_error:
      return ONYX_ERROR_IO;
    case onyx::ErrorKind::internal_error:
    case onyx::ErrorKind::unclassified:
      break;
  }
  return ONYX_ERROR_INTERNAL;
}

template <typename Body>
OnyxStatus* guarded(Body&& body) noexcept {
  try {
    body();
    return nullptr;
  } catch (const ArgumentError& e) {
    return status(ONYX_ERROR_INVALID_ARGUMENT, "invalid argument: " + e.message);
  } catch (const onyx::Error& e) {
    return status(c_kind(e.kind()), e.kind() == onyx::ErrorKind::unclassified
                                        ? std::string("internal error: ") + e.what()
                                        : std::string(e.what()));
  } catch (const std::bad_alloc&) {
    return status(ONYX_ERROR_LIMIT_EXCEEDED, "limit exceeded: out of memory");
  } catch (const std::exception& e) {
    return status(ONYX_ERROR_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return status(ONYX_ERROR_INTERNAL, "internal error: unknown exception");
  }
}

template <typename T>
T& deref(T* p, const char* what) {
  if (!p) throw ArgumentError{std::string(what) + " is NULL"};
  return *p;
}

// A C string argument, which must not be NULL.
std::string text(const char* s, const char* what) {
  if (!s) throw ArgumentError{std::string(what) + " is NULL"};
  return s;
}

onyx::SessionOptions options_or_default(const OnyxSessionOptions* o) {
  return o ? o->options : onyx::SessionOptions{};
}

// The shape of a tensor made from C: every dim >= 0, the element count within int64.
onyx::Shape shape_from(const int64_t* dims, size_t rank) {
  if (rank > 0 && !dims)
    throw ArgumentError{"dims is NULL for a tensor of rank " + std::to_string(rank)};
  onyx::Shape shape(dims, dims + rank);
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0) throw ArgumentError{"dim " + std::to_string(d) + " is negative"};
    if (d > 0 && count > std::numeric_limits<int64_t>::max() / d)
      throw ArgumentError{"the element count overflows int64"};
    count *= d;
  }
  return shape;
}

onyx::DType dtype_from(int32_t elem_type) {
  const onyx::DType t = static_cast<onyx::DType>(elem_type);
  if (elem_type <= 0 || !onyx::dtype_info(t).supported || onyx::dtype_is_packed(t))
    throw ArgumentError{"element type " + std::to_string(elem_type) + " is not one this API takes"};
  return t;
}

void copy_into(const onyx::Tensor& result, OnyxTensor& out, const std::string& name) {
  if (result.dtype() != out.tensor.dtype() || result.shape() != out.tensor.shape())
    throw onyx::Error(onyx::ErrorKind::invalid_input,
                      "output '" + name + "' is " + result.describe() +
                          ", but the tensor given for it is " + out.tensor.describe());
  if (result.dtype() == onyx::DType::String) {
    for (int64_t i = 0; i < result.numel(); ++i)
      out.tensor.data<std::string>()[i] = result.data<std::string>()[i];
  } else if (result.nbytes() > 0) {
    std::memcpy(out.tensor.raw(), result.raw(), result.nbytes());
  }
}

OnyxStatus* value_info(const std::vector<std::unique_ptr<ValueInfoStorage>>* list, size_t index,
                       OnyxValueInfo* out, const char* what) {
  return guarded([&] {
    if (!list) throw ArgumentError{"session is NULL"};
    if (index >= list->size())
      throw ArgumentError{std::string(what) + " index " + std::to_string(index) +
                          " is past the last (" + std::to_string(list->size()) + " " + what + "s)"};
    deref(out, "out") = (*list)[index]->info;
  });
}

// Element `index` of a string tensor, checked.
std::string& string_at(const OnyxTensor* t, int64_t index) {
  const OnyxTensor& tensor = deref(t, "tensor");
  if (tensor.tensor.dtype() != onyx::DType::String)
    throw ArgumentError{std::string("the tensor holds ") + onyx::dtype_name(tensor.tensor.dtype()) +
                        ", not strings"};
  if (index < 0 || index >= tensor.tensor.numel())
    throw ArgumentError{"string index " + std::to_string(index) + " is outside [0, " +
                        std::to_string(tensor.tensor.numel()) + ")"};
  return const_cast<std::string*>(tensor.tensor.data<std::string>())[index];
}

}  // namespace

extern "C" {

OnyxErrorKind onyx_status_kind(const OnyxStatus* s) {
  return s ? s->kind : ONYX_ERROR_INVALID_ARGUMENT;
}
const char* onyx_status_message(const OnyxStatus* s) { return s ? s->message.c_str() : ""; }
void onyx_status_free(OnyxStatus* s) { delete s; }

OnyxStatus* onyx_session_options_create(OnyxSessionOptions** out) {
  return guarded([&] { deref(out, "out") = new OnyxSessionOptions{}; });
}
void onyx_session_options_free(OnyxSessionOptions* o) { delete o; }

OnyxStatus* onyx_session_options_set_threads(OnyxSessionOptions* o, int threads) {
  return guarded([&] {
    if (threads < 0) throw ArgumentError{"threads must be >= 0, not " + std::to_string(threads)};
    deref(o, "options").options.threads = threads;
  });
}

OnyxStatus* onyx_session_options_set_optimization(OnyxSessionOptions* o, int level) {
  return guarded([&] {
    if (level < 0 || level > 2)
      throw ArgumentError{"optimization level " + std::to_string(level) + " is not 0, 1 or 2"};
    deref(o, "options").options.optimization = static_cast<onyx::OptimizationLevel>(level);
  });
}

OnyxStatus* onyx_session_options_set_reference_kernels(OnyxSessionOptions* o, int on) {
  return guarded([&] { deref(o, "options").options.reference_kernels = on != 0; });
}

OnyxStatus* onyx_session_options_set_max_tensor_bytes(OnyxSessionOptions* o, int64_t bytes) {
  return guarded([&] {
    if (bytes < 0) throw ArgumentError{"max_tensor_bytes must be >= 0"};
    deref(o, "options").options.limits.max_tensor_bytes = bytes;
  });
}

OnyxStatus* onyx_session_create(const char* path, const OnyxSessionOptions* options,
                                OnyxSession** out) {
  return guarded([&] {
    OnyxSession*& result = deref(out, "out");
    result = nullptr;
    result = new OnyxSession(
        onyx::Session(onyx::builtin_registry(), text(path, "path"), options_or_default(options)));
  });
}

OnyxStatus* onyx_session_create_from_memory(const void* data, size_t size,
                                            const OnyxSessionOptions* options, OnyxSession** out) {
  return guarded([&] {
    OnyxSession*& result = deref(out, "out");
    result = nullptr;
    if (!data && size > 0) throw ArgumentError{"data is NULL"};
    const std::string_view bytes(static_cast<const char*>(data), size);
    result = new OnyxSession(
        onyx::Session::from_bytes(onyx::builtin_registry(), bytes, options_or_default(options)));
  });
}

void onyx_session_free(OnyxSession* s) { delete s; }

size_t onyx_session_input_count(const OnyxSession* s) { return s ? s->inputs.size() : 0; }
size_t onyx_session_output_count(const OnyxSession* s) { return s ? s->outputs.size() : 0; }

OnyxStatus* onyx_session_input_info(const OnyxSession* s, size_t index, OnyxValueInfo* out) {
  return value_info(s ? &s->inputs : nullptr, index, out, "input");
}
OnyxStatus* onyx_session_output_info(const OnyxSession* s, size_t index, OnyxValueInfo* out) {
  return value_info(s ? &s->outputs : nullptr, index, out, "output");
}

OnyxStatus* onyx_tensor_create(int32_t elem_type, const int64_t* dims, size_t rank,
                               OnyxTensor** out) {
  return guarded([&] {
    OnyxTensor*& result = deref(out, "out");
    result = nullptr;
    result = new OnyxTensor(onyx::Tensor(dtype_from(elem_type), shape_from(dims, rank)));
  });
}

OnyxStatus* onyx_tensor_create_view(int32_t elem_type, const int64_t* dims, size_t rank, void* data,
                                    size_t data_bytes, OnyxTensor** out) {
  return guarded([&] {
    OnyxTensor*& result = deref(out, "out");
    result = nullptr;
    const onyx::DType t = dtype_from(elem_type);
    if (t == onyx::DType::String)
      throw ArgumentError{"a string tensor cannot view a caller's buffer"};
    onyx::Shape shape = shape_from(dims, rank);
    int64_t count = 1;
    for (int64_t d : shape) count *= d;
    const size_t element_bytes = static_cast<size_t>(onyx::dtype_info(t).bits / 8);
    if (static_cast<uint64_t>(count) > std::numeric_limits<size_t>::max() / element_bytes ||
        static_cast<size_t>(count) * element_bytes != data_bytes)
      throw ArgumentError{"the buffer holds " + std::to_string(data_bytes) + " bytes, but " +
                          std::to_string(count) + " elements of " + onyx::dtype_name(t) + " need " +
                          std::to_string(static_cast<uint64_t>(count) * element_bytes)};
    if (!data && data_bytes > 0) throw ArgumentError{"data is NULL"};
    result = new OnyxTensor(onyx::Tensor::borrow(t, std::move(shape), data));
  });
}

void onyx_tensor_free(OnyxTensor* t) { delete t; }

int32_t onyx_tensor_elem_type(const OnyxTensor* t) {
  return t ? static_cast<int32_t>(t->tensor.dtype()) : 0;
}
size_t onyx_tensor_rank(const OnyxTensor* t) { return t ? t->dims.size() : 0; }
const int64_t* onyx_tensor_dims(const OnyxTensor* t) { return t ? t->dims.data() : nullptr; }
int64_t onyx_tensor_element_count(const OnyxTensor* t) { return t ? t->tensor.numel() : 0; }
size_t onyx_tensor_byte_size(const OnyxTensor* t) {
  return t && t->tensor.dtype() != onyx::DType::String ? t->tensor.nbytes() : 0;
}
void* onyx_tensor_data(OnyxTensor* t) {
  return t && t->tensor.dtype() != onyx::DType::String ? t->tensor.raw() : nullptr;
}

OnyxStatus* onyx_tensor_set_string(OnyxTensor* t, int64_t index, const char* bytes, size_t length) {
  return guarded([&] {
    if (!bytes && length > 0) throw ArgumentError{"bytes is NULL"};
    string_at(t, index).assign(bytes ? bytes : "", length);
  });
}

OnyxStatus* onyx_tensor_get_string(const OnyxTensor* t, int64_t index, const char** bytes,
                                   size_t* length) {
  return guarded([&] {
    const std::string& s = string_at(t, index);
    deref(bytes, "bytes") = s.data();
    deref(length, "length") = s.size();
  });
}

OnyxStatus* onyx_session_run(const OnyxSession* s, const char* const* input_names,
                             const OnyxTensor* const* inputs, size_t input_count,
                             const char* const* output_names, OnyxTensor** outputs,
                             size_t output_count) {
  std::vector<bool> made(output_count, false);  // outputs this call creates
  OnyxStatus* result = guarded([&] {
    const OnyxSession& session = deref(s, "session");
    if (input_count > 0 && (!input_names || !inputs))
      throw ArgumentError{"input_names or inputs is NULL"};
    if (output_count > 0 && !outputs) throw ArgumentError{"outputs is NULL"};
    std::map<std::string, onyx::Tensor> feeds;
    for (size_t i = 0; i < input_count; ++i) {
      const std::string name = text(input_names[i], "an input name");
      if (!feeds.emplace(name, deref(inputs[i], "an input tensor").tensor).second)
        throw ArgumentError{"input '" + name + "' is given twice"};
    }
    std::vector<std::string> names;
    if (output_names) {
      for (size_t i = 0; i < output_count; ++i)
        names.push_back(text(output_names[i], "an output name"));
    } else if (output_count != session.outputs.size()) {
      throw ArgumentError{"output_count is " + std::to_string(output_count) +
                          ", but the model has " + std::to_string(session.outputs.size()) +
                          " outputs"};
    }
    const std::vector<onyx::Tensor> results = session.session.run(feeds, names);
    for (size_t i = 0; i < output_count; ++i) {
      const std::string& name = names.empty() ? session.outputs[i]->name : names[i];
      if (outputs[i]) {
        copy_into(results[i], *outputs[i], name);
      } else {
        outputs[i] = new OnyxTensor(results[i]);  // never aliasing an input or a weight
        made[i] = true;
      }
    }
  });
  if (result)
    for (size_t i = 0; i < output_count; ++i)
      if (made[i]) {
        delete outputs[i];
        outputs[i] = nullptr;
      }
  return result;
}

const char* onyx_version(void) { return ONYX_VERSION; }

}  // extern "C"
