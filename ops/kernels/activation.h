// The activations a fast kernel can apply in its epilogue, while its output tile is
// still in cache. The formulas are the ONNX operators' own.
#pragma once

#include <algorithm>
#include <cmath>

namespace onyx::kernels {

enum class Activation { None, Relu, LeakyRelu, Clip, Sigmoid, Tanh, HardSigmoid };

struct ActivationParams {
  Activation kind = Activation::None;
  float a = 0, b = 0;  // LeakyRelu: alpha; Clip: min, max; HardSigmoid: alpha, beta
};

inline float activate(const ActivationParams& p, float x) {
  switch (p.kind) {
    case Activation::None:
      return x;
    case Activation::Relu:
      return x < 0 ? 0.0f : x;  // keeps NaN, as max(x, 0) does in the reference
    case Activation::LeakyRelu:
      return x < 0 ? p.a * x : x;
    case Activation::Clip:
      return x < p.a ? p.a : (x > p.b ? p.b : x);
    case Activation::Sigmoid:
      return 1.0f / (1.0f + std::exp(-x));
    case Activation::Tanh:
      return std::tanh(x);
    case Activation::HardSigmoid:
      return std::max(0.0f, std::min(1.0f, p.a * x + p.b));
  }
  return x;
}

// Applies p to n contiguous floats in place.
void activate_inplace(const ActivationParams& p, float* x, int64_t n);

}  // namespace onyx::kernels
