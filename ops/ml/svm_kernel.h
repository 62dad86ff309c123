// What the SVM operators of ai.onnx.ml (SVMRegressor, SVMClassifier) share: the kernel
// K(x, v) named by kernel_type, with kernel_params holding gamma, coef0 and degree:
//   LINEAR  x . v          POLY     (gamma x . v + coef0)^degree
//   RBF     exp(-gamma |x - v|^2)   SIGMOID  tanh(gamma x . v + coef0)
// Without support vectors both operators run in linear mode: the coefficients are
// weights per feature, scored with the linear kernel whatever kernel_type says.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "ml/ml_ops.h"

namespace onyx {

enum class SvmKernelType { Linear, Poly, Rbf, Sigmoid };

struct SvmKernel {
  SvmKernelType type = SvmKernelType::Linear;
  double gamma = 0, coef0 = 0;
  int64_t degree = 0;

  // K(x, v) over n features.
  template <class T>
  double operator()(const T* x, const double* v, int64_t n) const {
    double s = 0;
    if (type == SvmKernelType::Rbf) {
      for (int64_t i = 0; i < n; ++i) {
        const double d = static_cast<double>(x[i]) - v[i];
        s += d * d;
      }
      return std::exp(-gamma * s);
    }
    for (int64_t i = 0; i < n; ++i) s += static_cast<double>(x[i]) * v[i];
    if (type == SvmKernelType::Poly)
      return std::pow(gamma * s + coef0, static_cast<double>(degree));
    if (type == SvmKernelType::Sigmoid) return std::tanh(gamma * s + coef0);
    return s;
  }
};

// kernel_type and kernel_params; in linear mode the kernel is LINEAR whatever they say.
// Fails via init.
SvmKernel read_svm_kernel(const Attrs& attrs, bool linear_mode, const KernelInit& init);

inline std::vector<double> svm_doubles(const std::vector<float>& v) { return {v.begin(), v.end()}; }

// The rows of X, whose features must be the model's (the support vectors' or the
// coefficients' width); fails via ctx.
RowsOf svm_rows(const Tensor& x, int64_t features, const KernelContext& ctx);

}  // namespace onyx
