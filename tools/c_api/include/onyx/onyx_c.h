/* Onyx's C API: plain C, for C programs and for bindings from other languages
 * (ctypes, JNI, P/Invoke).
 *
 *   OnyxSession* session = NULL;
 *   OnyxStatus* status = onyx_session_create("model.onnx", NULL, &session);
 *   if (status) { fprintf(stderr, "%s\n", onyx_status_message(status)); onyx_status_free(status); }
 *
 * Handles are opaque. No C++ exception crosses this boundary: a call that can fail
 * returns NULL on success or an OnyxStatus that says what went wrong (a kind and
 * Onyx's message), which the caller frees with onyx_status_free. Whatever a create
 * call makes, the caller frees with the matching free call; free calls accept NULL.
 * A session may be run from several threads at once.
 */
#ifndef ONYX_C_H
#define ONYX_C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct OnyxStatus OnyxStatus;
typedef struct OnyxSessionOptions OnyxSessionOptions;
typedef struct OnyxSession OnyxSession;
typedef struct OnyxTensor OnyxTensor;

/* ---- errors ---- */

typedef enum OnyxErrorKind {
  /* This API used wrongly: a NULL pointer, an index out of range. */
  ONYX_ERROR_INVALID_ARGUMENT = 1,
  ONYX_ERROR_INVALID_MODEL = 2, /* the file or graph breaks the ONNX spec */
  ONYX_ERROR_UNSUPPORTED_OPERATOR = 3,
  ONYX_ERROR_UNSUPPORTED_MODEL = 4,
  ONYX_ERROR_INVALID_INPUT = 5,  /* the inputs, or the values they make flow */
  ONYX_ERROR_LIMIT_EXCEEDED = 6, /* a size, depth or memory limit */
  ONYX_ERROR_IO = 7,             /* a file that cannot be opened or read */
  ONYX_ERROR_INTERNAL = 8
} OnyxErrorKind;

OnyxErrorKind onyx_status_kind(const OnyxStatus* status);
/* The whole message, starting with the kind ("invalid input: ..."). Valid until the status is
 * freed. */
const char* onyx_status_message(const OnyxStatus* status);
void onyx_status_free(OnyxStatus* status);

/* ---- element types: ONNX's TensorProto codes ---- */

typedef enum OnyxElementType {
  ONYX_FLOAT = 1,
  ONYX_UINT8 = 2,
  ONYX_INT8 = 3,
  ONYX_UINT16 = 4,
  ONYX_INT16 = 5,
  ONYX_INT32 = 6,
  ONYX_INT64 = 7,
  ONYX_STRING = 8,
  ONYX_BOOL = 9,
  ONYX_FLOAT16 = 10,
  ONYX_DOUBLE = 11,
  ONYX_UINT32 = 12,
  ONYX_UINT64 = 13,
  ONYX_BFLOAT16 = 16
} OnyxElementType;

/* ---- session options ---- */

OnyxStatus* onyx_session_options_create(OnyxSessionOptions** out);
void onyx_session_options_free(OnyxSessionOptions* options);
/* Threads one run uses; 0 (the default) is one per core. */
OnyxStatus* onyx_session_options_set_threads(OnyxSessionOptions* options, int threads);
/* How far the graph is rewritten: 0 none, 1 basic, 2 all (the default). */
OnyxStatus* onyx_session_options_set_optimization(OnyxSessionOptions* options, int level);
/* Non-zero: run the plain reference kernels only. */
OnyxStatus* onyx_session_options_set_reference_kernels(OnyxSessionOptions* options, int on);
/* The largest tensor a run may make, in bytes; 0 (the default) is the machine's memory. */
OnyxStatus* onyx_session_options_set_max_tensor_bytes(OnyxSessionOptions* options, int64_t bytes);

/* ---- sessions ---- */

/* options may be NULL (the defaults). External data is read relative to the model's folder. */
OnyxStatus* onyx_session_create(const char* path, const OnyxSessionOptions* options,
                                OnyxSession** out);
/* A model in memory; it may be freed once this returns. External data is refused. */
OnyxStatus* onyx_session_create_from_memory(const void* data, size_t size,
                                            const OnyxSessionOptions* options, OnyxSession** out);
void onyx_session_free(OnyxSession* session);

size_t onyx_session_input_count(const OnyxSession* session);
size_t onyx_session_output_count(const OnyxSession* session);

/* An input or output as declared (inputs) or inferred (outputs). Its pointers stay
 * valid as long as the session. */
typedef struct OnyxValueInfo {
  const char* name;
  int is_tensor;                /* 0 for a sequence, optional or map */
  int32_t elem_type;            /* an OnyxElementType code (0 when not a tensor) */
  int64_t rank;                 /* -1 when unknown */
  const int64_t* dims;          /* rank entries; -1 for a dim not known */
  const char* const* dim_names; /* rank entries: the symbolic name of a dim, or NULL */
} OnyxValueInfo;

OnyxStatus* onyx_session_input_info(const OnyxSession* session, size_t index, OnyxValueInfo* out);
OnyxStatus* onyx_session_output_info(const OnyxSession* session, size_t index, OnyxValueInfo* out);

/* ---- tensors ---- */

/* A tensor whose zero-filled buffer Onyx owns; fill it through onyx_tensor_data. */
OnyxStatus* onyx_tensor_create(int32_t elem_type, const int64_t* dims, size_t rank,
                               OnyxTensor** out);
/* A tensor over the caller's buffer of data_bytes bytes, which must hold the tensor
 * exactly and outlive it. Not for strings. */
OnyxStatus* onyx_tensor_create_view(int32_t elem_type, const int64_t* dims, size_t rank, void* data,
                                    size_t data_bytes, OnyxTensor** out);
void onyx_tensor_free(OnyxTensor* tensor);

int32_t onyx_tensor_elem_type(const OnyxTensor* tensor);
size_t onyx_tensor_rank(const OnyxTensor* tensor);
const int64_t* onyx_tensor_dims(const OnyxTensor* tensor);
int64_t onyx_tensor_element_count(const OnyxTensor* tensor);
size_t onyx_tensor_byte_size(const OnyxTensor* tensor); /* 0 for strings */
void* onyx_tensor_data(OnyxTensor* tensor);             /* NULL for strings */
/* String tensors: element `index` (row-major), as bytes (UTF-8 by convention). The
 * pointer from get stays valid until the element is set again or the tensor is freed. */
OnyxStatus* onyx_tensor_set_string(OnyxTensor* tensor, int64_t index, const char* bytes,
                                   size_t length);
OnyxStatus* onyx_tensor_get_string(const OnyxTensor* tensor, int64_t index, const char** bytes,
                                   size_t* length);

/* ---- running ---- */

/* Runs the model on input_count named inputs. output_names lists the outputs wanted
 * (output_count of them); NULL asks for every output, and then output_count must be
 * onyx_session_output_count. For each outputs[i]:
 *   NULL on entry: Onyx makes the tensor, and the caller frees it;
 *   a tensor on entry (one the caller made, over its own buffer say): the result is
 *   copied into it, and must have its element type and shape.
 * On failure, the outputs Onyx made are freed and set back to NULL. */
OnyxStatus* onyx_session_run(const OnyxSession* session, const char* const* input_names,
                             const OnyxTensor* const* inputs, size_t input_count,
                             const char* const* output_names, OnyxTensor** outputs,
                             size_t output_count);

/* "0.1.0" */
const char* onyx_version(void);

#ifdef __cplusplus
}
#endif

#endif /* ONYX_C_H */
