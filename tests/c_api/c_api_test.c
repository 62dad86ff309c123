/* The C API from a C program: sessions from a path and from memory, the inputs and
 * outputs described, runs into Onyx-owned and caller-owned buffers, string tensors,
 * and errors of each kind the caller can cause. Expected values are worked out here.
 *
 *   c_api_test RELU_MODEL STRNORM_MODEL
 * RELU_MODEL is the ONNX backend test test_relu (y = max(x, 0), float[3, 4, 5]);
 * STRNORM_MODEL is test_strnormalizer_export_monday_casesensintive_lower (string[4]:
 * drops "monday", lowercases the rest). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onyx/onyx_c.h"

static int failures = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

/* The call succeeded; otherwise prints its message and counts a failure. */
static int ok(OnyxStatus* s, const char* what) {
  if (!s) return 1;
  fprintf(stderr, "%s failed: %s\n", what, onyx_status_message(s));
  onyx_status_free(s);
  ++failures;
  return 0;
}

/* The call failed with `kind` and a message containing `part`. */
static void fails_with(OnyxStatus* s, OnyxErrorKind kind, const char* part, const char* what) {
  if (!s) {
    fprintf(stderr, "%s: expected an error, got none\n", what);
    ++failures;
    return;
  }
  if (onyx_status_kind(s) != kind || !strstr(onyx_status_message(s), part)) {
    fprintf(stderr, "%s: expected kind %d mentioning '%s', got kind %d: %s\n", what, (int)kind,
            part, (int)onyx_status_kind(s), onyx_status_message(s));
    ++failures;
  }
  onyx_status_free(s);
}

static char* read_file(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* data = malloc((size_t)n);
  *size = fread(data, 1, (size_t)n, f);
  fclose(f);
  return data;
}

static void relu(const char* path) {
  OnyxSessionOptions* options = NULL;
  if (!ok(onyx_session_options_create(&options), "options")) return;
  ok(onyx_session_options_set_threads(options, 1), "threads");
  ok(onyx_session_options_set_optimization(options, 2), "optimization");
  fails_with(onyx_session_options_set_optimization(options, 7), ONYX_ERROR_INVALID_ARGUMENT, "7",
             "level 7");

  OnyxSession* session = NULL;
  if (!ok(onyx_session_create(path, options, &session), "session")) return;
  onyx_session_options_free(options);

  CHECK(onyx_session_input_count(session) == 1);
  CHECK(onyx_session_output_count(session) == 1);
  OnyxValueInfo info;
  if (ok(onyx_session_input_info(session, 0, &info), "input info")) {
    CHECK(strcmp(info.name, "x") == 0);
    CHECK(info.is_tensor && info.elem_type == ONYX_FLOAT && info.rank == 3);
    CHECK(info.dims[0] == 3 && info.dims[1] == 4 && info.dims[2] == 5 && info.dim_names[0] == NULL);
  }
  fails_with(onyx_session_output_info(session, 1, &info), ONYX_ERROR_INVALID_ARGUMENT,
             "past the last", "output 1");

  /* x[i] = i - 30: the first half negative. Into a buffer Onyx makes. */
  const int64_t dims[3] = {3, 4, 5};
  float x[60];
  for (int i = 0; i < 60; ++i) x[i] = (float)(i - 30) / 4.0f;
  OnyxTensor* input = NULL;
  ok(onyx_tensor_create_view(ONYX_FLOAT, dims, 3, x, sizeof x, &input), "input view");
  const char* input_names[1] = {"x"};
  const OnyxTensor* inputs[1] = {input};
  OnyxTensor* outputs[1] = {NULL};
  if (ok(onyx_session_run(session, input_names, inputs, 1, NULL, outputs, 1), "run")) {
    CHECK(onyx_tensor_elem_type(outputs[0]) == ONYX_FLOAT && onyx_tensor_rank(outputs[0]) == 3);
    CHECK(onyx_tensor_element_count(outputs[0]) == 60 &&
          onyx_tensor_byte_size(outputs[0]) == sizeof x);
    const float* y = onyx_tensor_data(outputs[0]);
    for (int i = 0; i < 60; ++i) CHECK(y[i] == (x[i] > 0 ? x[i] : 0.0f));
    onyx_tensor_free(outputs[0]);
  }

  /* Into the caller's own buffer, by output name. */
  float y[60];
  memset(y, 0xff, sizeof y);
  OnyxTensor* into = NULL;
  ok(onyx_tensor_create_view(ONYX_FLOAT, dims, 3, y, sizeof y, &into), "output view");
  const char* output_names[1] = {"y"};
  outputs[0] = into;
  if (ok(onyx_session_run(session, input_names, inputs, 1, output_names, outputs, 1), "run into"))
    for (int i = 0; i < 60; ++i) CHECK(y[i] == (x[i] > 0 ? x[i] : 0.0f));
  CHECK(outputs[0] == into);

  /* A caller's buffer of the wrong shape is refused, and so are wrong inputs. */
  const int64_t small[1] = {60};
  OnyxTensor* flat = NULL;
  ok(onyx_tensor_create_view(ONYX_FLOAT, small, 1, y, sizeof y, &flat), "flat view");
  outputs[0] = flat;
  fails_with(onyx_session_run(session, input_names, inputs, 1, output_names, outputs, 1),
             ONYX_ERROR_INVALID_INPUT, "output 'y'", "wrong output shape");
  onyx_tensor_free(flat);
  const OnyxTensor* flat_inputs[1] = {NULL};
  ok(onyx_tensor_create_view(ONYX_FLOAT, small, 1, x, sizeof x, &flat), "flat input");
  flat_inputs[0] = flat;
  outputs[0] = NULL;
  fails_with(onyx_session_run(session, input_names, flat_inputs, 1, NULL, outputs, 1),
             ONYX_ERROR_INVALID_INPUT, "'x'", "wrong input shape");
  CHECK(outputs[0] == NULL);
  onyx_tensor_free(flat);
  fails_with(onyx_tensor_create_view(ONYX_FLOAT, dims, 3, x, 16, &flat),
             ONYX_ERROR_INVALID_ARGUMENT, "16 bytes", "short buffer");
  const int64_t negative[1] = {-2};
  fails_with(onyx_tensor_create(ONYX_FLOAT, negative, 1, &flat), ONYX_ERROR_INVALID_ARGUMENT,
             "negative", "negative dim");
  fails_with(onyx_session_run(session, input_names, inputs, 1, NULL, outputs, 2),
             ONYX_ERROR_INVALID_ARGUMENT, "output_count", "output count");

  onyx_tensor_free(into);
  onyx_tensor_free(input);
  onyx_session_free(session);
}

