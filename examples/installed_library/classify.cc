// Runs a model whose one input is float[batch, 3, 32, 32] on a fixed ramp image and
// prints its one output, one value per line (the C++ API).
#include <onyx/onyx.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: classify_cpp MODEL\n");
    return 2;
  }
  try {
    onyx::Session session = onyx::load_session(argv[1]);
    onyx::Tensor image(onyx::DType::Float, {1, 3, 32, 32});
    float* pixels = image.data<float>();
    for (int64_t i = 0; i < image.numel(); ++i) pixels[i] = static_cast<float>(i % 97) / 97.0f;
    const onyx::Tensor out = session.run({{session.inputs()[0].name, image}})[0];
    for (float v : out.to_vector<float>()) std::printf("%.6f\n", v);
  } catch (const onyx::Error& e) {
    std::fprintf(stderr, "classify_cpp: %s\n", e.what());
    return 1;
  }
  return 0;
}
