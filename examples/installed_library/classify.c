/* classify.cc through the C API: the same ramp image, the same printout. */
#include <onyx/onyx_c.h>
#include <stdio.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: classify_c MODEL\n");
    return 2;
  }
  OnyxSession* session = NULL;
  OnyxStatus* status = onyx_session_create(argv[1], NULL, &session);
  static float pixels[3 * 32 * 32];
  const int64_t dims[4] = {1, 3, 32, 32};
  OnyxTensor* image = NULL;
  OnyxTensor* out = NULL;
  OnyxValueInfo input;
  if (!status) status = onyx_session_input_info(session, 0, &input);
  for (int i = 0; i < 3 * 32 * 32; ++i) pixels[i] = (float)(i % 97) / 97.0f;
  if (!status) status = onyx_tensor_create_view(ONYX_FLOAT, dims, 4, pixels, sizeof pixels, &image);
  if (!status) {
    const char* names[1] = {input.name};
    const OnyxTensor* inputs[1] = {image};
    status = onyx_session_run(session, names, inputs, 1, NULL, &out, 1);
  }
  if (!status) {
    const float* values = onyx_tensor_data(out);
    for (int64_t i = 0; i < onyx_tensor_element_count(out); ++i) printf("%.6f\n", values[i]);
  }
  int rc = 0;
  if (status) {
    fprintf(stderr, "classify_c: %s\n", onyx_status_message(status));
    onyx_status_free(status);
    rc = 1;
  }
  onyx_tensor_free(out);
  onyx_tensor_free(image);
  onyx_session_free(session);
  return rc;
}
