// The activations a fast kernel can apply in its epilogue, while its output tile is
// still in cache. The formulas are the ONNX operators' own.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

namespace onyx::kernels {

enum class Activation {
  None,
  Relu,
  LeakyRelu,
  Clip,
  Sigmoid,
  Tanh,
  HardSigmoid,
  HardSwish,
  Gelu,      // approximate "none": 0.5 x (1 + erf(x / sqrt 2))
  GeluTanh,  // approximate "tanh": 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
};

struct ActivationParams {
  Activation kind = Activation::None;
  float a = 0, b = 0;  // LeakyRelu: alpha; Clip: min, max; HardSigmoid: alpha, beta
};

// One value, in the precision of T (float, or double for the double reference path).
template <class T>
T activate(const ActivationParams& p, T x) {
  const T a = static_cast<T>(p.a), b = static_cast<T>(p.b);
  switch (p.kind) {
    case Activation::None:
      return x;
    case Activation::Relu:
      return x < 0 ? T(0) : x;  // keeps NaN, as max(x, 0) does in the reference
    case Activation::LeakyRelu:
      return x < 0 ? a * x : x;
    case Activation::Clip:
      return x < a ? a : (x > b ? b : x);
    case Activation::Sigmoid:
      return T(1) / (T(1) + std::exp(-x));
    case Activation::Tanh:
      return std::tanh(x);
    case Activation::HardSigmoid:
      return std::max(T(0), std::min(T(1), a * x + b));
    case Activation::HardSwish:  // x * HardSigmoid(x) with alpha 1/6, beta 1/2
      return x * std::max(T(0), std::min(T(1), x / T(6) + T(0.5)));
    case Activation::Gelu:
      return T(0.5) * x * (T(1) + std::erf(x / std::sqrt(T(2))));
    case Activation::GeluTanh: {
      const T sqrt_2_over_pi = static_cast<T>(0.7978845608028654);
      return T(0.5) * x * (T(1) + std::tanh(sqrt_2_over_pi * (x + T(0.044715) * x * x * x)));
    }
  }
  return x;
}

// Whether p is a clamp to [lo, hi] (None, Relu, Clip with min <= max), which vector
// kernels apply in registers as max then min; if so, sets lo and hi.
inline bool as_clamp(const ActivationParams& p, float& lo, float& hi) {
  lo = -std::numeric_limits<float>::infinity();
  hi = std::numeric_limits<float>::infinity();
  switch (p.kind) {
    case Activation::None:
      return true;
    case Activation::Relu:
      lo = 0.0f;
      return true;
    case Activation::Clip:
      if (!(p.a <= p.b)) return false;
      lo = p.a;
      hi = p.b;
      return true;
    default:
      return false;
  }
}

// Applies p to n contiguous floats in place (Sigmoid, Tanh and Gelu by the vector math
// of simd/vmath.h and simd/gelu.h).
void activate_inplace(const ActivationParams& p, float* x, int64_t n);

// x[i] = activate(p, x[i] + residual[i]); residual may be null.
void add_and_activate(const ActivationParams& p, const float* residual, float* x, int64_t n);

}  // namespace onyx::kernels