static void strings(const char* path) {
  size_t size = 0;
  char* bytes = read_file(path, &size);
  CHECK(bytes != NULL);
  if (!bytes) return;
  OnyxSession* session = NULL;
  OnyxStatus* s = onyx_session_create_from_memory(bytes, size, NULL, &session);
  free(bytes); /* the session keeps nothing of it */
  if (!ok(s, "session from memory")) return;

  const char* words[4] = {"monday", "tuesday", "wednesday", "thursday"};
  const int64_t dims[1] = {4};
  OnyxTensor* input = NULL;
  ok(onyx_tensor_create(ONYX_STRING, dims, 1, &input), "string tensor");
  CHECK(onyx_tensor_data(input) == NULL);
  for (int i = 0; i < 4; ++i)
    ok(onyx_tensor_set_string(input, i, words[i], strlen(words[i])), "set");
  fails_with(onyx_tensor_set_string(input, 4, "x", 1), ONYX_ERROR_INVALID_ARGUMENT, "outside",
             "index 4");

  OnyxValueInfo info;
  ok(onyx_session_input_info(session, 0, &info), "info");
  const char* input_names[1] = {info.name};
  const OnyxTensor* inputs[1] = {input};
  OnyxTensor* outputs[1] = {NULL};
  if (ok(onyx_session_run(session, input_names, inputs, 1, NULL, outputs, 1), "run strings")) {
    /* "monday" is a stop word; case-sensitive, so the rest stay, lowercased. */
    const char* want[3] = {"tuesday", "wednesday", "thursday"};
    CHECK(onyx_tensor_element_count(outputs[0]) == 3);
    for (int i = 0; i < 3 && i < onyx_tensor_element_count(outputs[0]); ++i) {
      const char* got = NULL;
      size_t length = 0;
      ok(onyx_tensor_get_string(outputs[0], i, &got, &length), "get");
      CHECK(got && length == strlen(want[i]) && memcmp(got, want[i], length) == 0);
    }
    onyx_tensor_free(outputs[0]);
  }
  onyx_tensor_free(input);
  onyx_session_free(session);
}

static void errors(void) {
  OnyxSession* session = NULL;
  fails_with(onyx_session_create("/nonexistent/model.onnx", NULL, &session), ONYX_ERROR_IO,
             "model.onnx", "missing file");
  CHECK(session == NULL);
  const char garbage[6] = {0x0a, (char)0xff, (char)0xff, (char)0xff, (char)0xff, 0x0f};
  fails_with(onyx_session_create_from_memory(garbage, sizeof garbage, NULL, &session),
             ONYX_ERROR_INVALID_MODEL, "invalid model", "garbage");
  fails_with(onyx_session_create(NULL, NULL, &session), ONYX_ERROR_INVALID_ARGUMENT, "path",
             "NULL path");
  CHECK(strlen(onyx_version()) >= 5);
  onyx_status_free(NULL);
  onyx_session_free(NULL);
  onyx_tensor_free(NULL);
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: c_api_test RELU_MODEL STRNORM_MODEL\n");
    return 2;
  }
  relu(argv[1]);
  strings(argv[2]);
  errors();
  if (failures) {
    fprintf(stderr, "c_api_test: %d failure(s)\n", failures);
    return 1;
  }
  printf("c_api_test: passed\n");
  return 0;
}
